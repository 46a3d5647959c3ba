//! One data row: every cell checked and parsed into the report's metadata.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::header::Column;
use super::problem::{Problem, ProblemKind, excerpt};
use crate::domain::Email;
use crate::domain::report::{RecipientCode, ReportKind, ReportNumber};

/// Longest recipient name, in characters.
pub(super) const MAX_NAME_CHARS: usize = 255;
/// Longest value of any other cell, in characters.
const MAX_CELL_CHARS: usize = 1024;

/// A report's metadata, every cell valid.
#[derive(Debug, Clone)]
pub(super) struct Metadata {
    pub report_number: ReportNumber,
    pub recipient_code: RecipientCode,
    pub recipient_name: String,
    pub recipient_email: Email,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kind: ReportKind,
    pub issued_on: NaiveDate,
}

/// A data row after its cells were read: the metadata if all of it is
/// valid, and the `file` cell if it is usable, so that the file is checked
/// even when another cell is wrong.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub row: usize,
    pub line: usize,
    pub metadata: Option<Metadata>,
    pub file: Option<String>,
}

/// Reads one row's cells (in the contract's column order); the problems of
/// every bad cell are returned, not only the first.
pub(super) fn read_row(row: usize, line: usize, cells: [&str; 9]) -> (Row, Vec<Problem>) {
    let mut check = Cells {
        row,
        line,
        cells,
        problems: Vec::new(),
    };
    let metadata = check.metadata();
    let file = check.take(Column::File, |value| Ok(value.to_owned()));

    let row = Row {
        row,
        line,
        metadata,
        file,
    };
    (row, check.problems)
}

/// The cells of a row and the problems found so far.
struct Cells<'a> {
    row: usize,
    line: usize,
    cells: [&'a str; 9],
    problems: Vec<Problem>,
}

impl Cells<'_> {
    fn metadata(&mut self) -> Option<Metadata> {
        let report_number = self.take(Column::ReportNumber, parse_report_number);
        let recipient_code = self.take(Column::RecipientCode, parse_recipient_code);
        let recipient_name = self.take(Column::RecipientName, parse_name);
        let recipient_email = self.take(Column::RecipientEmail, parse_email);
        let period_start = self.take(Column::PeriodStart, parse_date);
        let period_end = self.take(Column::PeriodEnd, parse_date);
        let kind = self.take(Column::Kind, parse_kind);
        let issued_on = self.take(Column::IssuedOn, parse_date);

        if let (Some(start), Some(end)) = (period_start, period_end)
            && end < start
        {
            self.flag(
                Column::PeriodEnd,
                ProblemKind::EndBeforeStart { start, end },
            );
            return None;
        }
        if let (Some(end), Some(issued)) = (period_end, issued_on)
            && issued < end
        {
            self.flag(
                Column::IssuedOn,
                ProblemKind::IssuedBeforeEnd { end, issued },
            );
            return None;
        }
        Some(Metadata {
            report_number: report_number?,
            recipient_code: recipient_code?,
            recipient_name: recipient_name?,
            recipient_email: recipient_email?,
            period_start: period_start?,
            period_end: period_end?,
            kind: kind?,
            issued_on: issued_on?,
        })
    }

    /// Checks one cell as text (present, printable, not too long), then
    /// parses it.
    fn take<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, ProblemKind>,
    ) -> Option<T> {
        let value = self.cells[column as usize].trim();
        let max = match column {
            Column::RecipientName => MAX_NAME_CHARS,
            _ => MAX_CELL_CHARS,
        };
        match check_text(value, max).and_then(|()| parse(value)) {
            Ok(parsed) => Some(parsed),
            Err(kind) => {
                self.flag(column, kind);
                None
            }
        }
    }

    fn flag(&mut self, column: Column, kind: ProblemKind) {
        let problem = Problem::cell(self.row, self.line, column.name(), kind);
        self.problems.push(problem);
    }
}

/// Every cell is required, printable and of a sane length.
fn check_text(value: &str, max: usize) -> Result<(), ProblemKind> {
    if value.is_empty() {
        return Err(ProblemKind::EmptyCell);
    }
    if let Some((index, c)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(ProblemKind::ControlCharacter {
            position: index + 1,
            code: u32::from(c),
        });
    }
    let found = value.chars().count();
    if found > max {
        return Err(ProblemKind::TooLong { max, found });
    }
    Ok(())
}

fn parse_report_number(value: &str) -> Result<ReportNumber, ProblemKind> {
    ReportNumber::parse(value).ok_or_else(|| ProblemKind::InvalidReportNumber(excerpt(value)))
}

fn parse_recipient_code(value: &str) -> Result<RecipientCode, ProblemKind> {
    RecipientCode::parse(value).ok_or_else(|| ProblemKind::InvalidRecipientCode(excerpt(value)))
}

/// Names are kept verbatim, only put in NFC so that equal names compare
/// equal.
fn parse_name(value: &str) -> Result<String, ProblemKind> {
    Ok(value.nfc().collect())
}

fn parse_email(value: &str) -> Result<Email, ProblemKind> {
    Email::parse(value).map_err(|error| ProblemKind::InvalidEmail {
        value: excerpt(value),
        error,
    })
}

fn parse_kind(value: &str) -> Result<ReportKind, ProblemKind> {
    ReportKind::parse(value).ok_or_else(|| ProblemKind::InvalidKind(excerpt(value)))
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`, with every digit written; a day that does
/// not exist is refused, never rolled over to the next month.
fn parse_date(value: &str) -> Result<NaiveDate, ProblemKind> {
    let (year, month, day) = split_iso_date(value)
        .or_else(|| split_french_date(value))
        .ok_or_else(|| ProblemKind::InvalidDate(excerpt(value)))?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| ProblemKind::NoSuchDate(excerpt(value)))
}

fn split_iso_date(value: &str) -> Option<(i32, u32, u32)> {
    let mut parts = value.split('-');
    let year = digits(parts.next()?, 4)?;
    let month = digits(parts.next()?, 2)?;
    let day = digits(parts.next()?, 2)?;
    parts
        .next()
        .is_none()
        .then_some((i32::try_from(year).ok()?, month, day))
}

fn split_french_date(value: &str) -> Option<(i32, u32, u32)> {
    let mut parts = value.split('/');
    let day = digits(parts.next()?, 2)?;
    let month = digits(parts.next()?, 2)?;
    let year = digits(parts.next()?, 4)?;
    parts
        .next()
        .is_none()
        .then_some((i32::try_from(year).ok()?, month, day))
}

/// A number written with exactly `len` ASCII digits.
fn digits(part: &str, len: usize) -> Option<u32> {
    let all_digits = part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    all_digits.then(|| part.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_in_both_forms_and_nothing_else() {
        assert_eq!(parse_date("2026-02-28"), Ok(date(2026, 2, 28)));
        assert_eq!(parse_date("28/02/2026"), Ok(date(2026, 2, 28)));
        for bad in [
            "2026-2-28",
            "28/2/2026",
            "2026/02/28",
            "28-02-2026",
            "2026-02-28T00",
            "+026-02-28",
        ] {
            assert!(
                matches!(parse_date(bad), Err(ProblemKind::InvalidDate(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn impossible_days_are_refused_not_rolled_over() {
        assert_eq!(
            parse_date("31/02/2026"),
            Err(ProblemKind::NoSuchDate("31/02/2026".into()))
        );
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("29/02/2028").is_ok());
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported() {
        let cells = [
            "",
            "D1",
            "Nom\0",
            "a@",
            "2026-01-01",
            "2025-01-01",
            "x",
            "1/1/2026",
            "",
        ];
        let (row, problems) = read_row(4, 5, cells);
        let fields: Vec<_> = problems.iter().map(|p| p.field.unwrap()).collect();
        assert_eq!(
            fields,
            [
                "report_number",
                "recipient_name",
                "recipient_email",
                "kind",
                "issued_on",
                "period_end",
                "file"
            ]
        );
        assert!(row.metadata.is_none() && row.file.is_none());
    }
}
