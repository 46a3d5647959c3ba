//! Background work of the server: the outbox sender lives in `mail`; the
//! daily retention work lives here.

pub mod retention;
