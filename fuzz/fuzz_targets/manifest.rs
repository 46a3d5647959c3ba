//! The manifest reader on arbitrary bytes: it never panics, every problem
//! reads as plain text in both languages, and every accepted row names a
//! file inside the manifest's folder.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dosiport::domain::Lang;
use dosiport::import::read_batch_bytes;
use libfuzzer_sys::fuzz_target;

/// A folder holding one valid PDF, so that rows can pass their file check.
fn folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join("dosiport-fuzz-manifest");
        let pdf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/basic/pdf/RDC-2025-001001_D0012001.pdf");
        std::fs::create_dir_all(folder.join("pdf")).expect("fuzz folder");
        std::fs::copy(pdf, folder.join("pdf/a.pdf")).expect("sample PDF");
        folder.canonicalize().expect("fuzz folder")
    })
}

fuzz_target!(|data: &[u8]| {
    let folder = folder();
    match read_batch_bytes(data, &folder.join("manifest.csv")) {
        Ok(rows) => {
            assert!(!rows.is_empty());
            for row in rows {
                assert!(
                    row.file.starts_with(folder),
                    "{:?} left the folder",
                    row.file
                );
                assert!(!row.recipient_name.chars().any(char::is_control));
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                for lang in [Lang::Fr, Lang::En] {
                    let message = problem.message(lang);
                    assert!(!message.chars().any(char::is_control), "{message:?}");
                }
            }
        }
    }
});
