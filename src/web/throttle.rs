//! Limits on failed attempts (REG-2, LOGIN-1), counted in the database so
//! that every instance and every parallel request shares one count. An
//! attempt is counted before it is checked, so parallel requests can never
//! check more than the limit allows.

use chrono::{DateTime, Utc};

use super::{AppState, WebError};

/// A limit: at most `max` attempts per key in a window of `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Prefix of the keys, naming what is counted.
    pub name: &'static str,
    /// Attempts allowed in one window.
    pub max: i64,
    /// Length of the window.
    pub window_secs: i64,
}

/// Registration codes tried from one client address.
pub const CODES_PER_ADDRESS: Limit = Limit {
    name: "codes-address",
    max: 20,
    window_secs: 15 * 60,
};

/// Codes tried against one report number, from anywhere.
pub const CODES_PER_REPORT: Limit = Limit {
    name: "codes-report",
    max: 5,
    window_secs: 15 * 60,
};

/// Confirmation emails sent for one recipient: each goes to an address
/// someone typed, so they must not become a way to send mail to anyone.
pub const CONFIRMATIONS_PER_RECIPIENT: Limit = Limit {
    name: "confirmations-recipient",
    max: 5,
    window_secs: 60 * 60,
};

/// Reset links asked from one client address.
pub const RESETS_PER_ADDRESS: Limit = Limit {
    name: "resets-address",
    max: 20,
    window_secs: 15 * 60,
};

/// Reset links asked for one email.
pub const RESETS_PER_ACCOUNT: Limit = Limit {
    name: "resets-account",
    max: 5,
    window_secs: 60 * 60,
};

/// Sign-ins tried from one client address.
pub const SIGNIN_PER_ADDRESS: Limit = Limit {
    name: "signin-address",
    max: 30,
    window_secs: 15 * 60,
};

/// Sign-ins tried for one email, known or not.
pub const SIGNIN_PER_ACCOUNT: Limit = Limit {
    name: "signin-account",
    max: 10,
    window_secs: 15 * 60,
};

/// Counts one attempt against every limit; the end of the longest block if
/// any limit is exceeded.
pub async fn attempt(
    state: &AppState,
    checks: &[(Limit, &str)],
) -> Result<Option<DateTime<Utc>>, WebError> {
    let now = state.clock.now();
    let mut blocked_until = None;
    for (limit, value) in checks {
        let key = format!("{}:{value}", limit.name);
        let hits = state
            .store
            .throttle_hit(&key, now, limit.window_secs)
            .await?;
        if hits.count > limit.max {
            blocked_until = blocked_until.max(Some(hits.until));
        }
    }
    if blocked_until.is_some() {
        tracing::warn!(limits = ?checks.iter().map(|(l, _)| l.name).collect::<Vec<_>>(), "attempts throttled");
    }
    Ok(blocked_until)
}

/// Forgets the attempts of a key after a success.
pub async fn clear(state: &AppState, limit: Limit, value: &str) -> Result<(), WebError> {
    let key = format!("{}:{value}", limit.name);
    Ok(state.store.throttle_clear(&key).await?)
}

/// Whole minutes from now until `until`, at least one.
pub fn minutes_until(state: &AppState, until: DateTime<Utc>) -> i64 {
    let seconds = (until - state.clock.now()).num_seconds();
    ((seconds + 59) / 60).max(1)
}
