//! Rows of two-step sign-in: an account's authenticator app, passkeys and
//! recovery codes, and the step in progress within a session.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::DbError;

/// The second factors of an account.
#[derive(Debug, Clone, Default)]
pub struct Factors {
    /// The authenticator app, if one is set up.
    pub totp: Option<TotpFactor>,
    /// The passkeys, oldest first.
    pub passkeys: Vec<PasskeyFactor>,
    /// Recovery codes not used yet.
    pub recovery_left: i64,
}

impl Factors {
    /// Whether signing in asks for a second factor.
    pub fn any(&self) -> bool {
        self.totp.is_some() || !self.passkeys.is_empty()
    }

    /// How many factors there are.
    pub fn count(&self) -> usize {
        usize::from(self.totp.is_some()) + self.passkeys.len()
    }
}

/// An authenticator app.
#[derive(Debug, Clone)]
pub struct TotpFactor {
    /// The shared secret, base32.
    pub secret: String,
    /// The last time step whose code was accepted.
    pub last_step: i64,
    /// When it was set up.
    pub created_at: DateTime<Utc>,
}

/// A passkey.
#[derive(Debug, Clone)]
pub struct PasskeyFactor {
    /// Row id.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// The verifier's record of it, JSON.
    pub passkey: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last signed in.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A factor to add.
#[derive(Debug, Clone)]
pub enum NewFactor {
    /// An authenticator app with its secret (base32).
    Totp {
        /// The shared secret.
        secret: String,
        /// The step of the code that proved it: it may not sign in.
        last_step: i64,
    },
    /// A passkey.
    Passkey {
        /// Its credential id, base64url: unique across accounts.
        credential_id: String,
        /// The name its owner gave it.
        name: String,
        /// The verifier's record of it, JSON.
        passkey: String,
    },
}

/// A factor to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorRef {
    /// The authenticator app.
    Totp,
    /// The passkey with this row id.
    Passkey(i64),
}

/// What a removal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The factor is gone.
    Removed,
    /// The account has no such factor.
    Unknown,
    /// It is the last one, which must stay: nothing changed.
    LastKept,
}

/// What changed in an account's two-step sign-in, as its email tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FactorChange {
    /// An authenticator app was set up.
    AppAdded,
    /// A passkey was added.
    PasskeyAdded {
        /// Its name.
        name: String,
    },
    /// The authenticator app was removed.
    AppRemoved,
    /// A passkey was removed.
    PasskeyRemoved {
        /// Its name.
        name: String,
    },
    /// New recovery codes replaced the old ones.
    CodesRenewed,
    /// A recovery code signed in.
    CodeUsed {
        /// Codes left.
        left: i64,
    },
    /// The lab's support removed every factor.
    AllRemoved,
}

/// Two-step sign-in's part of the storage.
#[async_trait]
pub trait FactorStore: Send + Sync {
    /// The factors of an account.
    async fn factors(&self, account_id: i64) -> Result<Factors, DbError>;
    /// Adds a factor and tells the account by email; `recovery` (hashes)
    /// replaces the recovery codes when given. False, changing nothing, if
    /// the account has an app already or the passkey is known.
    async fn add_factor(
        &self,
        account_id: i64,
        factor: &NewFactor,
        recovery: Option<&[String]>,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError>;
    /// Removes a factor and tells the account by email; the recovery codes
    /// go with the last factor, unless `keep_one` keeps it (checked in the
    /// same transaction, so that parallel removals cannot take them all).
    async fn remove_factor(
        &self,
        account_id: i64,
        which: FactorRef,
        keep_one: bool,
        now: DateTime<Utc>,
    ) -> Result<Removal, DbError>;
    /// Replaces the recovery codes (hashes) and tells the account.
    async fn replace_recovery_codes(
        &self,
        account_id: i64,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;
    /// Accepts the app's code of time step `step` unless a code of this
    /// step or a later one was accepted already.
    async fn accept_totp_step(&self, account_id: i64, step: i64) -> Result<bool, DbError>;
    /// Uses up a recovery code (its hash) and tells the account: the codes
    /// left, or None if it is not an unused code of the account.
    async fn use_recovery_code(
        &self,
        account_id: i64,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError>;
    /// Notes that a passkey signed in, with its updated record if any.
    async fn passkey_used(
        &self,
        account_id: i64,
        passkey_id: i64,
        passkey: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;
    /// Removes every factor and recovery code of an account (the lab's
    /// support, for someone who lost them all), ends its sessions and tells
    /// it. False if it had none.
    async fn remove_all_factors(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError>;

    /// The step in progress within a session.
    async fn session_pending(&self, id_hash: &str) -> Result<Option<String>, DbError>;
    /// Sets (or clears) the step in progress within a session.
    async fn set_session_pending(
        &self,
        id_hash: &str,
        pending: Option<&str>,
    ) -> Result<(), DbError>;
    /// Clears the step in progress if it is still `expected`: true for
    /// exactly one of several requests racing for it.
    async fn take_session_pending(&self, id_hash: &str, expected: &str) -> Result<bool, DbError>;
}
