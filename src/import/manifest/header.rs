//! The manifest's header: the contract's nine columns, in any order, no
//! more and no fewer.

use csv::StringRecord;

use super::problem::{Problem, ProblemKind};

/// A column of the manifest contract; they sort in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// `report_number`
    ReportNumber,
    /// `recipient_code`
    RecipientCode,
    /// `recipient_name`
    RecipientName,
    /// `recipient_email`
    RecipientEmail,
    /// `period_start`
    PeriodStart,
    /// `period_end`
    PeriodEnd,
    /// `kind`
    Kind,
    /// `issued_on`
    IssuedOn,
    /// `file`
    File,
}

impl Column {
    /// Every column, in the contract's order.
    pub const ALL: [Column; 9] = [
        Column::ReportNumber,
        Column::RecipientCode,
        Column::RecipientName,
        Column::RecipientEmail,
        Column::PeriodStart,
        Column::PeriodEnd,
        Column::Kind,
        Column::IssuedOn,
        Column::File,
    ];

    /// The header name, as in problems' `field`.
    pub fn name(self) -> &'static str {
        match self {
            Column::ReportNumber => "report_number",
            Column::RecipientCode => "recipient_code",
            Column::RecipientName => "recipient_name",
            Column::RecipientEmail => "recipient_email",
            Column::PeriodStart => "period_start",
            Column::PeriodEnd => "period_end",
            Column::Kind => "kind",
            Column::IssuedOn => "issued_on",
            Column::File => "file",
        }
    }

    /// The column with this header name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where each column sits in the records.
#[derive(Debug, Clone)]
pub(super) struct Header {
    positions: [usize; 9],
    width: usize,
}

impl Header {
    /// Reads the header record; every missing, unknown or repeated column
    /// is reported at once.
    pub(super) fn parse(record: &StringRecord) -> Result<Self, Vec<Problem>> {
        let mut positions = [None; 9];
        let (mut unknown, mut repeated) = (Vec::new(), Vec::new());
        for (position, raw) in record.iter().enumerate() {
            let name = raw.trim().trim_start_matches('\u{feff}');
            match Column::from_name(name) {
                Some(c) if positions[c.index()].is_some() => repeated.push(name.to_owned()),
                Some(c) => positions[c.index()] = Some(position),
                None => unknown.push(name.to_owned()),
            }
        }
        let missing: Vec<&'static str> = Column::ALL
            .into_iter()
            .filter(|c| positions[c.index()].is_none())
            .map(Column::name)
            .collect();

        let problems = header_problems(missing, unknown, repeated);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            positions: positions.map(|p| p.unwrap_or_default()),
            width: record.len(),
        })
    }

    /// Number of cells every row must have.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// The record's cells, in the contract's column order.
    pub(super) fn cells<'r>(&self, record: &'r StringRecord) -> [&'r str; 9] {
        self.positions
            .map(|position| record.get(position).unwrap_or_default())
    }

    /// The column at this position in the records.
    pub(super) fn column_at(&self, position: usize) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| self.positions[c.index()] == position)
    }
}

fn header_problems(
    missing: Vec<&'static str>,
    unknown: Vec<String>,
    repeated: Vec<String>,
) -> Vec<Problem> {
    let kinds = [
        (!missing.is_empty()).then_some(ProblemKind::MissingColumns(missing)),
        (!unknown.is_empty()).then_some(ProblemKind::UnknownColumns(unknown)),
        (!repeated.is_empty()).then_some(ProblemKind::DuplicateColumns(repeated)),
    ];
    kinds.into_iter().flatten().map(Problem::header).collect()
}

/// Whether a first line could be a manifest header: text naming at least
/// one contract column. A renamed PDF or image fails this.
pub(super) fn looks_like_header(first_line: &[u8]) -> bool {
    let line = first_line.to_ascii_lowercase();
    let names_a_column = Column::ALL.into_iter().any(|c| {
        let name = c.name().as_bytes();
        line.windows(name.len()).any(|w| w == name)
    });
    names_a_column && !line.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> StringRecord {
        StringRecord::from(fields.to_vec())
    }

    #[test]
    fn columns_in_any_order_and_case() {
        let mut names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        names.reverse();
        names[0] = " FILE ";
        let header = Header::parse(&record(&names)).unwrap();
        let row = record(&["9", "8", "7", "6", "5", "4", "3", "2", "1"]);
        let cells = header.cells(&row);
        assert_eq!(cells, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        assert_eq!(header.column_at(0), Some(Column::File));
    }

    #[test]
    fn missing_unknown_and_repeated_columns_are_all_reported() {
        let problems =
            Header::parse(&record(&["report_number", "kidn", "file", "file"])).unwrap_err();
        let kinds: Vec<_> = problems.into_iter().map(|p| p.kind).collect();
        assert!(matches!(&kinds[0], ProblemKind::MissingColumns(m) if m.len() == 7));
        assert_eq!(kinds[1], ProblemKind::UnknownColumns(vec!["kidn".into()]));
        assert_eq!(kinds[2], ProblemKind::DuplicateColumns(vec!["file".into()]));
    }

    #[test]
    fn a_pdf_first_line_is_no_header() {
        assert!(!looks_like_header(b"%PDF-1.4"));
        assert!(looks_like_header(b"Report_Number;file"));
    }
}
