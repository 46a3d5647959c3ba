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

/// Addresses typed at the email step of one recipient's registration: the
/// step tells whether an address has an account (REG-3), so whoever holds
/// codes must not turn it into a directory of the portal's accounts.
pub const EMAILS_PER_RECIPIENT: Limit = Limit {
    name: "emails-recipient",
    max: 10,
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

/// Counts one attempt against each limit in turn; the end of the block if
/// one is exceeded (the later limits are then not counted, so that a
/// blocked attempt costs nothing to the next key).
pub async fn attempt(
    state: &AppState,
    checks: &[(Limit, &str)],
) -> Result<Option<DateTime<Utc>>, WebError> {
    let now = state.clock.now();
    for (limit, value) in checks {
        let hits = state
            .store
            .throttle_hit(&key(*limit, value), now, limit.window_secs)
            .await?;
        if hits.count > limit.max {
            tracing::warn!(limit = limit.name, "attempts throttled");
            state.metrics.throttled(limit.name);
            return Ok(Some(hits.until));
        }
    }
    Ok(None)
}

/// After a success: forgets the attempts of the first keys (the account or
/// the report number), and gives back the one counted against the others
/// (the client address), since only failures should count.
pub async fn succeeded(
    state: &AppState,
    forget: &[(Limit, &str)],
    give_back: &[(Limit, &str)],
) -> Result<(), WebError> {
    for (limit, value) in forget {
        state.store.throttle_clear(&key(*limit, value)).await?;
    }
    for (limit, value) in give_back {
        state.store.throttle_give_back(&key(*limit, value)).await?;
    }
    Ok(())
}

/// The key of a limit for one value. Client addresses in IPv6 count by
/// their /64 network, as one attacker holds a whole one.
fn key(limit: Limit, value: &str) -> String {
    let value = match value.parse::<std::net::Ipv6Addr>() {
        Ok(ip) if ip.to_ipv4_mapped().is_none() => {
            let s = ip.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        // Typed values may hold anything: no control character (PostgreSQL
        // refuses NUL in text) and a bounded length.
        _ => value
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect(),
    };
    format!("{}:{value}", limit.name)
}

/// Whole minutes from now until `until`, at least one.
pub fn minutes_until(state: &AppState, until: DateTime<Utc>) -> i64 {
    let seconds = (until - state.clock.now()).num_seconds();
    ((seconds + 59) / 60).max(1)
}
