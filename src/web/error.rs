//! The web layer's one error type. Handlers return it; a middleware turns it
//! into a page in the portal's layout, so no error ever shows internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::HashError;
use crate::db::DbError;
use crate::storage::StorageError;

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page, or not one this visitor may see.
    #[error("not found")]
    NotFound,
    /// A form came without the portal's cookies.
    #[error("cookies required")]
    CookiesRequired,
    /// A form's anti-forgery token did not match.
    #[error("form expired")]
    FormExpired,
    /// The request cannot be understood.
    #[error("bad request")]
    BadRequest,
    /// A fault of ours; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Marker left on an error response for the layout middleware to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPage {
    /// 404.
    NotFound,
    /// CK-1.
    CookiesRequired,
    /// CSRF mismatch.
    FormExpired,
    /// 400.
    BadRequest,
    /// 500.
    Internal,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, page) = match &self {
            WebError::NotFound => (StatusCode::NOT_FOUND, ErrorPage::NotFound),
            WebError::CookiesRequired => (StatusCode::BAD_REQUEST, ErrorPage::CookiesRequired),
            WebError::FormExpired => (StatusCode::FORBIDDEN, ErrorPage::FormExpired),
            WebError::BadRequest => (StatusCode::BAD_REQUEST, ErrorPage::BadRequest),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorPage::Internal)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<HashError> for WebError {
    fn from(e: HashError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<StorageError> for WebError {
    fn from(e: StorageError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(e.to_string())
    }
}
