//! Reading a batch: the manifest (SPEC §12) and the PDFs it names, checked
//! without touching the database. Every bad row is reported at once; a
//! batch with any problem yields no row at all.

mod consistency;
mod files;
mod header;
mod problem;
mod row;
mod text;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::StringRecord;

use crate::domain::Email;
use crate::domain::report::{RecipientCode, ReportKind, ReportNumber};
use crate::import::pdf::PdfInfo;
use files::{CheckedFile, FileResults, Folder};
use header::Header;
use row::{Metadata, Row};

pub use header::Column;
pub use problem::{Encoding, Problem, ProblemKind};

/// Largest manifest read, in MiB: some 250,000 rows.
const MAX_MANIFEST_MIB: u64 = 64;

/// One valid data row, with its checked PDF.
#[derive(Debug, Clone)]
pub struct BatchRow {
    /// 1-based data row number (the header is line 1, row N is line N+1).
    pub row: usize,
    /// The manifest line the row starts on.
    pub line: usize,
    /// The report's number.
    pub report_number: ReportNumber,
    /// The lab's code of the recipient.
    pub recipient_code: RecipientCode,
    /// The recipient's name: verbatim, NFC, trimmed.
    pub recipient_name: String,
    /// The recipient's contact address; `original()` is the manifest's value.
    pub recipient_email: Email,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Periodic, complementary or corrective.
    pub kind: ReportKind,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Absolute path, links resolved, proven inside the manifest's folder.
    pub file: PathBuf,
    /// Base name of the file as the manifest gives it, for downloads.
    pub file_name: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Number of pages, when the file was small enough to be parsed in full.
    pub pages: Option<u32>,
}

impl BatchRow {
    fn new(row: usize, line: usize, metadata: Metadata, file: CheckedFile) -> Self {
        Self {
            row,
            line,
            report_number: metadata.report_number,
            recipient_code: metadata.recipient_code,
            recipient_name: metadata.recipient_name,
            recipient_email: metadata.recipient_email,
            period_start: metadata.period_start,
            period_end: metadata.period_end,
            kind: metadata.kind,
            issued_on: metadata.issued_on,
            file: file.path,
            file_name: file.file_name,
            sha256: file.info.sha256,
            size: file.info.size,
            pages: file.info.pages,
        }
    }
}

/// Reads and checks the batch described by `manifest`: every row, every
/// file (paths relative to the manifest's folder). Returns all rows, or
/// every problem found, sorted by row and column.
pub fn read_batch(manifest: &Path) -> Result<Vec<BatchRow>, Vec<Problem>> {
    read_batch_reporting(manifest, Listeners::NONE)
}

/// What checking the files of a batch has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEvent {
    /// The checks begin: how many files there are.
    Total(usize),
    /// One more file was checked: its size (0 if it could not be read).
    Checked(u64),
}

/// Who hears of the file checks, from several threads at once.
#[derive(Clone, Copy)]
pub struct Listeners<'a> {
    /// Told how far the checks have got.
    pub report: &'a (dyn Fn(FileEvent) + Sync),
    /// Given each file that passed while its bytes are still in memory
    /// (files small enough to be parsed whole), so that a copy can be kept
    /// without reading the file again. Only while no problem was found.
    pub keep: &'a (dyn Fn(&PdfInfo, &[u8]) + Sync),
}

impl Listeners<'_> {
    /// Nobody listens.
    pub const NONE: Listeners<'static> = Listeners {
        report: &|_| {},
        keep: &|_, _| {},
    };
}

/// [`read_batch`], telling `listeners` how the file checks go.
pub fn read_batch_reporting(
    manifest: &Path,
    listeners: Listeners<'_>,
) -> Result<Vec<BatchRow>, Vec<Problem>> {
    let bytes = read_bytes(manifest).map_err(only)?;
    read_batch_bytes_reporting(&bytes, manifest, listeners)
}

/// Checks a manifest already read as `bytes`, as if it were the file at
/// `manifest`: its rows, then the files they name, relative to its folder.
pub fn read_batch_bytes(bytes: &[u8], manifest: &Path) -> Result<Vec<BatchRow>, Vec<Problem>> {
    read_batch_bytes_reporting(bytes, manifest, Listeners::NONE)
}

fn read_batch_bytes_reporting(
    bytes: &[u8],
    manifest: &Path,
    listeners: Listeners<'_>,
) -> Result<Vec<BatchRow>, Vec<Problem>> {
    let text = text::decode(bytes).map_err(only)?;
    let delimiter = text::delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let header = read_header(&mut reader)?;
    refuse_open_quote(&text, delimiter, &header)?;
    let folder = Folder::of_manifest(manifest)
        .map_err(|error| only(ProblemKind::ManifestUnreadable(error.kind())))?;

    let (rows, mut problems) = read_rows(&mut reader, &header, &text);
    if rows.is_empty() && problems.is_empty() {
        return Err(only(ProblemKind::NoRows));
    }
    problems.extend(consistency::duplicate_numbers(&rows));
    problems.extend(consistency::inconsistent_recipients(&rows));

    let cells: Vec<Option<&str>> = rows.iter().map(|r| r.file.as_deref()).collect();
    (listeners.report)(FileEvent::Total(cells.iter().flatten().count()));
    // A batch already refused keeps no copy of its files.
    let listeners = if problems.is_empty() {
        listeners
    } else {
        Listeners {
            keep: Listeners::NONE.keep,
            ..listeners
        }
    };
    let files = files::check_all(&folder, &cells, listeners);
    let batch = assemble(rows, files, &mut problems);

    if problems.is_empty() {
        return Ok(batch);
    }
    problems.sort_by_key(|p| (p.row, p.field.and_then(Column::from_name)));
    Err(problems)
}

fn only(kind: ProblemKind) -> Vec<Problem> {
    vec![Problem::manifest(kind)]
}

/// The manifest's bytes, within a size limit.
fn read_bytes(manifest: &Path) -> Result<Vec<u8>, ProblemKind> {
    let unreadable = |error: std::io::Error| ProblemKind::ManifestUnreadable(error.kind());
    let limit = MAX_MANIFEST_MIB * 1024 * 1024;

    let mut bytes = Vec::new();
    File::open(manifest)
        .map_err(unreadable)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(ProblemKind::ManifestTooLarge {
            limit_mib: MAX_MANIFEST_MIB,
        });
    }
    Ok(bytes)
}

fn read_header(reader: &mut csv::Reader<&[u8]>) -> Result<Header, Vec<Problem>> {
    let mut record = StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Header::parse(&record),
        Ok(false) => Err(only(ProblemKind::EmptyManifest)),
        Err(_) => Err(only(ProblemKind::CsvSyntax)),
    }
}

/// A quote that never closes would swallow the rest of the file into one
/// cell: the whole batch is refused, naming where the quote opens.
fn refuse_open_quote(text: &str, delimiter: u8, header: &Header) -> Result<(), Vec<Problem>> {
    let Some(open) = text::unterminated_quote(text, delimiter) else {
        return Ok(());
    };
    let problem = Problem {
        row: (open.record > 0).then_some(open.record),
        line: Some(open.line),
        field: header.column_at(open.field).map(Column::name),
        kind: ProblemKind::UnterminatedQuote,
    };
    Err(vec![problem])
}

/// Reads every data row; rows whose cells are all blank (a spreadsheet's
/// trailing `;;;;`) are skipped but still counted.
fn read_rows(
    reader: &mut csv::Reader<&[u8]>,
    header: &Header,
    text: &str,
) -> (Vec<Row>, Vec<Problem>) {
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let Ok(record) = record else {
            problems.push(Problem::row(row, row + 1, ProblemKind::CsvSyntax));
            break;
        };
        let line = line_of(&record, text).unwrap_or(row + 1);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }

        if record.len() != header.width() {
            let kind = ProblemKind::CellCount {
                expected: header.width(),
                found: record.len(),
            };
            problems.push(Problem::row(row, line, kind));
            continue;
        }
        let (parsed, found) = row::read_row(row, line, header.cells(&record));
        rows.push(parsed);
        problems.extend(found);
    }
    (rows, problems)
}

/// The line a record starts on. The CSV reader gives the position where
/// the previous record ended, before the empty lines it skips.
fn line_of(record: &StringRecord, text: &str) -> Option<usize> {
    let position = record.position()?;
    let start = usize::try_from(position.byte()).ok()?;
    let skipped = text.as_bytes().get(start..)?;
    let empty_lines = skipped
        .iter()
        .take_while(|&&b| matches!(b, b'\r' | b'\n'))
        .filter(|&&b| b == b'\n')
        .count();
    Some(usize::try_from(position.line()).ok()? + empty_lines)
}

/// Joins each row with its file; a bad file becomes a problem on `file`.
fn assemble(rows: Vec<Row>, files: FileResults, problems: &mut Vec<Problem>) -> Vec<BatchRow> {
    let mut batch = Vec::with_capacity(rows.len());
    for (row, file) in rows.into_iter().zip(files) {
        let Row {
            row,
            line,
            metadata,
            ..
        } = row;
        match (metadata, file) {
            (Some(metadata), Some(Ok(file))) => {
                batch.push(BatchRow::new(row, line, metadata, file));
            }
            (_, Some(Err(kind))) => {
                problems.push(Problem::cell(row, line, Column::File.name(), kind));
            }
            // The row's other problems were reported when its cells were read.
            _ => {}
        }
    }
    batch
}

#[cfg(test)]
mod tests;
