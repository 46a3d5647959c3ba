//! "Mon compte": the account's page and what it manages (ACC-1).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use chrono::Duration;

use super::pages::{Layout, echo, render, unprocessable};
use super::signin::{PasswordForm, local_part, open_full_session, password_error, password_page};
use super::visitor::{CsrfForm, Visitor, require_full_session};
use super::{AppState, WebError, login_change, see_other, throttle};
use crate::db::{
    AccessRecipient, AddDelegate, DelegateKey, DelegateRequest, DelegationView, SessionInfo,
};
use crate::domain::Email;
use crate::domain::password::{self, Password, PasswordProblem};
use crate::domain::secret::Token;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    recipients: Vec<AccessRecipient>,
    delegation: DelegationView,
    notice: Option<String>,
    delegate_error: Option<&'static str>,
    delegate_email: String,
    limit: i64,
}

/// What "Mon compte" was reached after.
#[derive(Deserialize)]
pub struct AccountQuery {
    fait: Option<String>,
}

/// "Mon compte": the login, the password, the recipients in the account's
/// access.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<AccountQuery>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let done = query.fait.unwrap_or_default();
    let page = account_page(&state, &visitor, session, &done, None, String::new()).await?;
    Ok(visitor.respond(render(&page)?))
}

/// The words shown after an action of "Mon compte".
fn notice_of(done: &str, layout: &Layout, state: &AppState) -> Option<String> {
    Some(match done {
        "mot-de-passe" => layout.t("account-done-password"),
        "delegue-ajoute" => layout.t("account-done-delegate-added"),
        "delegue-invite" => layout.t1(
            "account-done-delegate-invited",
            "days",
            state.config.first_connection_days,
        ),
        "delegue-retire" => layout.t("account-done-delegate-removed"),
        "email-demande" => layout.t1(
            "account-done-email-asked",
            "hours",
            login_change::CONFIRM_HOURS,
        ),
        _ => return None,
    })
}

async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    done: &str,
    delegate_error: Option<&'static str>,
    delegate_email: String,
) -> Result<AccountPage, WebError> {
    let now = state.clock.now();
    let mut layout = Layout::new(state, visitor, "account-title");
    // The delegate form posts to a path that has no page of its own.
    layout.path = "/compte".to_owned();
    if delegate_error.is_some() {
        layout.mark_error();
    }
    let notice = notice_of(done, &layout, state);
    Ok(AccountPage {
        email: session.email.clone(),
        recipients: state.store.access_recipients(session.account_id).await?,
        delegation: state.store.delegation(session.account_id, now).await?,
        notice,
        delegate_error,
        delegate_email,
        limit: state.config.max_delegates,
        layout,
    })
}

/// The delegate's email as posted.
#[derive(Deserialize)]
pub struct AddDelegateForm {
    #[serde(default)]
    email: String,
}

/// DEL-1: an owner gives an email access to its reports.
pub async fn add_delegate(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<AddDelegateForm>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte") {
        Ok(session) => session.clone(),
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let refuse = |message: &'static str| (message, echo(&form.email, 254));
    let refusal = match Email::parse(&form.email) {
        Err(_) => Some(refuse("common-email-invalid")),
        Ok(email) => {
            let token = Token::generate();
            let now = state.clock.now();
            let days = state.config.first_connection_days;
            let request = DelegateRequest {
                owner_id: session.account_id,
                email: email.normalized().to_owned(),
                now,
                expires_at: now + Duration::days(days),
                days,
                token: token.expose().to_owned(),
                token_hash: token.hash(),
                limit: state.config.max_delegates,
            };
            match state.store.add_delegate(&request).await? {
                AddDelegate::Added => return done(&state, visitor, "delegue-ajoute"),
                AddDelegate::Invited => return done(&state, visitor, "delegue-invite"),
                AddDelegate::AlreadyThere => Some(refuse("delegate-already-there")),
                AddDelegate::Itself => Some(refuse("delegate-itself")),
                AddDelegate::LimitReached => Some(refuse("delegate-limit")),
                AddDelegate::NotOwner => Some(refuse("delegate-not-owner")),
            }
        }
    };
    let (message, typed) = refusal.unwrap_or(("", String::new()));
    let page = account_page(&state, &visitor, &session, "", Some(message), typed).await?;
    Ok(unprocessable(visitor.respond(render(&page)?)))
}

fn done(state: &AppState, visitor: Visitor, what: &str) -> Result<Response, WebError> {
    state.mail_wake.notify_one();
    Ok(visitor.respond(see_other(&format!("/compte?fait={what}"))))
}

/// Which delegate to remove.
#[derive(Deserialize)]
pub struct RemoveQuery {
    #[serde(default)]
    cle: String,
}

#[derive(Template)]
#[template(path = "delegate_remove.html")]
struct RemovePage {
    layout: Layout,
    key: String,
    email: String,
}

/// DEL-3, first step: ask for confirmation.
pub async fn remove_delegate_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<RemoveQuery>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let key = DelegateKey::decode(&query.cle).ok_or(WebError::NotFound)?;
    let view = state
        .store
        .delegation(session.account_id, state.clock.now())
        .await?;
    let entry = view
        .delegates
        .into_iter()
        .find(|d| d.key == key)
        .ok_or(WebError::NotFound)?;
    let page = RemovePage {
        layout: Layout::new(&state, &visitor, "delegate-remove-title"),
        key: key.encode(),
        email: entry.email,
    };
    Ok(visitor.respond(render(&page)?))
}

/// DEL-3, confirmed: the access ends at once, in every session.
pub async fn remove_delegate(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<RemoveQuery>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte") {
        Ok(session) => session.clone(),
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let key = DelegateKey::decode(&form.cle).ok_or(WebError::NotFound)?;
    if !state
        .store
        .remove_delegate(session.account_id, &key, state.clock.now())
        .await?
    {
        return Err(WebError::NotFound);
    }
    tracing::info!(account_id = session.account_id, "delegate removed");
    Ok(visitor.respond(see_other("/compte?fait=delegue-retire")))
}

/// The password change form.
pub async fn password_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/mot-de-passe") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let page = password_page(PasswordForm::Change, &state, &visitor, &session.email, None);
    Ok(visitor.respond(render(&page)?))
}

/// The password change as posted.
#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// Checks the password a signed-in person typed again, counted like
/// sign-ins: the message id of the refusal, if refused.
pub(super) async fn current_password_refusal(
    state: &AppState,
    session: &SessionInfo,
    typed: &str,
) -> Result<Option<&'static str>, WebError> {
    let checks = [(throttle::SIGNIN_PER_ACCOUNT, session.email.as_str())];
    if throttle::attempt(state, &checks).await?.is_some() {
        return Ok(Some("common-too-many-tries"));
    }
    let account = state.store.account(session.account_id).await?;
    let stored = account.and_then(|a| a.password_hash);
    if !state.hasher.verify(Password::new(typed), stored).await? {
        return Ok(Some("password-current-wrong"));
    }
    throttle::succeeded(state, &checks, &[]).await?;
    Ok(None)
}

/// Password change posted: the current password proves the person; every
/// other session ends and the account is told by email.
pub async fn password_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/mot-de-passe") {
        Ok(session) => session.clone(),
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let Some(session_hash) = visitor.session_hash.clone() else {
        return Ok(visitor.respond(see_other("/connexion")));
    };
    let refuse = |visitor: Visitor, message: &'static str| -> Result<Response, WebError> {
        let page = password_page(
            PasswordForm::Change,
            &state,
            &visitor,
            &session.email,
            Some(message),
        );
        Ok(unprocessable(visitor.respond(render(&page)?)))
    };

    if let Some(refusal) = current_password_refusal(&state, &session, &form.current).await? {
        return refuse(visitor, refusal);
    }

    let local = local_part(&session.email);
    let checked = if form.password == form.current {
        Err(PasswordProblem::Unchanged)
    } else {
        password::check_new(
            &form.password,
            &form.confirmation,
            &local,
            &state.config.lab_name,
        )
    };
    let password = match checked {
        Ok(password) => password,
        Err(problem) => return refuse(visitor, password_error(problem)),
    };

    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    state
        .store
        .change_password(session.account_id, &hash, &session_hash, now)
        .await?;
    state.store.delete_session(&session_hash).await?;
    visitor.session_hash = None;
    open_full_session(&state, &mut visitor, session.account_id, session.remember).await?;
    state.mail_wake.notify_one();
    tracing::info!(account_id = session.account_id, "password changed");
    Ok(visitor.respond(see_other("/compte?fait=mot-de-passe")))
}
