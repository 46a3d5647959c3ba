//! Storage of rows. [`Store`] is the interface the rest of the portal uses;
//! each database is one implementation of it with its own migrations.

mod factors;
mod postgres;
mod reports_view;
mod sqlite;
mod support;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Lang;
use crate::mail::Mail;

pub use factors::*;
pub use postgres::PostgresStore;
pub use reports_view::ReportsView;
pub use sqlite::SqliteStore;
pub use support::*;

/// Why a storage operation failed. None of these is the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database URL names a database this build does not support.
    #[error("unsupported database URL {0:?} (expected sqlite://… or postgres://…)")]
    Unsupported(String),
}

/// Longest life of a session that is not remembered, however active it is.
pub const SESSION_ABSOLUTE_SECS: i64 = 24 * 60 * 60;

/// Opens the database named by the URL and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, DbError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(DbError::Unsupported(url.to_owned()))
    }
}

/// An account: a login email and, once set, a password.
#[derive(Debug, Clone)]
pub struct Account {
    /// Row id.
    pub id: i64,
    /// Normalised email, the login.
    pub email: String,
    /// Argon2id PHC string, `None` before the first connection.
    pub password_hash: Option<String>,
    /// Language of the account's emails.
    pub lang: Lang,
}

/// What a session allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Everything the account may do.
    Full,
    /// Only setting the password (opened by an emailed link).
    SetPassword,
    /// The password was right; the second factor is awaited.
    SecondFactor,
    /// The password was right, and the lab requires a second factor the
    /// account has not set up yet: only setting one up.
    Enrol,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::SetPassword => "set_password",
            Self::SecondFactor => "second_factor",
            Self::Enrol => "enrol",
        }
    }

    fn from_str(text: &str) -> Self {
        match text {
            "full" => Self::Full,
            "second_factor" => Self::SecondFactor,
            "enrol" => Self::Enrol,
            _ => Self::SetPassword,
        }
    }
}

/// A session to record.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Hash of the id held by the browser.
    pub id_hash: String,
    /// Whose session it is.
    pub account_id: i64,
    /// What it allows.
    pub kind: SessionKind,
    /// Whether it outlives the browser ("remember this browser").
    pub remember: bool,
    /// When it was opened.
    pub now: DateTime<Utc>,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
}

/// A live session, with what pages need of its account.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Whose session it is.
    pub account_id: i64,
    /// The account's login.
    pub email: String,
    /// What it allows.
    pub kind: SessionKind,
    /// Whether the account has a password yet.
    pub has_password: bool,
    /// Whether it is a remembered session.
    pub remember: bool,
}

/// A recipient new to the portal gets this code, if the batch creates it.
#[derive(Debug, Clone)]
pub struct NewCode {
    /// Hash to store.
    pub hash: String,
    /// Code to email (grouped), only used in the invitation.
    pub display: String,
}

/// One report of a batch, already checked.
#[derive(Debug, Clone)]
pub struct PlannedReport {
    /// Data row in the manifest, for messages.
    pub row: usize,
    /// Report number.
    pub number: String,
    /// Recipient's code.
    pub recipient_code: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's contact address, verbatim.
    pub recipient_email: String,
    /// Start of the period measured.
    pub period_start: NaiveDate,
    /// End of the period measured.
    pub period_end: NaiveDate,
    /// Report kind.
    pub kind: &'static str,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// SHA-256 of the PDF, the file's storage key.
    pub sha256: String,
    /// Size of the PDF.
    pub size: u64,
    /// Original file name.
    pub file_name: String,
    /// Code for the recipient if this batch creates it.
    pub new_code: NewCode,
}

/// A checked batch to commit at once.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    /// Where it came from (manifest path), for the record.
    pub source: String,
    /// The reports.
    pub reports: Vec<PlannedReport>,
    /// Publication time.
    pub now: DateTime<Utc>,
    /// Last day reports published now stay available.
    pub available_until: NaiveDate,
    /// End of the first-connection links sent with the notifications.
    pub first_connection_expires_at: DateTime<Utc>,
}

/// A report that already exists with other content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Data row in the manifest.
    pub row: usize,
    /// The report number.
    pub number: String,
}

/// A batch's reports compared with those already published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchCheck {
    /// Indexes (in the plan) of the reports not yet published.
    pub fresh: Vec<usize>,
    /// Reports already published with the same content.
    pub unchanged: usize,
    /// Reports published with other content.
    pub conflicts: Vec<Conflict>,
}

/// What committing a batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The batch was committed.
    Imported(ImportSummary),
    /// Every report was already there, identical: nothing changed.
    NothingNew,
    /// Some reports exist with other content: nothing changed.
    Conflicts(Vec<Conflict>),
}

/// Counts of a committed batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The batch's id.
    pub batch_id: i64,
    /// Reports added.
    pub reports: usize,
    /// Reports of the batch already present, identical.
    pub unchanged: usize,
    /// Recipients created (each invited).
    pub recipients_created: usize,
    /// Accounts told of new reports.
    pub accounts_notified: usize,
    /// Recipients invited, with the codes their invitation holds.
    pub invited: Vec<Invitation>,
}

/// An invitation queued by an import.
#[derive(Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The recipient's name.
    pub recipient_name: String,
    /// The report number of the invitation.
    pub report_number: String,
    /// The security code of the invitation.
    pub security_code: String,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Invitation({}, {})",
            self.recipient_name, self.report_number
        )
    }
}

/// What a registration's first step needs to know of a report number.
#[derive(Debug, Clone)]
pub struct RecipientAuth {
    /// Recipient row id.
    pub recipient_id: i64,
    /// Its name.
    pub recipient_name: String,
    /// Hash of its security code.
    pub code_hash: String,
    /// Its owner, if registered.
    pub owner_account_id: Option<i64>,
}

/// A registration between its first step and the confirmation email.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Recipient whose codes were proven.
    pub recipient_id: i64,
    /// Recipient's name, for display.
    pub recipient_name: String,
    /// The report number typed.
    pub report_number: String,
    /// The email chosen at step 2.
    pub email: Option<String>,
}

/// Asking for a registration confirmation email.
#[derive(Debug, Clone)]
pub struct StartConfirmation {
    /// The recipient.
    pub recipient_id: i64,
    /// The normalised email.
    pub email: String,
    /// Hash of the link's token.
    pub token_hash: String,
    /// Now.
    pub now: DateTime<Utc>,
    /// When the link dies.
    pub expires_at: DateTime<Utc>,
    /// The email to queue.
    pub mail: Mail,
    /// Its language.
    pub lang: Lang,
    /// Who certified, for the audit trail.
    pub client_addr: String,
    /// The audit event recorded (`registration_certified`, `confirmation_resent`).
    pub event: &'static str,
    /// Sends nothing if a link of the same registration was sent since then
    /// (a double click).
    pub unless_pending_since: Option<DateTime<Utc>>,
}

/// A delegate of an owner, or an invitation not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DelegateKey {
    /// An account with access.
    Account(i64),
    /// A pending invitation (token row id).
    Invitation(i64),
}

impl DelegateKey {
    /// The key as put in forms: `a12` or `i34`.
    pub fn encode(&self) -> String {
        match self {
            DelegateKey::Account(id) => format!("a{id}"),
            DelegateKey::Invitation(id) => format!("i{id}"),
        }
    }

    /// Reads a key from a form.
    pub fn decode(text: &str) -> Option<Self> {
        let (kind, id) = text.split_at_checked(1)?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "a" => Some(DelegateKey::Account(id)),
            "i" => Some(DelegateKey::Invitation(id)),
            _ => None,
        }
    }
}

/// One line of an owner's delegates.
#[derive(Debug, Clone)]
pub struct DelegateEntry {
    /// Its key.
    pub key: DelegateKey,
    /// The delegate's email.
    pub email: String,
    /// Whether it is an invitation not yet accepted.
    pub pending: bool,
}

/// Delegation as seen from one account.
#[derive(Debug, Clone, Default)]
pub struct DelegationView {
    /// Whether the account owns recipients (and so may delegate).
    pub owns: bool,
    /// Its delegates and pending invitations.
    pub delegates: Vec<DelegateEntry>,
    /// The owners who gave it access.
    pub granted_by: Vec<String>,
}

/// Asking to add a delegate.
#[derive(Debug, Clone)]
pub struct DelegateRequest {
    /// The owner.
    pub owner_id: i64,
    /// The delegate's normalised email.
    pub email: String,
    /// Now.
    pub now: DateTime<Utc>,
    /// End of the invitation link, if one is sent.
    pub expires_at: DateTime<Utc>,
    /// Days the invitation link lasts, for its email.
    pub days: i64,
    /// The invitation's token, used only if the address has no account.
    pub token: String,
    /// Its hash.
    pub token_hash: String,
    /// Most delegates (with invitations) an owner may have.
    pub limit: i64,
}

/// What adding a delegate came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddDelegate {
    /// An existing account got the access at once.
    Added,
    /// An invitation to create an account was sent.
    Invited,
    /// This address already has the access or an invitation.
    AlreadyThere,
    /// The owner's own address.
    Itself,
    /// The owner has as many delegates as allowed.
    LimitReached,
    /// The account owns no recipient: it cannot delegate (INV-3).
    NotOwner,
}

/// What a delegate invitation allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    /// Creating the account.
    Valid {
        /// Who invited.
        owner_email: String,
        /// The address invited.
        email: String,
    },
    /// Too old.
    Expired,
    /// Unknown, used or withdrawn.
    Invalid,
}

/// An accepted invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// The delegate's account.
    pub account_id: i64,
    /// Whether the account was created now (else it existed already and its
    /// password was left alone).
    pub created: bool,
}

/// What confirming an email change came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChange {
    /// The login is now the new address.
    Changed {
        /// The new login.
        email: String,
    },
    /// The new address belongs to another account: nothing changed.
    Taken,
    /// The link is unknown, used, replaced or too old.
    Invalid,
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Reports deleted.
    pub reports: usize,
    /// Files no longer referenced, to delete from storage.
    pub orphan_files: Vec<String>,
}

/// An emailed link to record with its email.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// Hash of the token.
    pub token_hash: String,
    /// Now.
    pub now: DateTime<Utc>,
    /// When the link dies.
    pub expires_at: DateTime<Utc>,
    /// The email carrying it.
    pub mail: Mail,
}

/// Attempts counted under one throttling key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hits {
    /// Attempts in the current window, this one included.
    pub count: i64,
    /// When the window ends.
    pub until: DateTime<Utc>,
}

/// What a first-connection link allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Setting the password of this account.
    Valid {
        /// The account.
        account_id: i64,
        /// Its login.
        email: String,
    },
    /// The account already has a password: sign in instead.
    PasswordAlreadySet,
    /// Too old.
    Expired,
    /// Unknown, used or replaced.
    Invalid,
}

/// What opening a confirmation link came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// A new account owns the recipient; it has no password yet.
    AccountCreated {
        /// The new account.
        account_id: i64,
    },
    /// An existing account now also owns the recipient.
    AccessAdded {
        /// The account.
        account_id: i64,
        /// Whether it already had a password.
        has_password: bool,
    },
    /// This registration was already completed.
    AlreadyDone,
    /// Another email owns the recipient; nothing changed.
    TakenByOther,
    /// The link is too old.
    Expired,
    /// A newer link was sent for the same registration.
    Replaced,
    /// No such link.
    Invalid,
}

/// Filter and page of the reports list.
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    /// Only this recipient.
    pub recipient_id: Option<i64>,
    /// Only reports issued that year.
    pub year: Option<i32>,
    /// Page number, from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl ReportQuery {
    /// The year filter as the issue dates begin: `2025`.
    pub fn year_prefix(&self) -> Option<String> {
        self.year.map(|y| format!("{y:04}"))
    }

    /// Rows per page, at least one.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page.max(1))
    }

    /// Rows before the page; page 0 is read as page 1.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * self.limit()
    }
}

/// A row of the reports list.
#[derive(Debug, Clone)]
pub struct ReportListItem {
    /// Row id, used in download links.
    pub id: i64,
    /// Report number.
    pub number: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's code.
    pub recipient_code: String,
    /// Period start.
    pub period_start: String,
    /// Period end.
    pub period_end: String,
    /// Report kind.
    pub kind: String,
    /// Issue date.
    pub issued_on: String,
    /// Publication time.
    pub published_at: DateTime<Utc>,
    /// Last day of availability.
    pub available_until: String,
    /// Size of the PDF.
    pub size: i64,
    /// Not yet downloaded by this account.
    pub is_new: bool,
}

/// One page of reports with the total count.
#[derive(Debug, Clone)]
pub struct ReportPage {
    /// The rows of this page.
    pub items: Vec<ReportListItem>,
    /// Rows matching the filter.
    pub total: i64,
}

/// A recipient in an account's access.
#[derive(Debug, Clone)]
pub struct AccessRecipient {
    /// Row id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether the account owns it (else it is delegated).
    pub owned: bool,
}

/// What a download needs of a report, once access is proven.
#[derive(Debug, Clone)]
pub struct ReportFile {
    /// Row id.
    pub id: i64,
    /// Report number.
    pub number: String,
    /// Storage key.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Original name.
    pub file_name: String,
    /// Publication time, as Last-Modified.
    pub published_at: DateTime<Utc>,
}

/// An email due for sending.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    /// Row id: increasing in order of queueing.
    pub id: i64,
    /// Address.
    pub to: String,
    /// Language.
    pub lang: Lang,
    /// What to say.
    pub mail: Mail,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Earlier failed attempts.
    pub attempts: i64,
}

/// Access to the portal's rows.
#[async_trait]
pub trait Store: FactorStore + Send + Sync {
    /// Commits a checked batch at once: recipients, reports, invitations and
    /// notifications, or nothing.
    async fn import_batch(&self, plan: &ImportPlan) -> Result<ImportOutcome, DbError>;

    /// Sorts a batch's reports into new, unchanged and conflicting ones,
    /// without changing anything (the commit checks again).
    async fn check_batch(&self, plan: &ImportPlan) -> Result<BatchCheck, DbError>;

    /// How many reports are published.
    async fn count_reports(&self) -> Result<i64, DbError>;

    /// The recipient of a report number, for the first registration step.
    async fn recipient_for_report(&self, number: &str) -> Result<Option<RecipientAuth>, DbError>;

    /// Records a registration draft.
    async fn create_draft(
        &self,
        id_hash: &str,
        draft: &Draft,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), DbError>;
    /// A live draft.
    async fn draft(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<Draft>, DbError>;
    /// Sets the draft's email.
    async fn set_draft_email(&self, id_hash: &str, email: &str) -> Result<(), DbError>;
    /// Forgets a draft.
    async fn delete_draft(&self, id_hash: &str) -> Result<(), DbError>;

    /// Records the certification, the confirmation token and its email at once.
    /// Whether a new link was queued (not if a recent one is pending).
    async fn start_confirmation(&self, start: &StartConfirmation) -> Result<bool, DbError>;
    /// Consumes a confirmation token and gives the recipient its owner.
    /// A new account takes `lang` as its language.
    async fn confirm_registration(
        &self,
        token_hash: &str,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<ConfirmOutcome, DbError>;

    /// What confirming this token would come to, without changing anything:
    /// `None` if it can be confirmed now.
    async fn confirmation_state(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ConfirmOutcome>, DbError>;

    /// The account with this normalised email.
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, DbError>;
    /// The account with this id.
    async fn account(&self, id: i64) -> Result<Option<Account>, DbError>;
    /// Sets an account's password hash; its reset, first-connection and
    /// email-change links die.
    async fn set_password(
        &self,
        account_id: i64,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;
    /// Consumes a first-connection token and sets the password of its
    /// account at once; `None` if the token is not usable.
    async fn set_password_with_token(
        &self,
        token_hash: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError>;
    /// What a first-connection token allows now.
    async fn first_connection(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<LinkState, DbError>;
    /// When the confirmation still pending for this recipient and email was
    /// sent, if one is.
    async fn pending_confirmation(
        &self,
        recipient_id: i64,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DbError>;

    /// Queues a reset link for the account with this email, if there is one,
    /// and kills its older reset links: only the newest works. Whether there
    /// was such an account.
    async fn request_reset(&self, email: &str, reset: &NewLink) -> Result<bool, DbError>;
    /// What a reset token allows now.
    async fn reset_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<LinkState, DbError>;
    /// Consumes a reset token and sets the new password at once: every
    /// session and every other link of the account dies, and the account is
    /// told. The account, if the token was usable.
    async fn reset_password(
        &self,
        token_hash: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError>;
    /// Changes a password: every other session and every link of the account
    /// dies, and the account is told.
    async fn change_password(
        &self,
        account_id: i64,
        hash: &str,
        keep_session: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// What "Mon compte" shows of delegation for an account.
    async fn delegation(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<DelegationView, DbError>;
    /// Gives an email access to an owner's reports: at once for an existing
    /// account, else by an invitation to create one. Emails are queued.
    async fn add_delegate(&self, request: &DelegateRequest) -> Result<AddDelegate, DbError>;
    /// Ends a delegate's access, or a pending invitation; whether there was one.
    async fn remove_delegate(
        &self,
        owner_id: i64,
        key: &DelegateKey,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError>;
    /// What a delegate invitation allows now.
    async fn invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<InvitationState, DbError>;
    /// Consumes an invitation: creates the account with its password (or,
    /// if the address got an account since, only gives the access).
    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: Option<&str>,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<Option<Accepted>, DbError>;

    /// Records a login change to confirm: the new address gets the link, the
    /// old one is told; an earlier pending change dies.
    async fn request_email_change(
        &self,
        account_id: i64,
        new_email: &str,
        link: &NewLink,
    ) -> Result<(), DbError>;
    /// What an email-change token allows now (`Valid` names the new address).
    async fn email_change_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<LinkState, DbError>;
    /// Consumes an email-change token and changes the login, unless the
    /// address belongs to another account by now.
    async fn confirm_email_change(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<EmailChange, DbError>;

    /// Queues E-EXPIRING, once per account and batch, for the reports that
    /// leave on or before `horizon` (and after `today`); how many were queued.
    async fn queue_expiry_reminders(
        &self,
        today: NaiveDate,
        horizon: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize, DbError>;
    /// Deletes the reports whose last day is before `today`, with their
    /// download records; the files no report points to any more.
    async fn purge_expired(&self, today: NaiveDate) -> Result<Purged, DbError>;

    /// Deletes rows that serve no more: ended sessions, drafts and counting
    /// windows, and links dead for more than a month; how many.
    async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, DbError>;

    /// Counts one attempt under `key` in a fixed window, atomically.
    async fn throttle_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_secs: i64,
    ) -> Result<Hits, DbError>;
    /// Takes one attempt back from `key`, after it succeeded.
    async fn throttle_give_back(&self, key: &str) -> Result<(), DbError>;
    /// Forgets the attempts under `key`.
    async fn throttle_clear(&self, key: &str) -> Result<(), DbError>;

    /// Records a session.
    async fn create_session(&self, session: &NewSession) -> Result<(), DbError>;
    /// A live session, refreshed.
    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        idle_until: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>, DbError>;
    /// Ends one session.
    async fn delete_session(&self, id_hash: &str) -> Result<(), DbError>;
    /// Ends every session of an account but `keep`.
    async fn delete_sessions_of(&self, account_id: i64, keep: Option<&str>) -> Result<(), DbError>;

    /// Sets the language of an account's emails.
    async fn set_account_lang(&self, account_id: i64, lang: Lang) -> Result<(), DbError>;

    /// Recipients in an account's access.
    async fn access_recipients(&self, account_id: i64) -> Result<Vec<AccessRecipient>, DbError>;
    /// What the reports list shows: a page of the reports in an account's
    /// access, with the recipients and years to filter them by.
    async fn reports_view(
        &self,
        account_id: i64,
        query: &ReportQuery,
    ) -> Result<ReportsView, DbError>;
    /// A page of the reports in an account's access.
    async fn list_reports(
        &self,
        account_id: i64,
        query: &ReportQuery,
    ) -> Result<ReportPage, DbError> {
        Ok(self.reports_view(account_id, query).await?.page)
    }
    /// A report's file, if the account has access to it.
    async fn report_file(
        &self,
        account_id: i64,
        report_id: i64,
    ) -> Result<Option<ReportFile>, DbError>;
    /// Records a download.
    async fn record_download(
        &self,
        account_id: i64,
        report_id: i64,
        now: DateTime<Utc>,
        client_addr: &str,
    ) -> Result<(), DbError>;

    /// Claims emails due now for `lease` seconds.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, DbError>;
    /// Marks emails sent and forgets their content.
    async fn outbox_sent(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), DbError>;
    /// Gives up on an email the server refused for good.
    async fn outbox_failed(&self, id: i64, error: &str, now: DateTime<Utc>) -> Result<(), DbError>;
    /// Schedules another attempt.
    async fn outbox_retry(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// Appends to the audit trail.
    async fn audit(&self, event: &AuditEvent) -> Result<(), DbError>;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), DbError>;

    /// Accounts and recipients matching what support typed.
    async fn search(&self, term: &SearchTerm) -> Result<Found, DbError>;
    /// A recipient by its code or one of its report numbers (upper case).
    async fn recipient_by_code_or_report(&self, exact: &str) -> Result<Option<i64>, DbError>;
    /// A recipient with where its registration stands.
    async fn recipient_record(
        &self,
        recipient_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<RecipientRecord>, DbError>;
    /// An account with its activity.
    async fn account_record(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>, DbError>;
    /// The newest entries of an account's or a recipient's audit trail,
    /// newest first.
    async fn audit_trail(
        &self,
        subject: AuditSubject,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError>;

    /// Gives a recipient a new security code: the old one dies at once.
    async fn replace_security_code(
        &self,
        replacement: &CodeReplacement,
    ) -> Result<CodeOutcome, DbError>;
    /// Ends an account's access: the recipients it owns lose their owner
    /// (and get a new code, which the old owner does not know), delegations
    /// to and from it end, its sessions and links die. `None` if there is
    /// no such account.
    async fn revoke_access(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<Option<Revoked>, DbError>;

    /// Emails given up, or still unsent after a failure or since before
    /// `stuck_before`, oldest first.
    async fn outbox_problems(
        &self,
        stuck_before: DateTime<Utc>,
    ) -> Result<Vec<OutboxEntry>, DbError>;
    /// Makes unsent emails due now, given up or not; the ids retried.
    async fn retry_emails(
        &self,
        selection: &RetrySelection,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<i64>, DbError>;
    /// Counts of the outbox, for monitoring.
    async fn outbox_stats(&self) -> Result<OutboxStats, DbError>;

    /// Records a new API key; `None` if a live key has this name.
    async fn create_api_key(&self, key: &NewApiKey) -> Result<Option<ApiKeyInfo>, DbError>;
    /// Every API key, newest first.
    async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, DbError>;
    /// Revokes the live key with this name.
    async fn revoke_api_key(
        &self,
        name: &str,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<KeyRevocation, DbError>;
    /// The live key with this hash, marked used now.
    async fn use_api_key(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyInfo>, DbError>;
    /// The files of those of `report_ids` the account has access to, by
    /// recipient code, period and number; ids out of its access are left out.
    async fn archive_files(
        &self,
        account_id: i64,
        report_ids: &[i64],
    ) -> Result<Vec<ArchiveFile>, DbError>;
    /// A page of the downloads of the reports of the recipients `owner_id`
    /// owns, by anyone, newest first.
    async fn download_history(
        &self,
        owner_id: i64,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, DbError>;
}

/// A report going into an archive, once access is proven.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    /// What a single download would need.
    pub file: ReportFile,
    /// The recipient's code.
    pub recipient_code: String,
    /// First day of the period, `YYYY-MM-DD`.
    pub period_start: String,
    /// Last day of the period, `YYYY-MM-DD`.
    pub period_end: String,
}

/// Which downloads of the history to read.
#[derive(Debug, Clone, Copy)]
pub struct HistoryQuery {
    /// Only downloads recorded before this one (so that pages read one
    /// after the other neither skip nor repeat rows recorded meanwhile).
    pub before_id: Option<i64>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to read at most.
    pub limit: i64,
}

/// One download, as its owner's history shows it.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// Row id of the download, increasing with time.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Login of the account that downloaded.
    pub email: String,
    /// Whether that account is the owner (else a delegate, present or past).
    pub by_owner: bool,
    /// Report number.
    pub report_number: String,
    /// Recipient code.
    pub recipient_code: String,
    /// Recipient name.
    pub recipient_name: String,
}

/// A page of the history with the total count.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The rows of this page.
    pub items: Vec<HistoryEntry>,
    /// Every download in the history (ignoring `before_id`).
    pub total: i64,
}

/// An entry of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Which account, if any.
    pub account_id: Option<i64>,
    /// Which recipient, if any.
    pub recipient_id: Option<i64>,
    /// What happened (`signed_in`, `report_downloaded`…).
    pub event: &'static str,
    /// Details, never a secret.
    pub detail: String,
    /// The client's address.
    pub client_addr: Option<String>,
}
