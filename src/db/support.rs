//! Rows the lab's support commands, the ingest API and monitoring read and
//! change, beside those of the portal's own pages.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::NewCode;

/// Most rows a search or a listing returns.
pub const LIST_LIMIT: i64 = 200;

/// What support typed to find someone: part of an email or a name, a
/// recipient code or a report number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// Upper-case form, compared whole with codes and report numbers.
    pub exact: String,
    /// `LIKE` pattern (lower case, `\` escapes) matching emails and names
    /// that contain the term.
    pub pattern: String,
}

impl SearchTerm {
    /// The term as typed; `None` if it holds nothing to search.
    pub fn new(typed: &str) -> Option<Self> {
        let typed = typed.trim();
        if typed.is_empty() || typed.chars().any(char::is_control) {
            return None;
        }
        let mut pattern = String::from("%");
        for c in typed.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        Some(Self {
            exact: typed.to_uppercase(),
            pattern,
        })
    }
}

/// An account, as support lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// Row id.
    pub id: i64,
    /// Login.
    pub email: String,
    /// Whether a password was ever set.
    pub has_password: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A recipient, as support lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientSummary {
    /// Row id.
    pub id: i64,
    /// The lab's code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Contact address of the manifest (receives invitations).
    pub contact_email: String,
    /// Login of its owner, once registered.
    pub owner_email: Option<String>,
    /// Reports published for it.
    pub reports: i64,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Accounts whose login matches, or owning a recipient that matches.
    pub accounts: Vec<AccountSummary>,
    /// Recipients whose code, report, name, contact or owner matches.
    pub recipients: Vec<RecipientSummary>,
}

/// A registration confirmation link not used yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingConfirmation {
    /// The address it was sent to.
    pub email: String,
    /// When.
    pub sent_at: DateTime<Utc>,
    /// When it dies.
    pub expires_at: DateTime<Utc>,
}

/// A recipient with what support needs to say where its registration is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientRecord {
    /// Its summary.
    #[serde(flatten)]
    pub summary: RecipientSummary,
    /// When the first batch naming it was imported.
    pub created_at: DateTime<Utc>,
    /// Its owner's account, once registered.
    pub owner_account_id: Option<i64>,
    /// When the owner registered.
    pub owned_at: Option<DateTime<Utc>>,
    /// Confirmation links sent and still usable.
    pub pending: Vec<PendingConfirmation>,
    /// Its newest report (the one a new invitation names).
    pub latest_report: Option<String>,
    /// The invitations queued for it, oldest first.
    pub invitations: Vec<OutboxEntry>,
}

/// An account with its activity, for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRecord {
    /// Its summary.
    #[serde(flatten)]
    pub summary: AccountSummary,
    /// Language of its emails.
    pub lang: String,
    /// Sessions open now.
    pub live_sessions: i64,
    /// Reports downloaded, all time.
    pub downloads: i64,
}

/// Whose audit trail to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditSubject {
    /// Entries about an account.
    Account(i64),
    /// Entries about a recipient.
    Recipient(i64),
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The account concerned.
    pub account_id: Option<i64>,
    /// The recipient concerned.
    pub recipient_id: Option<i64>,
    /// What happened.
    pub event: String,
    /// Details (never a secret).
    pub detail: String,
    /// Where from, for what people did on the portal.
    pub client_addr: Option<String>,
}

/// An email of the outbox, without its content (which may hold a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// Which email (`invite`, `reset_password`…).
    pub kind: String,
    /// Its address.
    pub to: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next, unless sent or given up.
    pub next_attempt_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it left.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was given up (the relay refused it for good).
    pub failed_at: Option<DateTime<Utc>>,
}

/// Which emails to send again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetrySelection {
    /// These, if not sent yet.
    Ids(Vec<i64>),
    /// Every email given up, or still unsent after a failure or since
    /// before `stuck_before`.
    AllProblems {
        /// Unsent emails queued before this are stuck.
        stuck_before: DateTime<Utc>,
    },
}

/// The outbox at a glance, for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Emails waiting to leave.
    pub pending: i64,
    /// When the oldest of them was queued.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Emails given up.
    pub failed: i64,
}

/// Replacing a recipient's security code.
#[derive(Debug, Clone)]
pub struct CodeReplacement {
    /// The recipient.
    pub recipient_id: i64,
    /// The new code.
    pub code: NewCode,
    /// Whether to email an invitation holding the new code to the
    /// recipient's contact address.
    pub invite: Invite,
    /// Whether registrations begun with the old code end too: their drafts
    /// and their unused confirmation links.
    pub end_registrations: bool,
    /// Now.
    pub now: DateTime<Utc>,
    /// The audit event (`invitation_resent`, `security_code_rotated`).
    pub event: &'static str,
    /// Who asked, for the audit trail.
    pub actor: String,
}

/// Whether a new security code goes out in an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invite {
    /// Never: the code is only replaced.
    No,
    /// Always: refused for a recipient that has an owner or no report.
    Required,
    /// If the recipient has no owner yet (and a report to name).
    IfNoOwner,
}

/// What replacing a security code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The old code is dead.
    Replaced {
        /// Where the invitation with the new code goes, if one was queued.
        invited: Option<String>,
        /// Unused confirmation links that died with the old code.
        links_ended: u64,
    },
    /// An invitation was asked for a recipient that has an owner: nothing
    /// changed.
    Owned {
        /// The owner's login.
        owner_email: String,
    },
    /// An invitation was asked for a recipient whose reports are all gone
    /// (it would name no report number): nothing changed.
    NoReport,
    /// No such recipient.
    NotFound,
}

/// What revoking an account's access did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Revoked {
    /// Codes of the recipients it owned, now without owner and with a new
    /// security code.
    pub released: Vec<String>,
    /// Delegations ended, given to it or by it.
    pub delegations_ended: u64,
    /// Delegate invitations it had sent, withdrawn.
    pub invitations_withdrawn: u64,
    /// Its sessions, ended.
    pub sessions_ended: u64,
    /// Its unused reset, first-connection and email-change links, killed.
    pub links_killed: u64,
}

impl Revoked {
    /// Whether anything changed (a second revocation changes nothing).
    pub fn changed(&self) -> bool {
        !self.released.is_empty()
            || self.delegations_ended
                + self.invitations_withdrawn
                + self.sessions_ended
                + self.links_killed
                > 0
    }
}

/// The scope of an API key: what it may do.
pub const SCOPE_INGEST: &str = "ingest";

/// An API key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKeyInfo {
    /// Row id.
    pub id: i64,
    /// Its name, chosen by the admin (`erp-export`…).
    pub name: String,
    /// What it may do.
    pub scope: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last accepted.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key to record.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Its name.
    pub name: String,
    /// SHA-256 of the key.
    pub hash: String,
    /// What it may do.
    pub scope: &'static str,
    /// Now.
    pub now: DateTime<Utc>,
    /// Who made it, for the audit trail.
    pub actor: String,
}

/// What revoking a key by name came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRevocation {
    /// The live key of that name is dead now.
    Revoked(ApiKeyInfo),
    /// Keys of that name exist, all revoked already: nothing changed.
    AlreadyRevoked,
    /// No key ever had that name.
    Unknown,
}

/// The audit detail of a revocation.
pub(super) fn revoked_detail(actor: &str, revoked: &Revoked) -> String {
    let released = if revoked.released.is_empty() {
        "none".to_owned()
    } else {
        revoked.released.join(", ")
    };
    format!(
        "by {actor}; recipients released: {released}; delegations ended: {}; \
         invitations withdrawn: {}; sessions ended: {}; links killed: {}",
        revoked.delegations_ended,
        revoked.invitations_withdrawn,
        revoked.sessions_ended,
        revoked.links_killed
    )
}

/// The audit detail of emails sent again.
pub(super) fn retried_detail(actor: &str, ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("by {actor}; outbox ids {}", ids.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_escape_like_wildcards() {
        let term = SearchTerm::new("  Dupont_%\\x ").unwrap();
        assert_eq!(term.exact, "DUPONT_%\\X");
        assert_eq!(term.pattern, "%dupont\\_\\%\\\\x%");
        assert!(SearchTerm::new("   ").is_none());
        assert!(SearchTerm::new("a\0b").is_none());
    }
}
