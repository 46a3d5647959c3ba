//! Finding people and showing where they stand: `find`, `recipient`,
//! `account`.

use std::fmt::Write;

use serde::Serialize;

use super::text::{self, time};
use super::{Outcome, Status};
use crate::app::App;
use crate::db::{AccountRecord, AuditEntry, AuditSubject, DbError, RecipientRecord, SearchTerm};
use crate::domain::Email;

/// Audit entries shown with an account or a recipient.
const AUDIT_LINES: i64 = 50;

/// Where a recipient's registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum RegistrationState {
    /// Invited: nobody has asked for a confirmation link yet.
    Invited,
    /// Someone is registering: a confirmation link is out.
    Pending,
    /// Registered: it has an owner.
    Owned,
}

impl RegistrationState {
    fn of(record: &RecipientRecord) -> Self {
        if record.owner_account_id.is_some() {
            Self::Owned
        } else if record.pending.is_empty() {
            Self::Invited
        } else {
            Self::Pending
        }
    }
}

/// A delegate of an owner, or an invitation it sent.
#[derive(Debug, Serialize)]
struct Delegate {
    email: String,
    /// The invitation is not accepted yet.
    pending: bool,
}

impl Delegate {
    fn label(&self) -> String {
        if self.pending {
            format!("{} (invited)", self.email)
        } else {
            self.email.clone()
        }
    }
}

/// A recipient in an account's access.
#[derive(Debug, Serialize)]
struct Access {
    code: String,
    name: String,
    /// Owned, else delegated.
    owned: bool,
}

/// `admin find`.
pub(super) async fn find(app: &App, typed: &str) -> Result<Outcome, DbError> {
    let Some(term) = SearchTerm::new(typed) else {
        return Ok(Outcome::failed(
            Status::Refused,
            "empty_term",
            "Type part of an email or a name, a recipient code or a report number.".to_owned(),
        ));
    };
    let found = app.state.store.search(&term).await?;

    let mut out = String::new();
    let _ = writeln!(out, "Accounts ({}):", found.accounts.len());
    for a in &found.accounts {
        let password = if a.has_password {
            "password set"
        } else {
            "no password yet"
        };
        let created = time(app, a.created_at);
        let _ = writeln!(out, "  {}  {password}  created {created}", a.email);
    }
    let _ = writeln!(out, "Recipients ({}):", found.recipients.len());
    for r in &found.recipients {
        let owner = r.owner_email.as_deref().unwrap_or("no owner");
        let _ = writeln!(
            out,
            "  {}  {}  contact {}  owner {owner}  {} report(s)",
            r.code, r.name, r.contact_email, r.reports
        );
    }
    let status = if found.accounts.is_empty() && found.recipients.is_empty() {
        Status::NotFound
    } else {
        Status::Done
    };
    Ok(Outcome::with(status, out, &found))
}

/// The recipient named by its code or one of its report numbers.
pub(super) async fn recipient_id(app: &App, typed: &str) -> Result<Option<i64>, DbError> {
    let exact = typed.trim().to_uppercase();
    if exact.is_empty() || exact.chars().any(char::is_control) {
        return Ok(None);
    }
    app.state.store.recipient_by_code_or_report(&exact).await
}

/// The answer when no recipient has this code or report number.
pub(super) fn unknown_recipient(typed: &str) -> Outcome {
    Outcome::failed(
        Status::NotFound,
        "unknown_recipient",
        format!(
            "No recipient has the code or the report number {:?}.",
            typed.trim()
        ),
    )
}

/// `admin recipient`.
pub(super) async fn recipient(app: &App, typed: &str) -> Result<Outcome, DbError> {
    let store = &app.state.store;
    let now = app.state.clock.now();
    let Some(id) = recipient_id(app, typed).await? else {
        return Ok(unknown_recipient(typed));
    };
    let Some(record) = store.recipient_record(id, now).await? else {
        return Ok(unknown_recipient(typed));
    };
    let delegates: Vec<Delegate> = match record.owner_account_id {
        Some(owner) => store
            .delegation(owner, now)
            .await?
            .delegates
            .into_iter()
            .map(|d| Delegate {
                email: d.email,
                pending: d.pending,
            })
            .collect(),
        None => Vec::new(),
    };
    let audit = store
        .audit_trail(AuditSubject::Recipient(id), AUDIT_LINES)
        .await?;
    let state = RegistrationState::of(&record);

    let out = recipient_text(app, &record, state, &delegates, &audit);
    let json = serde_json::json!({
        "recipient": record,
        "state": state,
        "delegates": delegates,
        "audit": audit,
    });
    Ok(Outcome::done(out, json))
}

fn recipient_text(
    app: &App,
    record: &RecipientRecord,
    state: RegistrationState,
    delegates: &[Delegate],
    audit: &[AuditEntry],
) -> String {
    let r = &record.summary;
    let mut out = String::new();
    let _ = writeln!(out, "Recipient {}  {}", r.code, r.name);
    let _ = writeln!(out, "  contact:      {}", r.contact_email);
    let _ = writeln!(out, "  imported:     {}", time(app, record.created_at));
    let state_line = match (state, &r.owner_email, record.owned_at) {
        (RegistrationState::Owned, Some(owner), Some(since)) => {
            format!("owned by {owner} since {}", time(app, since))
        }
        (RegistrationState::Pending, _, _) => "pending: a confirmation link is out".to_owned(),
        _ => "invited: nobody has registered yet".to_owned(),
    };
    let _ = writeln!(out, "  state:        {state_line}");
    let newest = record.latest_report.as_deref().unwrap_or("-");
    let _ = writeln!(out, "  reports:      {} (newest {newest})", r.reports);
    for p in &record.pending {
        let _ = writeln!(
            out,
            "  confirmation: {} sent {}, valid until {}",
            p.email,
            time(app, p.sent_at),
            time(app, p.expires_at)
        );
    }
    let shown: Vec<String> = delegates.iter().map(Delegate::label).collect();
    let _ = writeln!(out, "  delegates:    {}", text::list(&shown));
    for i in &record.invitations {
        let fate = match (i.sent_at, i.failed_at, &i.last_error) {
            (Some(at), _, _) => format!("sent {}", time(app, at)),
            (None, Some(_), error) => format!("given up: {}", error.as_deref().unwrap_or("-")),
            (None, None, Some(error)) => {
                format!("not sent yet ({} attempt(s)): {error}", i.attempts)
            }
            (None, None, None) => "waiting to be sent".to_owned(),
        };
        let queued = time(app, i.created_at);
        let _ = writeln!(out, "  invitation:   #{} queued {queued}, {fate}", i.id);
    }
    text::audit(app, &mut out, audit);
    out
}

/// `admin account`.
pub(super) async fn account(app: &App, typed: &str) -> Result<Outcome, DbError> {
    let store = &app.state.store;
    let now = app.state.clock.now();
    let Ok(email) = Email::parse(typed) else {
        return Ok(not_an_email(typed));
    };
    let record = match store.account_by_email(email.normalized()).await? {
        Some(account) => store.account_record(account.id, now).await?,
        None => None,
    };
    let Some(record) = record else {
        return Ok(unknown_account(email.normalized()));
    };
    let id = record.summary.id;
    let access: Vec<Access> = store
        .access_recipients(id)
        .await?
        .into_iter()
        .map(|r| Access {
            code: r.code,
            name: r.name,
            owned: r.owned,
        })
        .collect();
    let delegation = store.delegation(id, now).await?;
    let delegates: Vec<Delegate> = delegation
        .delegates
        .into_iter()
        .map(|d| Delegate {
            email: d.email,
            pending: d.pending,
        })
        .collect();
    let audit = store
        .audit_trail(AuditSubject::Account(id), AUDIT_LINES)
        .await?;
    let factors = store.factors(id).await?;
    let two_step = TwoStep {
        app: factors.totp.is_some(),
        passkeys: factors.passkeys.iter().map(|p| p.name.clone()).collect(),
        recovery_codes_left: factors.recovery_left,
    };

    let out = account_text(
        app,
        &record,
        &two_step,
        &access,
        &delegation.granted_by,
        &delegates,
        &audit,
    );
    let json = serde_json::json!({
        "account": record,
        "second_factors": two_step,
        "access": access,
        "granted_by": delegation.granted_by,
        "delegates": delegates,
        "audit": audit,
    });
    Ok(Outcome::done(out, json))
}

/// An account's two-step sign-in, as support sees it.
#[derive(Serialize)]
struct TwoStep {
    app: bool,
    passkeys: Vec<String>,
    recovery_codes_left: i64,
}

fn account_text(
    app: &App,
    record: &AccountRecord,
    two_step: &TwoStep,
    access: &[Access],
    granted_by: &[String],
    delegates: &[Delegate],
    audit: &[AuditEntry],
) -> String {
    let mut out = String::new();
    let a = &record.summary;
    let _ = writeln!(out, "Account {}", a.email);
    let password = if a.has_password {
        "set"
    } else {
        "not chosen yet"
    };
    let _ = writeln!(out, "  password:     {password}");
    let mut factors = Vec::new();
    if two_step.app {
        factors.push("authenticator app".to_owned());
    }
    factors.extend(two_step.passkeys.iter().map(|n| format!("passkey {n:?}")));
    let second = if factors.is_empty() {
        "off".to_owned()
    } else {
        format!(
            "{} ({} recovery code(s) left)",
            factors.join(", "),
            two_step.recovery_codes_left
        )
    };
    let _ = writeln!(out, "  two-step:     {second}");
    let _ = writeln!(out, "  language:     {}", record.lang);
    let _ = writeln!(out, "  created:      {}", time(app, a.created_at));
    let _ = writeln!(out, "  sessions:     {} open", record.live_sessions);
    let _ = writeln!(out, "  downloads:    {}", record.downloads);
    let _ = writeln!(out, "Access ({} recipient(s)):", access.len());
    for r in access {
        let how = if r.owned { "owner" } else { "delegate" };
        let _ = writeln!(out, "  {}  {}  ({how})", r.code, r.name);
    }
    let _ = writeln!(out, "  granted by:   {}", text::list(granted_by));
    let shown: Vec<String> = delegates.iter().map(Delegate::label).collect();
    let _ = writeln!(out, "  delegates:    {}", text::list(&shown));
    text::audit(app, &mut out, audit);

    out
}

/// The answer to a login that is no email address.
pub(super) fn not_an_email(typed: &str) -> Outcome {
    Outcome::failed(
        Status::Refused,
        "invalid_email",
        format!("{:?} is not an email address.", typed.trim()),
    )
}

/// The answer when no account has this login.
pub(super) fn unknown_account(email: &str) -> Outcome {
    Outcome::failed(
        Status::NotFound,
        "unknown_account",
        format!("No account has the login {email}."),
    )
}
