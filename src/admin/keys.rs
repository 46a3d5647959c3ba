//! `admin api-key …`: keys of the lab's systems for the ingest API. A key
//! is shown once, when made; only its hash is stored.

use std::fmt::Write;

use super::text::time;
use super::{Outcome, Status};
use crate::app::App;
use crate::db::{DbError, KeyRevocation, NewApiKey, SCOPE_INGEST};
use crate::domain::secret::ApiKey;

/// Longest key name.
const MAX_NAME: usize = 64;

/// Whether a name can name a key: short, and plain enough for any log.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// `admin api-key create`.
pub(super) async fn create(app: &App, name: &str, actor: &str) -> Result<Outcome, DbError> {
    if !valid_name(name) {
        let message = format!(
            "{name:?} cannot name a key: use 1 to {MAX_NAME} letters, digits, '-', '_' or '.'."
        );
        return Ok(Outcome::failed(Status::Refused, "invalid_name", message));
    }
    let key = ApiKey::generate();
    let new = NewApiKey {
        name: name.to_owned(),
        hash: key.hash(),
        scope: SCOPE_INGEST,
        now: app.state.clock.now(),
        actor: actor.to_owned(),
    };
    let Some(info) = app.state.store.create_api_key(&new).await? else {
        let message =
            format!("A live key is already named {name}: revoke it first, or choose another name.");
        return Ok(Outcome::failed(Status::Refused, "name_taken", message));
    };
    tracing::info!(key_id = info.id, name = %info.name, "API key created");

    let secret = key.expose();
    let out = format!(
        "API key {} created (scope {}). It is shown only now: put it in the secrets of the \
         system that imports, which sends it as `Authorization: Bearer <key>`.\n\n{secret}\n",
        info.name, info.scope
    );
    let json = serde_json::json!({ "key": secret, "info": info });
    Ok(Outcome::done(out, json))
}

/// `admin api-key list`.
pub(super) async fn list(app: &App) -> Result<Outcome, DbError> {
    let keys = app.state.store.api_keys().await?;
    let mut out = format!("API keys ({}):\n", keys.len());
    for k in &keys {
        let used = k.last_used_at.map_or_else(
            || "never used".to_owned(),
            |at| format!("last used {}", time(app, at)),
        );
        let state = k.revoked_at.map_or_else(
            || "live".to_owned(),
            |at| format!("revoked {}", time(app, at)),
        );
        let _ = writeln!(
            out,
            "  {}  scope {}  created {}  {used}  {state}",
            k.name,
            k.scope,
            time(app, k.created_at)
        );
    }
    Ok(Outcome::done(out, serde_json::json!({ "keys": keys })))
}

/// `admin api-key revoke`.
pub(super) async fn revoke(app: &App, name: &str, actor: &str) -> Result<Outcome, DbError> {
    let now = app.state.clock.now();
    match app.state.store.revoke_api_key(name, now, actor).await? {
        KeyRevocation::Revoked(info) => {
            tracing::info!(key_id = info.id, name = %info.name, "API key revoked");
            let out = format!(
                "API key {} revoked: it is refused from now on.\n",
                info.name
            );
            Ok(Outcome::done(
                out,
                serde_json::json!({ "revoked": true, "info": info }),
            ))
        }
        KeyRevocation::AlreadyRevoked => {
            let out = format!("API key {name} was already revoked: nothing to do.\n");
            Ok(Outcome::done(out, serde_json::json!({ "revoked": false })))
        }
        KeyRevocation::Unknown => Ok(Outcome::failed(
            Status::NotFound,
            "unknown_key",
            format!("No API key is named {name:?}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_plain_and_short() {
        assert!(valid_name("erp-export_2.0"));
        assert!(!valid_name(""));
        assert!(!valid_name("with space"));
        assert!(!valid_name("line\nbreak"));
        assert!(!valid_name(&"x".repeat(MAX_NAME + 1)));
    }
}
