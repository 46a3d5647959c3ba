//! Checking that a file is a whole PDF, and taking its fingerprint (SHA-256,
//! size, pages) in the same single read.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic;
use std::path::Path;

use lopdf::Document;
use lopdf::xref::XrefEntry;
use sha2::{Digest, Sha256};

/// Files up to this size are read whole and parsed in full; larger ones are
/// streamed and get only the structural check, so memory stays flat.
const FULL_PARSE_LIMIT: u64 = 16 * 1024 * 1024;
/// Size of the reads when hashing a large file.
const CHUNK: usize = 256 * 1024;
/// Where the `%PDF-` header may sit, and how far from the end `%%EOF` may.
const HEAD: usize = 1024;
/// How much of the end of the file is searched for `startxref` and `%%EOF`.
const TAIL: usize = 1024;
/// How much is read where `startxref` points, to see what is there.
const XREF_PEEK: usize = 64;

/// What the portal keeps of a PDF that passed the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfInfo {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// Number of pages, when the file was small enough to be parsed in full.
    pub pages: Option<u32>,
}

/// Why a file is refused as a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PdfProblem {
    /// The file holds no byte at all.
    #[error("empty file")]
    Empty,
    /// The file does not start like a PDF (another format renamed `.pdf`).
    #[error("not a PDF")]
    NotPdf,
    /// Starts like a PDF but its end (`startxref`, `%%EOF`) is missing:
    /// typically a copy or a download that was cut short.
    #[error("incomplete PDF")]
    Incomplete,
    /// Has the shape of a PDF but its cross-reference table, its objects or
    /// its page tree cannot be read.
    #[error("damaged PDF")]
    Damaged,
    /// The file could not be read.
    #[error("unreadable file: {0}")]
    Unreadable(io::ErrorKind),
}

impl From<io::Error> for PdfProblem {
    fn from(error: io::Error) -> Self {
        Self::Unreadable(error.kind())
    }
}

/// Checks that the file at `path` is a complete, readable PDF, and returns
/// its size, SHA-256 and page count. Reads the file once.
pub fn check_pdf(path: &Path) -> Result<PdfInfo, PdfProblem> {
    check_opened_pdf(File::open(path)?, &|_, _| {})
}

/// [`check_pdf`] on a file already open, giving `keep` the file's bytes
/// when it passes while they are in memory: files up to the full-parse
/// size.
pub fn check_opened_pdf(
    file: File,
    keep: &(dyn Fn(&PdfInfo, &[u8]) + Sync),
) -> Result<PdfInfo, PdfProblem> {
    let size = file.metadata()?.len();

    if size == 0 {
        return Err(PdfProblem::Empty);
    }
    if size <= FULL_PARSE_LIMIT {
        check_in_memory(file, size, keep)
    } else {
        check_streamed(file, size)
    }
}

/// Small files: one read, then the structural check, the hash and a full
/// parse all work on the same bytes.
fn check_in_memory(
    file: File,
    size: u64,
    keep: &(dyn Fn(&PdfInfo, &[u8]) + Sync),
) -> Result<PdfInfo, PdfProblem> {
    // The cap holds memory even if the file grows while it is read.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(FULL_PARSE_LIMIT).read_to_end(&mut bytes)?;
    if bytes.is_empty() {
        return Err(PdfProblem::Empty);
    }

    let head = &bytes[..bytes.len().min(HEAD)];
    let tail = &bytes[bytes.len().saturating_sub(TAIL)..];
    let xref_at = check_skeleton(head, tail, to_u64(bytes.len()))?;
    let peek = usize::try_from(xref_at)
        .ok()
        .and_then(|start| bytes.get(start..))
        .ok_or(PdfProblem::Damaged)?;
    check_xref_start(&peek[..peek.len().min(XREF_PEEK)])?;

    let pages = count_pages(&bytes)?;
    let info = PdfInfo {
        size: to_u64(bytes.len()),
        sha256: hex::encode(Sha256::digest(&bytes)),
        pages: Some(pages),
    };
    keep(&info, &bytes);
    Ok(info)
}

/// Large files: the structure is checked from a few reads at the start, at
/// the end and where `startxref` points, then the file is hashed in chunks.
// Limitation: large files are not parsed object by object and get no page
// count; a file whose end is intact but whose middle is corrupt passes.
fn check_streamed(mut file: File, size: u64) -> Result<PdfInfo, PdfProblem> {
    let head = read_at(&mut file, 0, HEAD)?;
    let tail = read_at(&mut file, size.saturating_sub(to_u64(TAIL)), TAIL)?;
    let xref_at = check_skeleton(&head, &tail, size)?;
    check_xref_start(&read_at(&mut file, xref_at, XREF_PEEK)?)?;

    file.seek(SeekFrom::Start(0))?;
    let (sha256, hashed) = hash_stream(&mut file)?;
    Ok(PdfInfo {
        size: hashed,
        sha256,
        pages: None,
    })
}

/// Finds the header and the `startxref … %%EOF` ending, and returns where
/// the last cross-reference section starts (as lopdf counts: from the
/// header).
fn check_skeleton(head: &[u8], tail: &[u8], size: u64) -> Result<u64, PdfProblem> {
    let header = header_offset(head).ok_or(PdfProblem::NotPdf)?;
    let startxref = startxref(tail).ok_or(PdfProblem::Incomplete)?;

    let xref_at = to_u64(header).saturating_add(startxref);
    if xref_at >= size {
        return Err(PdfProblem::Damaged);
    }
    Ok(xref_at)
}

/// Where `%PDF-1.x` (or `%PDF-2.x`) starts within the first bytes.
fn header_offset(head: &[u8]) -> Option<usize> {
    head.windows(6)
        .position(|w| w.starts_with(b"%PDF-") && w[5].is_ascii_digit())
}

/// The offset written after the last `startxref`, provided `%%EOF` follows.
fn startxref(tail: &[u8]) -> Option<u64> {
    let eof = rfind(tail, b"%%EOF")?;
    let keyword = rfind(&tail[..eof], b"startxref")?;
    let number = &tail[keyword + b"startxref".len()..eof];
    std::str::from_utf8(number).ok()?.trim().parse().ok()
}

/// `startxref` must point at a classic `xref` table or at an object (an
/// xref stream): anything else means the offsets are wrong.
fn check_xref_start(peek: &[u8]) -> Result<(), PdfProblem> {
    let text = String::from_utf8_lossy(peek);
    let text = text.trim_start();
    if text.starts_with("xref") || starts_with_object_header(text) {
        Ok(())
    } else {
        Err(PdfProblem::Damaged)
    }
}

/// `12 0 obj`: two numbers, then the keyword.
fn starts_with_object_header(text: &str) -> bool {
    let mut words = text.split_ascii_whitespace();
    let mut is_number = || {
        words
            .next()
            .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
    };
    is_number() && is_number() && words.next().is_some_and(|w| w.starts_with("obj"))
}

/// Parses the whole document: every object the cross-reference table lists
/// must load, and the page tree must hold at least one page.
fn count_pages(bytes: &[u8]) -> Result<u32, PdfProblem> {
    // lopdf parses untrusted bytes; a panic in it must refuse the file, not
    // bring the import down. (Its nesting depth is bounded since 0.47, so a
    // crafted file cannot overflow the stack either.)
    let loaded = panic::catch_unwind(|| Document::load_mem(bytes));
    let document = loaded
        .map_err(|_| PdfProblem::Damaged)?
        .map_err(|_| PdfProblem::Damaged)?;

    if !every_listed_object_loaded(&document) {
        return Err(PdfProblem::Damaged);
    }
    match document.page_iter().count() {
        0 => Err(PdfProblem::Damaged),
        pages => u32::try_from(pages).map_err(|_| PdfProblem::Damaged),
    }
}

/// lopdf skips objects it cannot parse and carries on; a report with an
/// unreadable object is refused instead.
fn every_listed_object_loaded(document: &Document) -> bool {
    document
        .reference_table
        .entries
        .iter()
        .all(|(&id, entry)| match *entry {
            XrefEntry::Normal { generation, .. } => {
                document.objects.contains_key(&(id, generation))
            }
            _ => true,
        })
}

/// Hashes from the current position to the end, in chunks.
fn hash_stream(file: &mut File) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; CHUNK];
    let mut total = 0;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok((hex::encode(hasher.finalize()), total));
        }
        hasher.update(&buffer[..read]);
        total += to_u64(read);
    }
}

/// Reads up to `len` bytes at `offset`; fewer at the end of the file.
fn read_at(file: &mut File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::with_capacity(len);
    file.take(to_u64(len)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Position of the last occurrence of `needle`.
fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// A length as a file offset.
fn to_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;

    use super::*;

    fn corpus(path: &str) -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")).join(path)
    }

    #[test]
    fn a_basic_report_is_a_pdf_with_its_pages_and_hash() {
        let info = check_pdf(&corpus("basic/pdf/RDC-2025-001001_D0012001.pdf")).unwrap();
        assert_eq!(info.size, 11282);
        assert_eq!(info.pages, Some(2));
        assert_eq!(
            info.sha256,
            "c6e350f005b64be1428e8741fabac645373687d2b08e25717c9d1e42017c75bd"
        );
    }

    #[test]
    fn a_png_renamed_pdf_is_not_a_pdf() {
        let path = corpus("bad/png-renamed-pdf/pdf/RDC-2026-009002_D0090002.pdf");
        assert_eq!(check_pdf(&path), Err(PdfProblem::NotPdf));
    }

    #[test]
    fn a_truncated_pdf_is_incomplete() {
        let path = corpus("bad/truncated-pdf/pdf/RDC-2026-009007_D0090003.pdf");
        assert_eq!(check_pdf(&path), Err(PdfProblem::Incomplete));
    }

    #[test]
    fn the_structural_check_alone_refuses_the_truncated_pdf() {
        // lopdf 0.36 refuses this file too, but newer versions recover it.
        let path = corpus("bad/truncated-pdf/pdf/RDC-2026-009007_D0090003.pdf");
        let bytes = std::fs::read(path).unwrap();
        let tail = &bytes[bytes.len() - TAIL..];
        let skeleton = check_skeleton(&bytes[..HEAD], tail, to_u64(bytes.len()));
        assert_eq!(skeleton, Err(PdfProblem::Incomplete));
    }

    #[test]
    fn an_empty_file_is_empty() {
        let path = corpus("bad/empty-file/pdf/RDC-2026-009009_D0090001.pdf");
        assert_eq!(check_pdf(&path), Err(PdfProblem::Empty));
    }

    #[test]
    fn a_wrong_startxref_offset_is_damaged() {
        let good = std::fs::read(corpus("basic/pdf/RDC-2025-001002_D0012005.pdf")).unwrap();
        let text = String::from_utf8_lossy(&good).replace("startxref\n", "startxref\n1");
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        assert_eq!(check_pdf(file.path()), Err(PdfProblem::Damaged));
    }

    #[test]
    fn a_corrupt_object_is_damaged_even_with_an_intact_end() {
        let mut bytes = std::fs::read(corpus("basic/pdf/RDC-2025-001002_D0012005.pdf")).unwrap();
        let at = bytes.windows(7).position(|w| w == b"2 0 obj").unwrap();
        bytes[at..at + 7].copy_from_slice(b"2 0 xxx");
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        assert_eq!(check_pdf(file.path()), Err(PdfProblem::Damaged));
    }

    #[test]
    fn streamed_check_gives_the_same_hash_and_refuses_truncation() {
        let good = std::fs::read(corpus("basic/pdf/RDC-2025-001001_D0012001.pdf")).unwrap();
        let file = File::open(corpus("basic/pdf/RDC-2025-001001_D0012001.pdf")).unwrap();
        let info = check_streamed(file, to_u64(good.len())).unwrap();
        assert_eq!(info.sha256, hex::encode(Sha256::digest(&good)));
        assert_eq!(info.pages, None);

        let mut cut = tempfile::NamedTempFile::new().unwrap();
        cut.write_all(&good[..good.len() * 6 / 10]).unwrap();
        let short = File::open(cut.path()).unwrap();
        let problem = check_streamed(short, to_u64(good.len()) * 6 / 10);
        assert_eq!(problem, Err(PdfProblem::Incomplete));
    }

    /// A well-formed PDF whose objects are the given bodies (1: catalog).
    fn pdf_with_objects(bodies: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
        );
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        let trailer = format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        );
        out.extend_from_slice(trailer.as_bytes());
        out
    }

    #[test]
    fn deeply_nested_objects_are_refused_without_crashing() {
        let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec();
        let mut valid = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            page,
        ];
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&pdf_with_objects(&valid)).unwrap();
        assert_eq!(
            check_pdf(file.path()).map(|i| i.pages),
            Ok(Some(1)),
            "the builder is sound"
        );

        let mut nested = vec![b'['; 200_000];
        nested.extend(vec![b']'; 200_000]);
        valid.push(nested);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&pdf_with_objects(&valid)).unwrap();
        assert_eq!(check_pdf(file.path()), Err(PdfProblem::Damaged));
    }
}
