//! API keys: `Authorization: Bearer <key>`, looked up by hash. Refused keys
//! are counted per client address, as failed sign-ins are.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::ApiError;
use crate::db::SCOPE_INGEST;
use crate::domain::secret::ApiKey;
use crate::web::AppState;
use crate::web::throttle::{self, Limit};
use crate::web::visitor::client_address;

/// Refused keys from one client address.
const KEYS_PER_ADDRESS: Limit = Limit {
    name: "api-key-address",
    max: 30,
    window_secs: 15 * 60,
};

/// A request made with a live key allowed to import.
#[derive(Debug, Clone)]
pub struct IngestKey {
    /// The key's name, for the record.
    pub name: String,
    /// Where the request came from.
    pub client_addr: String,
}

impl FromRequestParts<AppState> for IngestKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client_addr = client_address(parts, state.config.trust_forwarded_for);
        let counted = [(KEYS_PER_ADDRESS, client_addr.as_str())];
        if let Some(until) = throttle::attempt(state, &counted).await? {
            let retry_after = (until - state.clock.now()).num_seconds();
            return Err(ApiError::Throttled { retry_after });
        }

        let now = state.clock.now();
        let found = match bearer(parts).and_then(ApiKey::from_received) {
            Some(key) => state.store.use_api_key(&key.hash(), now).await?,
            None => None,
        };
        let Some(key) = found else {
            tracing::warn!("API key refused");
            return Err(ApiError::Unauthorized);
        };
        throttle::succeeded(state, &[], &counted).await?;
        if key.scope != SCOPE_INGEST {
            return Err(ApiError::Forbidden);
        }
        Ok(Self {
            name: key.name,
            client_addr,
        })
    }
}

/// The credentials of `Authorization: Bearer <credentials>`.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}
