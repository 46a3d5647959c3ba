//! Rules of the portal with no I/O: values parsed at the edge, passwords,
//! tokens and access.

pub mod archive;
pub mod email;
pub mod lang;
pub mod report;

pub use email::{Email, EmailError};
pub use lang::Lang;
pub mod password;
pub mod second_factor;
pub mod secret;
