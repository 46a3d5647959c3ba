//! Support commands that change something: new security codes, revoking an
//! account's access, sending stuck emails again.

use std::fmt::Write;

use chrono::Duration;
use serde::Serialize;

use super::lookup::{not_an_email, recipient_id, unknown_account, unknown_recipient};
use super::text::{self, time};
use super::{Outcome, Status};
use crate::app::App;
use crate::db::{
    Account, AuditEvent, CodeOutcome, CodeReplacement, DbError, Invite, NewCode, RetrySelection,
};
use crate::domain::Email;
use crate::domain::secret::SecurityCode;
use crate::mail::sender::Pass;

/// Why a recipient gets a new security code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeAction {
    /// Its invitation was lost: a new one, with a new code.
    Resend,
    /// Its code may be known to others: the code and every registration
    /// begun with it die.
    Rotate,
}

/// Emails sent by the command itself; the server retries the others.
#[derive(Debug, Serialize)]
struct Delivery {
    sent: usize,
    deferred: usize,
}

impl Delivery {
    fn line(&self) -> String {
        format!(
            "Emails sent: {}; to retry by the server: {}.\n",
            self.sent, self.deferred
        )
    }
}

/// Sends what is due now, as `dosiport import` does.
async fn deliver(app: &App) -> Result<Delivery, DbError> {
    let Pass { sent, deferred } = app.mailer.deliver_due().await?;
    Ok(Delivery { sent, deferred })
}

/// `admin resend-invitation` and `admin rotate-code`.
pub(super) async fn new_code(
    app: &App,
    typed: &str,
    action: CodeAction,
    actor: &str,
) -> Result<Outcome, DbError> {
    let Some(id) = recipient_id(app, typed).await? else {
        return Ok(unknown_recipient(typed));
    };
    let code = SecurityCode::generate();
    let (invite, end_registrations, event) = match action {
        CodeAction::Resend => (Invite::Required, false, "invitation_resent"),
        CodeAction::Rotate => (Invite::IfNoOwner, true, "security_code_rotated"),
    };
    let replacement = CodeReplacement {
        recipient_id: id,
        code: NewCode {
            hash: code.hash(),
            display: code.display(),
        },
        invite,
        end_registrations,
        now: app.state.clock.now(),
        event,
        actor: actor.to_owned(),
    };
    let outcome = app.state.store.replace_security_code(&replacement).await?;
    let CodeOutcome::Replaced {
        invited,
        links_ended,
    } = outcome
    else {
        return Ok(code_refused(outcome, typed));
    };
    tracing::info!(recipient_id = id, event, "security code replaced");
    let delivery = deliver(app).await?;

    let mut out = format!(
        "The security code of {} was replaced; the old one no longer works.\n",
        typed.trim()
    );
    if links_ended > 0 {
        let _ = writeln!(
            out,
            "Registrations begun with the old code ended: {links_ended} link(s)."
        );
    }
    match &invited {
        Some(to) => {
            let _ = writeln!(out, "An invitation with the new code was queued for {to}.");
        }
        None => {
            let _ = writeln!(out, "No invitation was sent: the recipient has an owner.");
        }
    }
    out.push_str(&delivery.line());
    let json = serde_json::json!({
        "recipient_id": id,
        "invited": invited,
        "links_ended": links_ended,
        "emails": delivery,
    });
    Ok(Outcome::done(out, json))
}

/// Why no code was replaced.
fn code_refused(outcome: CodeOutcome, typed: &str) -> Outcome {
    let typed = typed.trim();
    match outcome {
        CodeOutcome::Owned { owner_email } => {
            let message = format!(
                "{typed} is already registered by {owner_email}: there is nothing to invite to. \
                 Its owner can give others access as delegates."
            );
            Outcome::failed(Status::Refused, "has_owner", message)
        }
        CodeOutcome::NoReport => {
            let message =
                format!("{typed} has no report left to name in an invitation: import one first.");
            Outcome::failed(Status::Refused, "no_report", message)
        }
        CodeOutcome::NotFound | CodeOutcome::Replaced { .. } => unknown_recipient(typed),
    }
}

/// The account a typed login names; or the outcome saying why there is
/// none.
async fn account_named(app: &App, typed: &str) -> Result<Result<Account, Outcome>, DbError> {
    let Ok(email) = Email::parse(typed) else {
        return Ok(Err(not_an_email(typed)));
    };
    let found = app.state.store.account_by_email(email.normalized()).await?;
    Ok(found.ok_or_else(|| unknown_account(email.normalized())))
}

/// `admin second-factor-off`.
pub(super) async fn second_factor_off(
    app: &App,
    typed: &str,
    actor: &str,
) -> Result<Outcome, DbError> {
    let account = match account_named(app, typed).await? {
        Ok(account) => account,
        Err(outcome) => return Ok(outcome),
    };
    let store = &app.state.store;
    let now = app.state.clock.now();
    let removed = store.remove_all_factors(account.id, now).await?;
    let text = if removed {
        tracing::info!(account_id = account.id, "second factors removed by support");
        store
            .audit(&AuditEvent {
                at: now,
                account_id: Some(account.id),
                recipient_id: None,
                event: "second_factor_off",
                detail: actor.to_owned(),
                client_addr: None,
            })
            .await?;
        app.state.mail_wake.notify_one();
        format!(
            "Two-step sign-in is off for {}: its factors and recovery codes are removed, its \
             sessions ended, and it was told by email.\n",
            account.email
        )
    } else {
        format!("{} has no second factor: nothing to do.\n", account.email)
    };
    let json = serde_json::json!({ "account_id": account.id, "removed": removed });
    Ok(Outcome::done(text, json))
}

/// `admin revoke`.
pub(super) async fn revoke(app: &App, typed: &str, actor: &str) -> Result<Outcome, DbError> {
    let account = match account_named(app, typed).await? {
        Ok(account) => account,
        Err(outcome) => return Ok(outcome),
    };
    let store = &app.state.store;
    let now = app.state.clock.now();
    let Some(revoked) = store.revoke_access(account.id, now, actor).await? else {
        return Ok(unknown_account(&account.email));
    };

    let mut out = String::new();
    if revoked.changed() {
        tracing::info!(account_id = account.id, "access revoked");
        let _ = writeln!(out, "The access of {} was revoked.", account.email);
        let _ = writeln!(
            out,
            "  recipients released:   {}",
            text::list(&revoked.released)
        );
        let _ = writeln!(
            out,
            "  delegations ended:     {}",
            revoked.delegations_ended
        );
        let _ = writeln!(
            out,
            "  invitations withdrawn: {}",
            revoked.invitations_withdrawn
        );
        let _ = writeln!(out, "  sessions ended:        {}", revoked.sessions_ended);
        let _ = writeln!(out, "  links killed:          {}", revoked.links_killed);
        if !revoked.released.is_empty() {
            let _ = writeln!(
                out,
                "Released recipients have a new security code; send it to the right person \
                 with `dosiport admin resend-invitation CODE`."
            );
        }
    } else {
        let _ = writeln!(out, "{} has no access left: nothing to do.", account.email);
    }
    let json = serde_json::json!({
        "account_id": account.id,
        "email": account.email,
        "changed": revoked.changed(),
        "revoked": revoked,
    });
    Ok(Outcome::done(out, json))
}

/// `admin emails`.
pub(super) async fn list_emails(app: &App, stuck_minutes: i64) -> Result<Outcome, DbError> {
    let now = app.state.clock.now();
    let stuck_before = now - Duration::minutes(stuck_minutes.clamp(0, 525_600));
    let emails = app.state.store.outbox_problems(stuck_before).await?;

    let mut out = format!("Emails given up or stuck ({}):\n", emails.len());
    for e in &emails {
        let state = if e.failed_at.is_some() {
            "given up".to_owned()
        } else {
            format!("next try {}", time(app, e.next_attempt_at))
        };
        let error = e.last_error.as_deref().unwrap_or("-");
        let _ = writeln!(
            out,
            "  #{}  {}  to {}  queued {}  {} attempt(s)  {state}  last error: {error}",
            e.id,
            e.kind,
            e.to,
            time(app, e.created_at),
            e.attempts
        );
    }
    if !emails.is_empty() {
        out.push_str("Send them again with `dosiport admin emails retry --all` (or by id).\n");
    }
    Ok(Outcome::done(out, serde_json::json!({ "emails": emails })))
}

/// `admin emails retry`.
pub(super) async fn retry_emails(
    app: &App,
    ids: Vec<i64>,
    all: bool,
    stuck_minutes: i64,
    actor: &str,
) -> Result<Outcome, DbError> {
    let now = app.state.clock.now();
    let selection = if all {
        RetrySelection::AllProblems {
            stuck_before: now - Duration::minutes(stuck_minutes.clamp(0, 525_600)),
        }
    } else {
        RetrySelection::Ids(ids.clone())
    };
    let retried = app.state.store.retry_emails(&selection, now, actor).await?;
    let skipped: Vec<i64> = ids.into_iter().filter(|id| !retried.contains(id)).collect();
    if !retried.is_empty() {
        tracing::info!(emails = retried.len(), "emails made due again");
    }
    let delivery = deliver(app).await?;

    let shown =
        |ids: &[i64]| text::list(&ids.iter().map(|id| format!("#{id}")).collect::<Vec<_>>());
    let mut out = format!("Emails made due again: {}.\n", shown(&retried));
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "Not retried (unknown, or already sent): {}.",
            shown(&skipped)
        );
    }
    out.push_str(&delivery.line());
    let json = serde_json::json!({
        "retried": retried,
        "skipped": skipped,
        "emails": delivery,
    });
    Ok(Outcome::done(out, json))
}
