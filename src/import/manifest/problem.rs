//! What can be wrong with a batch, and how to say it in one line to the
//! operator, in their language.

use std::fmt;
use std::io;

use chrono::NaiveDate;

use crate::domain::{EmailError, Lang};
use crate::import::pdf::PdfProblem;

/// Longest part of a cell value repeated in a message, in characters.
const EXCERPT_CHARS: usize = 60;
/// Most column names listed in one message.
const LISTED_COLUMNS: usize = 10;

/// One thing wrong with a batch: where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The data row (1-based; the header is not a row), if the problem is in one.
    pub row: Option<usize>,
    /// The line of the manifest (1-based; the header is line 1), if known.
    pub line: Option<usize>,
    /// The column, if the problem is in one cell.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// Why a text is not taken as the manifest's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 (Excel's "Unicode text").
    Utf16,
    /// Valid UTF-8 sequences next to bytes that are not UTF-8.
    Mixed,
    /// Neither UTF-8 nor Windows-1252.
    Unknown,
}

/// What is wrong, with the facts the message needs. Echoed values are
/// already cut to a short, printable excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The manifest could not be read.
    ManifestUnreadable(io::ErrorKind),
    /// The manifest is larger than any sane batch.
    ManifestTooLarge {
        /// The limit, in MiB.
        limit_mib: u64,
    },
    /// The manifest holds nothing.
    EmptyManifest,
    /// Binary data, or a first line that is no manifest header.
    NotCsvText,
    /// Text in an encoding that cannot be read safely.
    BadEncoding(Encoding),
    /// Contract columns absent from the header.
    MissingColumns(Vec<&'static str>),
    /// Header columns that are not in the contract.
    UnknownColumns(Vec<String>),
    /// Columns named twice in the header.
    DuplicateColumns(Vec<String>),
    /// A quoted cell opens and is never closed, so the rest of the file
    /// would be swallowed into it.
    UnterminatedQuote,
    /// The CSV itself cannot be read.
    CsvSyntax,
    /// A header and no data row.
    NoRows,
    /// The row does not have one cell per column.
    CellCount {
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// A required cell is empty or only white space.
    EmptyCell,
    /// A control character (NUL, tab, line break…) inside a cell.
    ControlCharacter {
        /// 1-based position of the character in the cell.
        position: usize,
        /// Its code point.
        code: u32,
    },
    /// The cell is longer than allowed.
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// The cell's length, in characters.
        found: usize,
    },
    /// Not a report number.
    InvalidReportNumber(String),
    /// Not a recipient code.
    InvalidRecipientCode(String),
    /// Not an email address.
    InvalidEmail {
        /// Excerpt of the cell.
        value: String,
        /// Why.
        error: EmailError,
    },
    /// Not of the form `YYYY-MM-DD` or `DD/MM/YYYY`.
    InvalidDate(String),
    /// Of the right form but no such day (`31/02/2026`).
    NoSuchDate(String),
    /// `period_end` is before `period_start`.
    EndBeforeStart {
        /// The period's start.
        start: NaiveDate,
        /// The period's end.
        end: NaiveDate,
    },
    /// `issued_on` is before the end of the period it reports on.
    IssuedBeforeEnd {
        /// The period's end.
        end: NaiveDate,
        /// The issue date.
        issued: NaiveDate,
    },
    /// Not one of the report kinds.
    InvalidKind(String),
    /// The report number is on other rows too.
    DuplicateNumber {
        /// The number.
        number: String,
        /// The other rows holding it.
        other_rows: Vec<usize>,
    },
    /// The same recipient code with another name or email than on an
    /// earlier row.
    InconsistentRecipient {
        /// The code.
        code: String,
        /// The first row with this code.
        first_row: usize,
    },
    /// The report number is already in the portal with other content
    /// (found when committing, not by reading).
    NumberTaken(String),
    /// The file changed between its check and its copy into storage.
    FileChanged,
    /// An absolute path where a path relative to the manifest is expected.
    AbsolutePath(String),
    /// The path leads outside the manifest's folder (`..` or a link).
    LeavesFolder(String),
    /// No such file.
    FileNotFound(String),
    /// The path names a folder or something else than a file.
    NotAFile(String),
    /// The file exists but cannot be read.
    FileUnreadable(io::ErrorKind),
    /// The file holds no byte.
    EmptyFile,
    /// The file is not a PDF.
    NotPdf,
    /// The PDF was cut short.
    IncompletePdf,
    /// The PDF's structure cannot be read.
    DamagedPdf,
}

impl From<PdfProblem> for ProblemKind {
    fn from(problem: PdfProblem) -> Self {
        match problem {
            PdfProblem::Empty => Self::EmptyFile,
            PdfProblem::NotPdf => Self::NotPdf,
            PdfProblem::Incomplete => Self::IncompletePdf,
            PdfProblem::Damaged => Self::DamagedPdf,
            PdfProblem::Unreadable(kind) => Self::FileUnreadable(kind),
        }
    }
}

impl Problem {
    /// A problem with the manifest as a whole.
    pub(super) fn manifest(kind: ProblemKind) -> Self {
        Self {
            row: None,
            line: None,
            field: None,
            kind,
        }
    }

    /// A problem with the header line.
    pub(super) fn header(kind: ProblemKind) -> Self {
        Self {
            line: Some(1),
            ..Self::manifest(kind)
        }
    }

    /// A problem with a whole row.
    pub(super) fn row(row: usize, line: usize, kind: ProblemKind) -> Self {
        Self {
            row: Some(row),
            line: Some(line),
            field: None,
            kind,
        }
    }

    /// A problem with one cell.
    pub fn cell(row: usize, line: usize, field: &'static str, kind: ProblemKind) -> Self {
        Self {
            row: Some(row),
            line: Some(line),
            field: Some(field),
            kind,
        }
    }

    /// A stable name of what is wrong, for programs (`not_pdf`…).
    pub fn code(&self) -> &'static str {
        use ProblemKind as K;
        match self.kind {
            K::ManifestUnreadable(_) => "manifest_unreadable",
            K::ManifestTooLarge { .. } => "manifest_too_large",
            K::EmptyManifest => "empty_manifest",
            K::NotCsvText => "not_csv_text",
            K::BadEncoding(_) => "bad_encoding",
            K::MissingColumns(_) => "missing_columns",
            K::UnknownColumns(_) => "unknown_columns",
            K::DuplicateColumns(_) => "duplicate_columns",
            K::UnterminatedQuote => "unterminated_quote",
            K::CsvSyntax => "csv_syntax",
            K::NoRows => "no_rows",
            K::CellCount { .. } => "cell_count",
            K::EmptyCell => "empty_cell",
            K::ControlCharacter { .. } => "control_character",
            K::TooLong { .. } => "too_long",
            K::InvalidReportNumber(_) => "invalid_report_number",
            K::InvalidRecipientCode(_) => "invalid_recipient_code",
            K::InvalidEmail { .. } => "invalid_email",
            K::InvalidDate(_) => "invalid_date",
            K::NoSuchDate(_) => "no_such_date",
            K::EndBeforeStart { .. } => "end_before_start",
            K::IssuedBeforeEnd { .. } => "issued_before_end",
            K::InvalidKind(_) => "invalid_kind",
            K::DuplicateNumber { .. } => "duplicate_number",
            K::InconsistentRecipient { .. } => "inconsistent_recipient",
            K::NumberTaken(_) => "number_taken",
            K::FileChanged => "file_changed",
            K::AbsolutePath(_) => "absolute_path",
            K::LeavesFolder(_) => "leaves_folder",
            K::FileNotFound(_) => "file_not_found",
            K::NotAFile(_) => "not_a_file",
            K::FileUnreadable(_) => "file_unreadable",
            K::EmptyFile => "empty_file",
            K::NotPdf => "not_pdf",
            K::IncompletePdf => "incomplete_pdf",
            K::DamagedPdf => "damaged_pdf",
        }
    }

    /// One line for the operator: where, which field, what is wrong.
    pub fn message(&self, lang: Lang) -> String {
        format!("{}{}", self.place(lang), describe(&self.kind, lang))
    }

    /// "ligne 3 (rang 2), champ « file » : ", or "manifeste : ".
    fn place(&self, lang: Lang) -> String {
        let mut place = match (self.line, self.row) {
            (Some(line), Some(row)) => say(
                lang,
                format!("ligne {line} (rang {row})"),
                format!("line {line} (row {row})"),
            ),
            (Some(1), None) => lang.pick("ligne 1 (en-tête)", "line 1 (header)").into(),
            (Some(line), None) => say(lang, format!("ligne {line}"), format!("line {line}")),
            (None, Some(row)) => say(lang, format!("rang {row}"), format!("row {row}")),
            (None, None) => lang.pick("manifeste", "manifest").into(),
        };
        if let Some(field) = self.field {
            place += &say(
                lang,
                format!(", champ «\u{a0}{field}\u{a0}»"),
                format!(", field \"{field}\""),
            );
        }
        place + lang.pick("\u{a0}: ", ": ")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// Cuts a value to a short excerpt and makes control characters visible,
/// so a message never carries a huge or binary value.
pub(super) fn excerpt(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(|c| visible(c).chars().collect::<Vec<_>>())
        .collect();
    if value.chars().nth(EXCERPT_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// A control character as `\u{0}`; anything else as itself.
fn visible(c: char) -> String {
    if c.is_control() {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    }
}

fn say(lang: Lang, fr: String, en: String) -> String {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

fn describe(kind: &ProblemKind, lang: Lang) -> String {
    match lang {
        Lang::Fr => french(kind),
        Lang::En => english(kind),
    }
}

/// Every message in French; one arm per kind, so none can be forgotten.
fn french(kind: &ProblemKind) -> String {
    use ProblemKind as K;
    match kind {
        K::ManifestUnreadable(error) => format!("le manifeste ne peut pas être lu ({error})"),
        K::ManifestTooLarge { limit_mib } => {
            format!("le manifeste dépasse {limit_mib} Mio\u{a0}; découpez le lot")
        }
        K::EmptyManifest => "le manifeste est vide".into(),
        K::NotCsvText => {
            "ce n'est pas un fichier CSV texte (pas d'en-tête de manifeste valide)".into()
        }
        K::BadEncoding(encoding) => format!(
            "le manifeste {}\u{a0}; enregistrez-le en «\u{a0}CSV UTF-8\u{a0}»",
            encoding_fr(*encoding)
        ),
        K::MissingColumns(names) => format!("colonne(s) manquante(s)\u{a0}: {}", list(names)),
        K::UnknownColumns(names) => {
            format!("colonne(s) inconnue(s), refusée(s)\u{a0}: {}", list(names))
        }
        K::DuplicateColumns(names) => format!("colonne(s) en double\u{a0}: {}", list(names)),
        K::UnterminatedQuote => {
            "un guillemet ouvre ce champ et n'est jamais refermé\u{a0}; rien n'a été importé".into()
        }
        K::CsvSyntax => "CSV illisible".into(),
        K::NoRows => "le manifeste n'a aucune ligne de données".into(),
        K::CellCount { expected, found } => {
            format!("{found} cellule(s) au lieu de {expected}")
        }
        K::EmptyCell => "cellule vide (obligatoire)".into(),
        K::ControlCharacter { position, code } => {
            format!("caractère de contrôle U+{code:04X} en position {position}")
        }
        K::TooLong { max, found } => format!("trop long\u{a0}: {found} caractères, {max} au plus"),
        K::InvalidReportNumber(value) => {
            format!("numéro de rapport invalide «\u{a0}{value}\u{a0}»")
        }
        K::InvalidRecipientCode(value) => {
            format!("code destinataire invalide «\u{a0}{value}\u{a0}»")
        }
        K::InvalidEmail { value, error } => format!(
            "adresse électronique invalide ({}) «\u{a0}{value}\u{a0}»",
            email_error_fr(*error)
        ),
        K::InvalidDate(value) => {
            format!("date invalide «\u{a0}{value}\u{a0}» (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")
        }
        K::NoSuchDate(value) => {
            format!("date invalide «\u{a0}{value}\u{a0}»\u{a0}: ce jour n'existe pas")
        }
        K::EndBeforeStart { start, end } => {
            format!("la fin de période ({end}) précède son début ({start})")
        }
        K::IssuedBeforeEnd { end, issued } => {
            format!("le rapport serait émis ({issued}) avant la fin de sa période ({end})")
        }
        K::InvalidKind(value) => format!(
            "type «\u{a0}{value}\u{a0}» inconnu (attendu periodique, complementaire ou rectificatif)"
        ),
        K::DuplicateNumber { number, other_rows } => format!(
            "{number} en double dans le manifeste (aussi rang {})",
            rows(other_rows)
        ),
        K::InconsistentRecipient { code, first_row } => {
            format!("le destinataire {code} a un autre nom ou courriel au rang {first_row}")
        }
        K::NumberTaken(number) => format!("{number} existe déjà avec un contenu différent"),
        K::FileChanged => "le fichier a changé pendant l'import ; relancez l'import".to_owned(),
        K::AbsolutePath(path) => format!(
            "chemin absolu refusé «\u{a0}{path}\u{a0}» (les chemins sont relatifs au dossier du manifeste)"
        ),
        K::LeavesFolder(path) => {
            format!("le chemin «\u{a0}{path}\u{a0}» sort du dossier du manifeste")
        }
        K::FileNotFound(path) => format!("fichier introuvable «\u{a0}{path}\u{a0}»"),
        K::NotAFile(path) => format!("«\u{a0}{path}\u{a0}» n'est pas un fichier"),
        K::FileUnreadable(error) => format!("fichier illisible ({error})"),
        K::EmptyFile => "fichier vide (0 octet)".into(),
        K::NotPdf => "ce fichier n'est pas un PDF".into(),
        K::IncompletePdf => {
            "PDF incomplet ou tronqué (sa fin manque\u{a0}: startxref, %%EOF)".into()
        }
        K::DamagedPdf => "PDF endommagé (sa structure interne est illisible)".into(),
    }
}

/// Every message in English; one arm per kind, so none can be forgotten.
fn english(kind: &ProblemKind) -> String {
    use ProblemKind as K;
    match kind {
        K::ManifestUnreadable(error) => format!("the manifest cannot be read ({error})"),
        K::ManifestTooLarge { limit_mib } => {
            format!("the manifest is larger than {limit_mib} MiB; split the batch")
        }
        K::EmptyManifest => "the manifest is empty".into(),
        K::NotCsvText => "this is not a CSV text file (no valid manifest header)".into(),
        K::BadEncoding(encoding) => format!(
            "the manifest {}; save it as \"CSV UTF-8\"",
            encoding_en(*encoding)
        ),
        K::MissingColumns(names) => format!("missing column(s): {}", list(names)),
        K::UnknownColumns(names) => format!("unknown column(s), refused: {}", list(names)),
        K::DuplicateColumns(names) => format!("duplicated column(s): {}", list(names)),
        K::UnterminatedQuote => {
            "a double quote opens this field and is never closed; nothing was imported".into()
        }
        K::CsvSyntax => "unreadable CSV".into(),
        K::NoRows => "the manifest has no data row".into(),
        K::CellCount { expected, found } => format!("{found} cell(s) instead of {expected}"),
        K::EmptyCell => "empty cell (required)".into(),
        K::ControlCharacter { position, code } => {
            format!("control character U+{code:04X} at position {position}")
        }
        K::TooLong { max, found } => format!("too long: {found} characters, at most {max}"),
        K::InvalidReportNumber(value) => format!("invalid report number \"{value}\""),
        K::InvalidRecipientCode(value) => format!("invalid recipient code \"{value}\""),
        K::InvalidEmail { value, error } => format!(
            "invalid email address ({}) \"{value}\"",
            email_error_en(*error)
        ),
        K::InvalidDate(value) => {
            format!("invalid date \"{value}\" (expected YYYY-MM-DD or DD/MM/YYYY)")
        }
        K::NoSuchDate(value) => format!("invalid date \"{value}\": no such day"),
        K::EndBeforeStart { start, end } => {
            format!("the period ends ({end}) before it starts ({start})")
        }
        K::IssuedBeforeEnd { end, issued } => {
            format!("the report would be issued ({issued}) before its period ends ({end})")
        }
        K::InvalidKind(value) => format!(
            "unknown kind \"{value}\" (expected periodique, complementaire or rectificatif)"
        ),
        K::DuplicateNumber { number, other_rows } => format!(
            "{number} is duplicated in the manifest (also row {})",
            rows(other_rows)
        ),
        K::InconsistentRecipient { code, first_row } => {
            format!("recipient {code} has another name or email on row {first_row}")
        }
        K::NumberTaken(number) => format!("{number} already exists with different content"),
        K::FileChanged => "the file changed during the import; run the import again".to_owned(),
        K::AbsolutePath(path) => format!(
            "absolute path refused \"{path}\" (paths are relative to the manifest's folder)"
        ),
        K::LeavesFolder(path) => format!("the path \"{path}\" leaves the manifest's folder"),
        K::FileNotFound(path) => format!("file not found \"{path}\""),
        K::NotAFile(path) => format!("\"{path}\" is not a file"),
        K::FileUnreadable(error) => format!("unreadable file ({error})"),
        K::EmptyFile => "empty file (0 bytes)".into(),
        K::NotPdf => "this file is not a PDF".into(),
        K::IncompletePdf => {
            "incomplete or truncated PDF (its end is missing: startxref, %%EOF)".into()
        }
        K::DamagedPdf => "damaged PDF (its internal structure cannot be read)".into(),
    }
}

fn encoding_fr(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf16 => "est en UTF-16",
        Encoding::Mixed => "mélange UTF-8 et un autre encodage",
        Encoding::Unknown => "n'est ni en UTF-8 ni en Windows-1252",
    }
}

fn encoding_en(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf16 => "is in UTF-16",
        Encoding::Mixed => "mixes UTF-8 with another encoding",
        Encoding::Unknown => "is neither UTF-8 nor Windows-1252",
    }
}

fn email_error_fr(error: EmailError) -> &'static str {
    match error {
        EmailError::Empty => "vide",
        EmailError::TooLong => "trop longue",
        EmailError::DisplayName => "un nom et une adresse au lieu d'une adresse seule",
        EmailError::Syntax => "forme incorrecte",
    }
}

fn email_error_en(error: EmailError) -> &'static str {
    match error {
        EmailError::Empty => "empty",
        EmailError::TooLong => "too long",
        EmailError::DisplayName => "a name and an address instead of an address alone",
        EmailError::Syntax => "malformed",
    }
}

/// Names as `kind, file`, with at most a few of them.
fn list<S: AsRef<str>>(names: &[S]) -> String {
    let mut shown: Vec<String> = names
        .iter()
        .take(LISTED_COLUMNS)
        .map(|n| match n.as_ref() {
            "" => "\"\"".to_owned(),
            name => excerpt(name),
        })
        .collect();
    if names.len() > LISTED_COLUMNS {
        shown.push(format!("(+{})", names.len() - LISTED_COLUMNS));
    }
    shown.join(", ")
}

fn rows(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().map(ToString::to_string).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_message_names_line_row_and_field() {
        let problem = Problem::cell(2, 3, "file", ProblemKind::NotPdf);
        assert_eq!(
            problem.message(Lang::Fr),
            "ligne 3 (rang 2), champ «\u{a0}file\u{a0}»\u{a0}: ce fichier n'est pas un PDF"
        );
        assert_eq!(
            problem.message(Lang::En),
            "line 3 (row 2), field \"file\": this file is not a PDF"
        );
    }

    #[test]
    fn excerpts_are_short_and_show_control_characters() {
        assert_eq!(excerpt("a\0b"), "a\\u{0}b");
        let long = "x".repeat(10_000);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn header_problems_name_the_header_line() {
        let problem = Problem::header(ProblemKind::MissingColumns(vec!["kind"]));
        assert_eq!(
            problem.message(Lang::En),
            "line 1 (header): missing column(s): kind"
        );
    }
}
