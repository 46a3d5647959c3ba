//! "Mon compte": the account's page and what it manages (ACC-1).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::pages::{Layout, render, unprocessable};
use super::signin::{PasswordForm, local_part, open_full_session, password_error, password_page};
use super::visitor::{CsrfForm, Visitor, require_full_session};
use super::{AppState, WebError, see_other, throttle};
use crate::db::AccessRecipient;
use crate::domain::password::{self, Password, PasswordProblem};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    recipients: Vec<AccessRecipient>,
    notice: Option<&'static str>,
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
    let notice = match query.fait.as_deref() {
        Some("mot-de-passe") => Some(
            "Votre nouveau mot de passe est enregistré. Vos autres connexions ont été fermées et \
             un email vous le confirme.",
        ),
        _ => None,
    };
    let recipients = state.store.access_recipients(session.account_id).await?;
    let page = AccountPage {
        email: session.email.clone(),
        recipients,
        notice,
        layout: Layout::new(&state, &visitor, "Mon compte"),
    };
    Ok(visitor.respond(render(&page)?))
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

    let checks = [(throttle::SIGNIN_PER_ACCOUNT, session.email.as_str())];
    if throttle::attempt(&state, &checks).await?.is_some() {
        return refuse(
            visitor,
            "Trop d'essais ont échoué. Par sécurité, réessayez dans un quart d'heure.",
        );
    }
    let account = state.store.account(session.account_id).await?;
    let stored = account.and_then(|a| a.password_hash);
    if !state
        .hasher
        .verify(Password::new(&form.current), stored)
        .await?
    {
        return refuse(visitor, "Le mot de passe actuel n'est pas celui-ci.");
    }
    throttle::clear(&state, throttle::SIGNIN_PER_ACCOUNT, &session.email).await?;

    let password = Password::new(&form.password);
    let checked = if form.password != form.confirmation {
        Err(PasswordProblem::Mismatch)
    } else if form.password == form.current {
        Err(PasswordProblem::Unchanged)
    } else {
        password::check(
            &password,
            &local_part(&session.email),
            &state.config.lab_name,
        )
    };
    if let Err(problem) = checked {
        return refuse(visitor, password_error(problem));
    }

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
