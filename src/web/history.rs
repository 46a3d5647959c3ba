//! "Mon compte" › access history: for an owner, who (the owner or which
//! delegate) downloaded which report of its recipients and when, as a page
//! and as a CSV file. Delegates see none of it, and no one sees downloads
//! of recipients they do not own: the query is scoped by ownership.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{Layout, render};
use super::visitor::{Visitor, require_full_session};
use super::{AppState, WebError, see_other};
use crate::db::{HistoryEntry, HistoryQuery, SessionInfo};
use crate::i18n::Tr;

/// Downloads on one page of the history.
const PER_PAGE: i64 = 25;

/// Rows read at once while writing the CSV file.
const CSV_BATCH: i64 = 500;

/// The page asked for, as typed in the URL.
#[derive(Deserialize)]
pub struct HistoryParams {
    page: Option<String>,
}

/// One download as shown.
struct Row {
    entry: HistoryEntry,
    when: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    total: i64,
}

/// `/compte/historique`: a page of the history, newest first.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<HistoryParams>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/historique") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    require_owner(&state, session).await?;
    let page = params
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let query = HistoryQuery {
        before_id: None,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let found = state
        .store
        .download_history(session.account_id, &query)
        .await?;

    let layout = Layout::new(&state, &visitor, "history-title");
    let tr = layout.tr;
    let rows = found
        .items
        .into_iter()
        .map(|entry| Row {
            when: when(&state, tr, &entry),
            entry,
        })
        .collect();
    let view = HistoryPage {
        layout,
        rows,
        page,
        pages: ((found.total + PER_PAGE - 1) / PER_PAGE).max(1),
        total: found.total,
    };
    Ok(visitor.respond(render(&view)?))
}

/// Only an owner has a history; anyone else is answered as if the page did
/// not exist.
async fn require_owner(state: &AppState, session: &SessionInfo) -> Result<(), WebError> {
    let recipients = state.store.access_recipients(session.account_id).await?;
    if recipients.iter().any(|r| r.owned) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// When, in the lab's timezone and the viewer's language.
fn when(state: &AppState, tr: Tr, entry: &HistoryEntry) -> String {
    let local = entry.at.with_timezone(&state.config.timezone);
    let date = tr.date_short(local.date_naive());
    let time = local.format("%H:%M").to_string();
    tr.t2(
        "history-at",
        ("date", date.as_str()),
        ("time", time.as_str()),
    )
}

/// `/compte/historique.csv`: the whole history as a spreadsheet reads it.
pub async fn csv(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/historique") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    require_owner(&state, session).await?;
    let tr = Tr::new(visitor.lang);

    // Limitation: the file is built in memory before it is sent. Downloads
    // are purged with their reports, so a history stays small; a lab with
    // very active owners would want it streamed instead.
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = [
        "history-col-when",
        "history-col-who",
        "history-col-role",
        "history-col-number",
        "history-col-code",
        "history-col-recipient",
    ];
    write_row(&mut out, header.iter().map(|id| tr.t(id)))?;
    let mut before_id = None;
    loop {
        let query = HistoryQuery {
            before_id,
            offset: 0,
            limit: CSV_BATCH,
        };
        let found = state
            .store
            .download_history(session.account_id, &query)
            .await?;
        for entry in &found.items {
            write_row(&mut out, csv_cells(&state, tr, entry))?;
        }
        match found.items.last() {
            Some(last) if found.items.len() as i64 == CSV_BATCH => before_id = Some(last.id),
            _ => break,
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(visitor.respond(csv_response(bytes, &tr.t("history-csv-name"))))
}

fn csv_cells(state: &AppState, tr: Tr, entry: &HistoryEntry) -> Vec<String> {
    let local = entry.at.with_timezone(&state.config.timezone);
    let role = if entry.by_owner {
        "history-role-owner"
    } else {
        "history-role-delegate"
    };
    vec![
        local.format("%Y-%m-%d %H:%M").to_string(),
        entry.email.clone(),
        tr.t(role),
        entry.report_number.clone(),
        entry.recipient_code.clone(),
        entry.recipient_name.clone(),
    ]
}

fn write_row(
    out: &mut csv::Writer<Vec<u8>>,
    cells: impl IntoIterator<Item = String>,
) -> Result<(), WebError> {
    let cells: Vec<String> = cells.into_iter().map(|c| neutralise(&c)).collect();
    out.write_record(&cells)
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return first) gets a leading apostrophe, so that it is
/// shown as the text it is and never evaluated.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn csv_response(bytes: Vec<u8>, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let pairs = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_leading_cells_are_shown_as_text() {
        for cell in ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["RDC-2025-001001", "a=b", "", "2026-12-01 09:00", "'quoted"] {
            assert_eq!(neutralise(cell), cell);
        }
    }
}
