//! The API's one error type: a status and a JSON body `{error, message}`,
//! with the problems of a refused batch. Internals are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db::DbError;
use crate::domain::Lang;
use crate::import::Problem;
use crate::web::WebError;

/// What went wrong with an API request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No key, a key of the wrong shape, an unknown or a revoked key.
    #[error("unauthorized")]
    Unauthorized,
    /// A valid key whose scope does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// Too many refused keys from this address.
    #[error("throttled")]
    Throttled {
        /// Seconds until the next attempt may succeed.
        retry_after: i64,
    },
    /// Not a request this API understands.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The body is not `multipart/form-data`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The client stopped sending the batch.
    #[error("request timeout")]
    TimedOut,
    /// The batch is larger than allowed.
    #[error("payload too large")]
    TooLarge {
        /// The limit, in MiB.
        limit_mib: u64,
    },
    /// The batch was read and refused: nothing was imported.
    #[error("batch refused")]
    Refused {
        /// Every problem found.
        problems: Vec<Problem>,
        /// The language of their messages.
        lang: Lang,
    },
    /// No such route.
    #[error("not found")]
    NotFound,
    /// A fault of ours; logged, never detailed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One problem of a refused batch, for programs.
#[derive(Debug, Serialize)]
struct ProblemBody {
    row: Option<usize>,
    line: Option<usize>,
    field: Option<&'static str>,
    code: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<Vec<ProblemBody>>,
}

impl ApiError {
    /// The status, the stable code and the sentence of an error.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "A valid API key is required: `Authorization: Bearer <key>`.".to_owned(),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "This API key may not import batches.".to_owned(),
            ),
            ApiError::Throttled { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                format!("Too many refused keys from this address; try again in {retry_after} s."),
            ),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the batch as multipart/form-data.".to_owned(),
            ),
            ApiError::TimedOut => (
                StatusCode::REQUEST_TIMEOUT,
                "timed_out",
                "The batch stopped arriving; send it again.".to_owned(),
            ),
            ApiError::TooLarge { limit_mib } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("The batch is larger than {limit_mib} MiB; split it."),
            ),
            ApiError::Refused { problems, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "batch_refused",
                format!(
                    "Batch refused, nothing was imported ({} problem(s)).",
                    problems.len()
                ),
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such API route.".to_owned(),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The portal could not finish; nothing was imported. Try again later."
                        .to_owned(),
                )
            }
        }
    }

    /// The problems of a refused batch, in the client's language.
    fn problems(&self) -> Option<Vec<ProblemBody>> {
        let ApiError::Refused { problems, lang } = self else {
            return None;
        };
        let bodies = problems
            .iter()
            .map(|p| ProblemBody {
                row: p.row,
                line: p.line,
                field: p.field,
                code: p.code(),
                message: p.message(*lang),
            })
            .collect();
        Some(bodies)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = self.parts();
        let body = ErrorBody {
            error,
            message,
            problems: self.problems(),
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Throttled { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            }
            _ => {}
        }
        response
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}
