//! The reports list and downloads (RPT-1, RPT-2, RPT-4). Access is checked by
//! the query itself on every request.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{Layout, render};
use super::visitor::{Visitor, require_full_session};
use super::{AppState, WebError, see_other};
use crate::db::{AccessRecipient, ReportFile, ReportListItem, ReportQuery};
use crate::i18n::Tr;

/// Reports on one page of the list.
const PER_PAGE: u32 = 25;

/// Filters of the list, as typed in the URL.
#[derive(Deserialize)]
pub struct ListQuery {
    destinataire: Option<String>,
    annee: Option<String>,
    page: Option<String>,
}

/// One row as shown.
struct Row {
    item: ReportListItem,
    kind_label: String,
    period: String,
    published: String,
    available_until: String,
    size: String,
}

/// Texts every row repeats (column names, which a narrow screen shows in
/// each cell), looked up once per page rather than once per row.
struct Labels {
    select: String,
    number: String,
    recipient: String,
    period: String,
    kind: String,
    published: String,
    available_until: String,
    file: String,
    download: String,
    new: String,
}

impl Labels {
    fn new(tr: Tr) -> Self {
        Self {
            select: tr.t("reports-select"),
            number: tr.t("reports-number"),
            recipient: tr.t("reports-recipient"),
            period: tr.t("reports-period"),
            kind: tr.t("reports-kind"),
            published: tr.t("reports-published"),
            available_until: tr.t("reports-available-until"),
            file: tr.t("reports-file"),
            download: tr.t("reports-download"),
            new: tr.t("reports-new"),
        }
    }
}

/// The names of the three kinds of report, looked up once per page.
struct KindLabels {
    periodic: String,
    complementary: String,
    corrective: String,
}

impl KindLabels {
    fn new(tr: Tr) -> Self {
        Self {
            periodic: tr.t("report-kind-periodic"),
            complementary: tr.t("report-kind-complementary"),
            corrective: tr.t("report-kind-corrective"),
        }
    }

    fn of(&self, kind: &str) -> &str {
        match kind {
            "complementaire" => &self.complementary,
            "rectificatif" => &self.corrective,
            _ => &self.periodic,
        }
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    labels: Labels,
    rows: Vec<Row>,
    recipients: Vec<AccessRecipient>,
    years: Vec<i32>,
    recipient: Option<i64>,
    year: Option<i32>,
    page: u32,
    pages: u32,
    total: i64,
    retention_months: u32,
    max_files: u32,
}

impl ReportsPage {
    fn is_recipient(&self, id: &i64) -> bool {
        self.recipient == Some(*id)
    }

    fn is_year(&self, year: &i32) -> bool {
        self.year == Some(*year)
    }

    /// The archive of every report of the chosen recipient for the chosen
    /// year, with that year, when both filters are set.
    fn zip_all_link(&self) -> Option<(String, String)> {
        let (recipient, year) = (self.recipient?, self.year?);
        let link = format!("/rapports/archive?destinataire={recipient}&annee={year}&tout=1");
        Some((link, year.to_string()))
    }

    fn page_link(&self, page: u32) -> String {
        let mut link = format!("/rapports?page={page}");
        if let Some(r) = self.recipient {
            link.push_str(&format!("&destinataire={r}"));
        }
        if let Some(y) = self.year {
            link.push_str(&format!("&annee={y}"));
        }
        link
    }
}

/// "Dosimétrie": the reports in the account's access, newest first.
pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/rapports") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let filter = ReportQuery {
        recipient_id: number(query.destinataire.as_deref()),
        year: number(query.annee.as_deref()),
        page: number(query.page.as_deref())
            .filter(|p| *p >= 1)
            .unwrap_or(1),
        per_page: PER_PAGE,
    };
    let view = state
        .store
        .reports_view(session.account_id, &filter)
        .await?;
    let found = view.page;

    let pages = u32::try_from((found.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
        .unwrap_or(1)
        .max(1);
    let layout = Layout::new(&state, &visitor, "reports-title");
    let tr = layout.tr;
    let kinds = KindLabels::new(tr);
    let page = ReportsPage {
        layout,
        labels: Labels::new(tr),
        rows: found
            .items
            .into_iter()
            .map(|item| row(item, &state, tr, &kinds))
            .collect(),
        recipients: view.recipients,
        years: view.years,
        recipient: filter.recipient_id,
        year: filter.year,
        page: filter.page,
        pages,
        total: found.total,
        retention_months: state.config.retention_months,
        max_files: super::archive::MAX_FILES,
    };
    Ok(visitor.respond(render(&page)?))
}

fn number<T: std::str::FromStr>(text: Option<&str>) -> Option<T> {
    text.map(str::trim).filter(|t| !t.is_empty())?.parse().ok()
}

fn row(item: ReportListItem, state: &AppState, tr: Tr, kinds: &KindLabels) -> Row {
    let published = item
        .published_at
        .with_timezone(&state.config.timezone)
        .date_naive();
    Row {
        kind_label: kinds.of(&item.kind).to_owned(),
        period: format!(
            "{} – {}",
            short_date(tr, &item.period_start),
            short_date(tr, &item.period_end)
        ),
        published: tr.date_short(published),
        available_until: short_date(tr, &item.available_until),
        size: tr.size(u64::try_from(item.size).unwrap_or_default()),
        item,
    }
}

/// `2025-01-31` as the language writes it, in short.
fn short_date(tr: Tr, iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| tr.date_short(d))
}

/// Downloads one report: the stored PDF, whole or by ranges, with an ETag.
pub async fn download(
    State(state): State<AppState>,
    visitor: Visitor,
    method: Method,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let session = match require_full_session(&visitor, &format!("/rapports/{id}/telecharger")) {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let Some(file) = state.store.report_file(session.account_id, id).await? else {
        return Err(WebError::NotFound);
    };
    let etag = format!("\"{}\"", file.sha256);
    if if_none_match(&headers, &etag) {
        return Ok(with_file_headers(
            StatusCode::NOT_MODIFIED.into_response(),
            &file,
            &etag,
        ));
    }

    let size = u64::try_from(file.size).unwrap_or(0);
    let range = match requested_range(&headers, &etag, size) {
        Ok(range) => range,
        Err(()) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(with_file_headers(response, &file, &etag));
        }
    };
    let stream = state.files.stream(&file.sha256, range.clone()).await?;

    if range.is_none() && method == Method::GET {
        let now = state.clock.now();
        let (account_id, addr) = (session.account_id, visitor.client_addr.as_str());
        state
            .store
            .record_download(account_id, file.id, now, addr)
            .await?;
        tracing::info!(account_id, report_id = file.id, "report downloaded");
        state.metrics.download();
    }
    let mut response = Body::from_stream(stream).into_response();
    let length = match &range {
        Some(r) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let value = format!("bytes {}-{}/{size}", r.start, r.end - 1);
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            r.end - r.start
        }
        None => size,
    };
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    Ok(with_file_headers(response, &file, &etag))
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

/// The one byte range asked for, if any and if `If-Range` allows it.
fn requested_range(
    headers: &HeaderMap,
    etag: &str,
    size: u64,
) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    if !value.trim_start().starts_with("bytes=") {
        // A unit other than bytes is ignored, as RFC 9110 asks.
        return Ok(None);
    }
    let if_range = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok());
    if if_range.is_some_and(|tag| tag.trim() != etag) {
        return Ok(None);
    }
    let parsed = http_range_header::parse_range_header(value).map_err(|_| ())?;
    let ranges = parsed.validate(size).map_err(|_| ())?;
    match ranges.as_slice() {
        [one] => Ok(Some(*one.start()..*one.end() + 1)),
        // Several ranges would need a multipart answer: send the whole file.
        _ => Ok(None),
    }
}

fn with_file_headers(mut response: Response, file: &ReportFile, etag: &str) -> Response {
    let headers = response.headers_mut();
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = url::form_urlencoded::byte_serialize(file.file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let pairs = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::ETAG, etag.to_owned()),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
        (
            header::LAST_MODIFIED,
            file.published_at
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}
