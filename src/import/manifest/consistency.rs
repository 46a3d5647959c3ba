//! Rules across rows: a report number appears once in a manifest, and a
//! recipient code has one name and one email.

use std::collections::HashMap;

use super::header::Column;
use super::problem::{Problem, ProblemKind};
use super::row::{Metadata, Row};

/// Every row whose report number is on another row too, each naming the
/// others.
pub(super) fn duplicate_numbers(rows: &[Row]) -> Vec<Problem> {
    let mut by_number: HashMap<&str, Vec<&Row>> = HashMap::new();
    for (row, metadata) in with_metadata(rows) {
        by_number
            .entry(metadata.report_number.as_str())
            .or_default()
            .push(row);
    }

    let mut problems = Vec::new();
    for (number, holders) in by_number.into_iter().filter(|(_, h)| h.len() > 1) {
        for row in &holders {
            let other_rows = holders
                .iter()
                .map(|r| r.row)
                .filter(|&r| r != row.row)
                .collect();
            let kind = ProblemKind::DuplicateNumber {
                number: number.to_owned(),
                other_rows,
            };
            problems.push(Problem::cell(
                row.row,
                row.line,
                Column::ReportNumber.name(),
                kind,
            ));
        }
    }
    problems
}

/// Rows giving a recipient code another name or email (compared
/// normalised) than its first row: the batch would not say which is right.
pub(super) fn inconsistent_recipients(rows: &[Row]) -> Vec<Problem> {
    let mut first: HashMap<&str, (usize, &Metadata)> = HashMap::new();
    let mut problems = Vec::new();
    for (row, metadata) in with_metadata(rows) {
        let code = metadata.recipient_code.as_str();
        let Some(&(first_row, earlier)) = first.get(code) else {
            first.insert(code, (row.row, metadata));
            continue;
        };

        let kind = || ProblemKind::InconsistentRecipient {
            code: code.to_owned(),
            first_row,
        };
        if metadata.recipient_name != earlier.recipient_name {
            problems.push(Problem::cell(
                row.row,
                row.line,
                Column::RecipientName.name(),
                kind(),
            ));
        }
        if metadata.recipient_email.normalized() != earlier.recipient_email.normalized() {
            problems.push(Problem::cell(
                row.row,
                row.line,
                Column::RecipientEmail.name(),
                kind(),
            ));
        }
    }
    problems
}

fn with_metadata(rows: &[Row]) -> impl Iterator<Item = (&Row, &Metadata)> {
    rows.iter()
        .filter_map(|row| row.metadata.as_ref().map(|metadata| (row, metadata)))
}
