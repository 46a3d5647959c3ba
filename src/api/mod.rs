//! The ingest API for the lab's systems (OPS-1): `POST /api/v1/batches`
//! takes a batch as `multipart/form-data`, streamed to a temporary folder,
//! and imports it exactly as `dosiport import` does. Requests carry an API
//! key (`Authorization: Bearer …`) and never a cookie, so a browser cannot
//! be made to send one. The OpenAPI document is `/api/v1/openapi.json`.

mod auth;
mod batches;
mod error;
mod upload;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::web::AppState;

pub use error::ApiError;
pub use upload::remove_stale_uploads;

/// The API's description, kept by hand beside its code.
const OPENAPI: &str = include_str!("openapi.json");

/// The API's routes, under `/api/v1`.
pub fn router(state: AppState) -> Router {
    // The batch's size is limited while it is read (`api_batch_limit_mib`).
    let api = Router::new()
        .route("/batches", post(batches::create))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::NotFound });
    Router::new()
        .nest("/api/v1", api)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// The OpenAPI document of this API.
async fn openapi() -> Response {
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )];
    (content_type, OPENAPI).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_is_json_naming_every_route() {
        let document: serde_json::Value = serde_json::from_str(super::OPENAPI).unwrap();
        assert_eq!(document["openapi"], "3.0.3");
        for path in [
            "/api/v1/batches",
            "/api/v1/openapi.json",
            "/healthz",
            "/readyz",
        ] {
            assert!(document["paths"][path].is_object(), "{path}");
        }
    }
}
