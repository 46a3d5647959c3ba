//! Health checks and metrics (OPS-4): `/healthz` says the process answers,
//! `/readyz` that the database and the report storage do too, `/metrics`
//! gives the Prometheus text format on the metrics address only.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::AppState;
use crate::metrics::CONTENT_TYPE;

/// Longest wait for the database or the storage before saying not ready.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// The health checks, on the portal's address (for a load balancer).
pub fn probes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// The metrics and the health checks, on the metrics address.
pub fn monitoring(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state.clone())
        .merge(probes(state))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// The process is up and answers.
async fn healthz() -> Response {
    no_store(Json(Health { status: "ok" }).into_response())
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    database: &'static str,
    storage: &'static str,
}

/// The process can serve: its database and its storage answer.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = tokio::time::timeout(CHECK_TIMEOUT, state.store.ping()).await;
    let database = match database {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "unreachable"
        }
        Err(_) => "timeout",
    };
    let storage = match tokio::time::timeout(CHECK_TIMEOUT, state.files.check()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: storage unreachable");
            "unreachable"
        }
        Err(_) => "timeout",
    };
    let ready = database == "ok" && storage == "ok";
    let (status, word) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    };
    let body = Readiness {
        status: word,
        database,
        storage,
    };
    no_store((status, Json(body)).into_response())
}

/// Every metric, in the Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    match state.metrics.render(state.store.as_ref(), now).await {
        Ok(text) => {
            let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))];
            no_store((content_type, text).into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be written");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
