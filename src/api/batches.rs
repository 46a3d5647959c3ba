//! `POST /api/v1/batches`: a batch received, then imported by the very
//! path `dosiport import` takes: same checks, same atomic commit, the same
//! batch twice changes nothing.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ApiError;
use super::auth::IngestKey;
use super::upload;
use crate::db::AuditEvent;
use crate::import::commit::{ImportError, Imported, import_from};
use crate::import::progress::Silent;
use crate::web::AppState;
use crate::web::visitor::preferred_lang;

/// What an accepted batch came to.
#[derive(Debug, Serialize)]
struct Accepted {
    /// `published`, or `nothing_new` when every report was there already.
    status: &'static str,
    /// The batch's id, when one was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    batch_id: Option<i64>,
    /// Reports added.
    reports_added: usize,
    /// Reports of the batch already published, identical.
    #[serde(skip_serializing_if = "Option::is_none")]
    reports_unchanged: Option<usize>,
    /// New recipients, each invited.
    recipients_invited: usize,
    /// Accounts told of new reports.
    accounts_to_notify: usize,
}

/// Receives and imports a batch.
pub async fn create(
    State(state): State<AppState>,
    key: IngestKey,
    request: Request,
) -> Result<Response, ApiError> {
    let lang = preferred_lang(request.headers());
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(ApiError::UnsupportedMediaType);
    }

    let uploads = state.config.data_dir.join("uploads");
    let limit_mib = state.config.api_batch_limit_mib;
    let body = request.into_body();
    let upload = upload::receive(&content_type, body, &uploads, limit_mib).await?;
    let source = format!("api:{}", key.name);
    let target = crate::app::import_target(&state);
    let result = import_from(&upload.manifest, &source, &target, &Silent).await;
    // Deleting a large batch takes a while: not on an async thread.
    let _ = tokio::task::spawn_blocking(move || drop(upload)).await;

    match result {
        Ok(Imported::Published(summary)) => {
            state.mail_wake.notify_one();
            tracing::info!(
                key = %key.name,
                batch_id = summary.batch_id,
                reports = summary.reports,
                "batch imported through the API"
            );
            let detail = format!(
                "by API key {}: {} reports, {} recipients invited, {} accounts to notify",
                key.name, summary.reports, summary.recipients_created, summary.accounts_notified
            );
            let audit = AuditEvent {
                at: state.clock.now(),
                account_id: None,
                recipient_id: None,
                event: "batch_imported",
                detail,
                client_addr: Some(key.client_addr),
            };
            state.store.audit(&audit).await?;
            let body = Accepted {
                status: "published",
                batch_id: Some(summary.batch_id),
                reports_added: summary.reports,
                reports_unchanged: Some(summary.unchanged),
                recipients_invited: summary.recipients_created,
                accounts_to_notify: summary.accounts_notified,
            };
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        Ok(Imported::NothingNew) => {
            let body = Accepted {
                status: "nothing_new",
                batch_id: None,
                reports_added: 0,
                reports_unchanged: None,
                recipients_invited: 0,
                accounts_to_notify: 0,
            };
            Ok((StatusCode::OK, Json(body)).into_response())
        }
        Err(ImportError::Refused(problems)) => {
            let problems_found = problems.len();
            tracing::info!(key = %key.name, problems_found, "batch refused through the API");
            Err(ApiError::Refused { problems, lang })
        }
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}
