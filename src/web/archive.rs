//! Bulk download: the chosen reports, or all of one recipient for one year,
//! as one ZIP written while it is sent. Each file is read from storage only
//! when its turn comes and goes out through a small buffer, so memory stays
//! flat whatever the archive's size; each is recorded as downloaded.

use std::collections::BTreeSet;

use async_zip::tokio::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTime, ZipEntryBuilder};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{AsyncWriteExt, StreamExt};
use tokio::io::DuplexStream;
use tokio_util::io::ReaderStream;

use super::pages::{Layout, MessagePage, render};
use super::visitor::{Visitor, require_full_session};
use super::{AppState, WebError, see_other};
use crate::db::{ArchiveFile, ReportQuery};
use crate::domain::archive::{UniqueNames, entry_name, safe};
use crate::i18n::Tr;

/// Most reports in one archive: enough for years of a recipient's reports,
/// few enough that one request cannot keep a worker and the storage busy
/// for long.
pub const MAX_FILES: u32 = 200;

/// Bytes in flight between the ZIP writer and the response.
const BUFFER: usize = 64 * 1024;

/// What the visitor asked to download.
enum Selection {
    /// Reports ticked in the list.
    Chosen(BTreeSet<i64>),
    /// Every report of one recipient for one year.
    RecipientYear { recipient_id: i64, year: i32 },
}

/// `/rapports/archive`: the ZIP of the chosen reports.
pub async fn download(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/rapports") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let account_id = session.account_id;
    let selection = parse(query.as_deref().unwrap_or_default())?;

    let (ids, zip_name) = match &selection {
        Selection::Chosen(ids) => (ids.clone(), "rapports.zip".to_owned()),
        Selection::RecipientYear { recipient_id, year } => {
            let ids = recipient_year(&state, account_id, *recipient_id, *year).await?;
            (ids, format!("rapports_{year}.zip"))
        }
    };
    if ids.is_empty() {
        let texts = vec![Tr::new(visitor.lang).t("archive-none")];
        let page = refuse(&state, &visitor, texts)?;
        return Ok(visitor.respond(page));
    }
    if ids.len() > MAX_FILES as usize {
        let texts = vec![Tr::new(visitor.lang).t1("archive-too-many", "max", MAX_FILES)];
        let page = refuse(&state, &visitor, texts)?;
        return Ok(visitor.respond(page));
    }

    let ids: Vec<i64> = ids.into_iter().collect();
    let files = state.store.archive_files(account_id, &ids).await?;
    if files.len() != ids.len() {
        // One report out of the account's access spoils the whole request,
        // answered as an unknown one would be.
        return Err(WebError::NotFound);
    }
    let zip_name = match (&selection, files.first()) {
        (Selection::RecipientYear { .. }, Some(first)) => zip_name.replacen(
            "rapports_",
            &format!("rapports_{}_", safe(&first.recipient_code)),
            1,
        ),
        _ => zip_name,
    };
    tracing::info!(account_id, files = files.len(), "archive started");
    let body = stream(
        state.clone(),
        account_id,
        visitor.client_addr.clone(),
        files,
    );
    Ok(visitor.respond(zip_response(body, &zip_name)))
}

/// The selection in the query: `rapport=<id>` repeated, or
/// `destinataire=<id>&annee=<year>&tout=1`. An id that is not a number is
/// treated as an unknown report.
fn parse(query: &str) -> Result<Selection, WebError> {
    let mut chosen = BTreeSet::new();
    let (mut recipient, mut year, mut all) = (None, None, false);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "rapport" => {
                let id = value.parse().map_err(|_| WebError::NotFound)?;
                chosen.insert(id);
                if chosen.len() > MAX_FILES as usize {
                    break;
                }
            }
            "destinataire" => recipient = value.parse().ok(),
            "annee" => year = value.parse().ok(),
            "tout" => all = true,
            _ => {}
        }
    }
    match (all, recipient, year) {
        (true, Some(recipient_id), Some(year)) if chosen.is_empty() => {
            Ok(Selection::RecipientYear { recipient_id, year })
        }
        _ => Ok(Selection::Chosen(chosen)),
    }
}

/// The ids of a recipient's reports of a year, in the account's access; one
/// more than the maximum at most, to tell there are too many.
async fn recipient_year(
    state: &AppState,
    account_id: i64,
    recipient_id: i64,
    year: i32,
) -> Result<BTreeSet<i64>, WebError> {
    let query = ReportQuery {
        recipient_id: Some(recipient_id),
        year: Some(year),
        page: 1,
        per_page: MAX_FILES + 1,
    };
    let found = state.store.list_reports(account_id, &query).await?;
    Ok(found.items.iter().map(|item| item.id).collect())
}

/// A page saying why no archive comes, nothing changed.
fn refuse(state: &AppState, visitor: &Visitor, texts: Vec<String>) -> Result<Response, WebError> {
    let page = MessagePage::texts(
        Layout::new(state, visitor, "archive-title").into_error(),
        texts,
        Some(("archive-back", "/rapports")),
    )
    .problem();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The response body: what the writer task produces, then its failure if it
/// failed, so that a broken archive ends in a reset connection rather than
/// in what would look like a complete file.
fn stream(state: AppState, account_id: i64, client_addr: String, files: Vec<ArchiveFile>) -> Body {
    let (writer, reader) = tokio::io::duplex(BUFFER);
    let task = tokio::spawn(write(state, account_id, client_addr, files, writer));
    let outcome = futures::stream::once(async move {
        let failure = match task.await {
            Ok(Ok(())) => return None,
            Ok(Err(e)) => e,
            Err(e) => ArchiveError::Task(e.to_string()),
        };
        tracing::warn!(account_id, error = %failure, "archive cut short");
        Some(Err(std::io::Error::other(failure)))
    })
    .filter_map(futures::future::ready);
    Body::from_stream(ReaderStream::new(reader).chain(outcome))
}

/// Why an archive could not be finished.
#[derive(Debug, thiserror::Error)]
enum ArchiveError {
    #[error("zip: {0}")]
    Zip(#[from] async_zip::error::ZipError),
    #[error("storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("database: {0}")]
    Db(#[from] crate::db::DbError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("task: {0}")]
    Task(String),
}

/// Writes the archive, one stored (not deflated: PDFs hardly compress)
/// entry per report, each recorded as downloaded once its file is open.
async fn write(
    state: AppState,
    account_id: i64,
    client_addr: String,
    files: Vec<ArchiveFile>,
    out: DuplexStream,
) -> Result<(), ArchiveError> {
    let mut zip = ZipFileWriter::with_tokio(out);
    let mut names = UniqueNames::default();
    for entry in files {
        let file = &entry.file;
        let mut source = state.files.stream(&file.sha256, None).await?;
        let now = state.clock.now();
        state
            .store
            .record_download(account_id, file.id, now, &client_addr)
            .await?;
        tracing::info!(account_id, report_id = file.id, "report downloaded");

        let name = names.give(entry_name(
            &file.number,
            &entry.recipient_code,
            &entry.period_start,
            &entry.period_end,
        ));
        let published = file.published_at.with_timezone(&state.config.timezone);
        let local = published.naive_local().and_utc();
        let header = ZipEntryBuilder::new(name.into(), Compression::Stored)
            .last_modification_date(ZipDateTime::from_chrono(&local))
            .unix_permissions(0o644);
        let mut writer = zip.write_entry_stream(header).await?;
        while let Some(chunk) = source.next().await {
            writer.write_all(&chunk?).await?;
        }
        writer.close().await?;
    }
    zip.close().await?;
    Ok(())
}

fn zip_response(body: Body, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    let disposition = format!("attachment; filename=\"{}\"", safe(name));
    let pairs = [
        (header::CONTENT_TYPE, "application/zip".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}
