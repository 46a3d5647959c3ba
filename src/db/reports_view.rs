//! Everything the reports list shows, read by one statement: the page of
//! reports, their count, and the recipients and years of the filters.
//!
//! The list is the page people load most. Each statement costs a round
//! trip (to PostgreSQL, or to the thread that runs a SQLite connection), so
//! the backends build the three lists as JSON arrays inside one statement;
//! this module reads those arrays back.

use chrono::DateTime;
use serde::de::DeserializeOwned;

use super::{AccessRecipient, DbError, ReportListItem, ReportPage};

/// The reports list's page with the choices of its filters.
#[derive(Debug, Clone)]
pub struct ReportsView {
    /// The rows of the page and how many match the filters.
    pub page: ReportPage,
    /// Recipients in the account's access, by name.
    pub recipients: Vec<AccessRecipient>,
    /// Years of the reports in the account's access, newest first.
    pub years: Vec<i32>,
}

/// A row of the page as the statement writes it: id, number, recipient's
/// name and code, period start and end, kind, issue date, publication time
/// (seconds), last day, size, and 1 when not yet downloaded.
type JsonItem = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
);

/// A recipient as the statement writes it: id, code, name, 1 when owned.
type JsonRecipient = (i64, String, String, i64);

impl ReportsView {
    /// Reads the count and the three JSON arrays of the statement.
    pub(crate) fn from_json(
        total: i64,
        items: &str,
        recipients: &str,
        years: &str,
    ) -> Result<Self, DbError> {
        let items = parse::<Vec<JsonItem>>(items)?
            .into_iter()
            .map(item)
            .collect::<Result<_, _>>()?;
        let recipients = parse::<Vec<JsonRecipient>>(recipients)?
            .into_iter()
            .map(|(id, code, name, owned)| AccessRecipient {
                id,
                code,
                name,
                owned: owned == 1,
            })
            .collect();
        let years = parse::<Vec<String>>(years)?
            .iter()
            .filter_map(|y| y.parse().ok())
            .collect();
        Ok(Self {
            page: ReportPage { items, total },
            recipients,
            years,
        })
    }
}

fn item(row: JsonItem) -> Result<ReportListItem, DbError> {
    let (id, number, name, code, start, end, kind, issued_on, published, until, size, new) = row;
    let published_at = DateTime::from_timestamp(published, 0)
        .ok_or_else(|| DbError::Corrupt(format!("timestamp {published}")))?;
    Ok(ReportListItem {
        id,
        number,
        recipient_name: name,
        recipient_code: code,
        period_start: start,
        period_end: end,
        kind,
        issued_on,
        published_at,
        available_until: until,
        size,
        is_new: new == 1,
    })
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, DbError> {
    serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("reports list: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_the_three_arrays() {
        let items = r#"[[7,"RDC-1","Clinique","C1","2026-01-01","2026-01-31",
                        "periodique","2026-02-03",1772704800,"2028-02-03",12000,1]]"#;
        let recipients = r#"[[3,"C1","Clinique",1],[4,"C2","Dentiste",0]]"#;

        let view = ReportsView::from_json(41, items, recipients, r#"["2026","2025"]"#).unwrap();

        assert_eq!(view.page.total, 41);
        let item = &view.page.items[0];
        assert_eq!(
            (item.id, item.number.as_str(), item.is_new),
            (7, "RDC-1", true)
        );
        assert_eq!(item.published_at.timestamp(), 1_772_704_800);
        let owned: Vec<bool> = view.recipients.iter().map(|r| r.owned).collect();
        assert_eq!(owned, [true, false]);
        assert_eq!(view.years, [2026, 2025]);
    }

    #[test]
    fn empty_arrays_are_an_empty_page() {
        let view = ReportsView::from_json(0, "[]", "[]", "[]").unwrap();
        assert!(view.page.items.is_empty() && view.recipients.is_empty() && view.years.is_empty());
    }

    #[test]
    fn a_malformed_array_is_corrupt_not_a_panic() {
        let result = ReportsView::from_json(1, "[[1]]", "[]", "[]");
        assert!(matches!(result, Err(DbError::Corrupt(_))), "{result:?}");
    }
}
