//! Report metadata values: numbers, recipient codes and kinds.

use std::fmt;

/// Longest report number or recipient code accepted.
const MAX_ID_LEN: usize = 40;

/// The kind of a control report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The periodic report.
    Periodique,
    /// Late-returned dosimeters of a period already reported.
    Complementaire,
    /// Cancels and replaces an earlier report of the same period.
    Rectificatif,
}

impl ReportKind {
    /// Parses the manifest's value (case-insensitive, accents allowed).
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_lowercase().as_str() {
            "periodique" | "périodique" => Some(Self::Periodique),
            "complementaire" | "complémentaire" => Some(Self::Complementaire),
            "rectificatif" => Some(Self::Rectificatif),
            _ => None,
        }
    }

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Periodique => "periodique",
            Self::Complementaire => "complementaire",
            Self::Rectificatif => "rectificatif",
        }
    }
}

/// A report number such as `RDC-2025-001001`, stored in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportNumber(String);

impl ReportNumber {
    /// Parses a typed or imported number: trimmed, upper-cased, letters,
    /// digits and `-_/.` only.
    pub fn parse(input: &str) -> Option<Self> {
        let value = input.trim().to_uppercase();
        let valid = !value.is_empty()
            && value.len() <= MAX_ID_LEN
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
        valid.then_some(Self(value))
    }

    /// The number as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The lab's own code of a recipient; opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecipientCode(String);

impl RecipientCode {
    /// Parses a code: trimmed, printable ASCII without spaces.
    pub fn parse(input: &str) -> Option<Self> {
        let value = input.trim();
        let valid = !value.is_empty()
            && value.len() <= MAX_ID_LEN
            && value.chars().all(|c| c.is_ascii_graphic());
        valid.then(|| Self(value.to_owned()))
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_numbers_are_case_insensitive_and_trimmed() {
        let n = ReportNumber::parse(" rdc-2025-001001 ").unwrap();
        assert_eq!(n.as_str(), "RDC-2025-001001");
        assert!(ReportNumber::parse("").is_none());
        assert!(ReportNumber::parse("RDC 2025").is_none());
        assert!(ReportNumber::parse(&"9".repeat(41)).is_none());
    }

    #[test]
    fn kinds_accept_accents() {
        assert_eq!(
            ReportKind::parse("Périodique"),
            Some(ReportKind::Periodique)
        );
        assert_eq!(ReportKind::parse("autre"), None);
    }
}
