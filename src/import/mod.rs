//! Importing a batch of reports: reading and checking the manifest and its PDFs, then committing.

pub mod commit;
pub mod manifest;
pub mod pdf;
pub mod progress;

pub use manifest::{BatchRow, Problem, ProblemKind, read_batch, read_batch_bytes};
pub use pdf::{PdfInfo, PdfProblem, check_pdf};
