//! Forgotten password (RESET-1, RESET-2): the same answer whatever the email,
//! a link valid one hour, then every session and link of the account dies
//! and this browser is signed in.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::links::{self, LinkQuery, invalid_link, no_referrer};
use super::pages::{Layout, MessagePage, echo, render, unprocessable};
use super::second_factor;
use super::signin::{PasswordForm, local_part, password_error, password_page};
use super::visitor::{CookieName, CsrfForm, Visitor};
use super::{AppState, WebError, throttle};
use crate::db::{LinkState, NewLink};
use crate::domain::Email;
use crate::domain::password;
use crate::domain::secret::Token;
use crate::mail::Mail;

/// Minutes a reset link stays valid.
const RESET_MINUTES: i64 = 60;

#[derive(Template)]
#[template(path = "reset_request.html")]
struct RequestPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
}

/// The "forgot password" form.
pub async fn request_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let page = RequestPage {
        layout: Layout::new(&state, &visitor, "reset-title"),
        email: String::new(),
        error: None,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The email typed.
#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

/// "Forgot password" posted: whatever the email, the same answer.
pub async fn request_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Result<Response, WebError> {
    let Ok(email) = Email::parse(&form.email) else {
        let page = RequestPage {
            layout: Layout::new(&state, &visitor, "reset-title").into_error(),
            email: echo(&form.email, 254),
            error: Some("reset-email-invalid"),
        };
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };

    let checks = [
        (throttle::RESETS_PER_ADDRESS, visitor.client_addr.as_str()),
        (throttle::RESETS_PER_ACCOUNT, email.normalized()),
    ];
    let blocked = throttle::attempt(&state, &checks).await?.is_some();
    if !blocked {
        let token = Token::generate();
        let now = state.clock.now();
        let link = NewLink {
            token_hash: token.hash(),
            now,
            expires_at: now + Duration::minutes(RESET_MINUTES),
            mail: Mail::ResetPassword {
                token: token.expose().to_owned(),
                minutes: RESET_MINUTES,
            },
        };
        if state.store.request_reset(email.normalized(), &link).await? {
            state.mail_wake.notify_one();
        }
    }

    // Limitation: a blocked request gets the same page and sends nothing,
    // so that the limit itself reveals nothing about the address.
    let layout = Layout::new(&state, &visitor, "reset-sent-title");
    let texts = vec![
        layout.t1("reset-sent", "email", email.normalized()),
        layout.t("reset-sent-lost"),
    ];
    let page = MessagePage::texts(layout, texts, Some(("reset-back-to-signin", "/connexion")));
    Ok(visitor.respond(render(&page)?))
}

/// The reset link: the token moves into a cookie and leaves the URL; then
/// the new-password form, or why the link cannot be used.
pub async fn new_password_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Query(query): Query<LinkQuery>,
) -> Result<Response, WebError> {
    if let Some(redirect) = links::take_token(
        &mut visitor,
        query,
        CookieName::Reset,
        "/mot-de-passe-oublie/nouveau",
    ) {
        return Ok(no_referrer(visitor.respond(redirect)));
    }
    let email = match reset_account(&state, &visitor).await? {
        Ok((_, email)) => email,
        Err(refusal) => return Ok(no_referrer(visitor.respond(refusal))),
    };
    let page = password_page(PasswordForm::Reset, &state, &visitor, &email, None);
    Ok(no_referrer(visitor.respond(render(&page)?)))
}

/// The account whose reset link this browser holds, or the page to show.
async fn reset_account(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Result<(Token, String), Response>, WebError> {
    let token = links::token(visitor, CookieName::Reset);
    let link = match &token {
        Some(token) => {
            state
                .store
                .reset_link(&token.hash(), state.clock.now())
                .await?
        }
        None => LinkState::Invalid,
    };
    let (status, page) = match (link, token) {
        (LinkState::Valid { email, .. }, Some(token)) => return Ok(Ok((token, email))),
        (LinkState::Expired, _) => (
            StatusCode::GONE,
            MessagePage::new(
                Layout::new(state, visitor, "common-link-expired-title"),
                &["reset-link-expired"],
                Some(("reset-link-expired-action", "/mot-de-passe-oublie")),
            )
            .problem(),
        ),
        _ => (StatusCode::BAD_REQUEST, invalid_link(state, visitor)),
    };
    Ok(Err((status, render(&page)?).into_response()))
}

/// The new password as posted.
#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// The new password posted: set, every session and link of the account
/// ended, and this browser signed in.
pub async fn new_password_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> Result<Response, WebError> {
    let (token, email) = match reset_account(&state, &visitor).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(no_referrer(visitor.respond(refusal))),
    };
    let local = local_part(&email);
    let checked = password::check_new(
        &form.password,
        &form.confirmation,
        &local,
        &state.config.lab_name,
    );
    let password = match checked {
        Ok(password) => password,
        Err(problem) => {
            let page = password_page(
                PasswordForm::Reset,
                &state,
                &visitor,
                &email,
                Some(password_error(problem)),
            );
            return Ok(unprocessable(visitor.respond(render(&page)?)));
        }
    };

    let hash = state.hasher.hash(password).await?;
    let Some(account_id) = state
        .store
        .reset_password(&token.hash(), &hash, state.clock.now())
        .await?
    else {
        let page = invalid_link(&state, &visitor);
        return Ok((StatusCode::BAD_REQUEST, visitor.respond(render(&page)?)).into_response());
    };
    visitor.remove_cookie(CookieName::Reset);
    visitor.session_hash = None;
    state.mail_wake.notify_one();
    tracing::info!(account_id, "password reset");
    // A reset proves the mailbox and the password, not the second factor.
    let next =
        second_factor::after_password(&state, &mut visitor, account_id, false, "/rapports").await?;
    Ok(no_referrer(visitor.respond(next)))
}
