//! Changing the login email (MAIL-1): asked with the current password,
//! confirmed by a link sent to the new address, told to the old one.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::links::{self, LinkQuery, invalid_link, no_referrer};
use super::pages::{Layout, MessagePage, echo, render, unprocessable};
use super::visitor::{CookieName, CsrfForm, NoFields, Visitor, require_full_session};
use super::{AppState, WebError, see_other, throttle};
use crate::db::{EmailChange, LinkState, NewLink};
use crate::domain::Email;
use crate::domain::password::Password;
use crate::domain::secret::Token;
use crate::mail::Mail;

/// Hours the confirmation link stays valid.
pub(super) const CONFIRM_HOURS: i64 = 24;

#[derive(Template)]
#[template(path = "email_change.html")]
struct ChangePage {
    layout: Layout,
    current: String,
    email: String,
    error: Option<&'static str>,
}

impl ChangePage {
    /// Whether the error is about the password, not the new address.
    fn password_refused(&self) -> bool {
        matches!(
            self.error,
            Some("email-change-wrong-password" | "common-too-many-tries")
        )
    }

    /// Whether the error is about the new address.
    fn email_refused(&self) -> bool {
        self.error.is_some() && !self.password_refused()
    }
}

/// The form: the new address twice and the current password.
pub async fn form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/email") {
        Ok(session) => session,
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let page = ChangePage {
        layout: Layout::new(&state, &visitor, "email-change-title"),
        current: session.email.clone(),
        email: String::new(),
        error: None,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The change as posted.
#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    password: String,
}

/// Asks for the change: the same answer whether or not the new address is
/// already in use, which only its mailbox will learn.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, WebError> {
    let session = match require_full_session(&visitor, "/compte/email") {
        Ok(session) => session.clone(),
        Err(target) => return Ok(visitor.respond(see_other(&target))),
    };
    let refuse = |visitor: Visitor, error: &'static str| -> Result<Response, WebError> {
        let page = ChangePage {
            layout: Layout::new(&state, &visitor, "email-change-title").into_error(),
            current: session.email.clone(),
            email: echo(&form.email, 254),
            error: Some(error),
        };
        Ok(unprocessable(visitor.respond(render(&page)?)))
    };
    let Ok(email) = Email::parse(&form.email) else {
        return refuse(visitor, "common-email-invalid");
    };
    if Email::parse(&form.confirmation).ok().as_ref() != Some(&email) {
        return refuse(visitor, "email-change-mismatch");
    }
    if email.normalized() == session.email {
        return refuse(visitor, "email-change-same");
    }
    let checks = [(throttle::SIGNIN_PER_ACCOUNT, session.email.as_str())];
    if throttle::attempt(&state, &checks).await?.is_some() {
        return refuse(visitor, "common-too-many-tries");
    }
    let stored = state
        .store
        .account(session.account_id)
        .await?
        .and_then(|a| a.password_hash);
    if !state
        .hasher
        .verify(Password::new(&form.password), stored)
        .await?
    {
        return refuse(visitor, "email-change-wrong-password");
    }

    let token = Token::generate();
    let now = state.clock.now();
    let link = NewLink {
        token_hash: token.hash(),
        now,
        expires_at: now + Duration::hours(CONFIRM_HOURS),
        mail: Mail::EmailChangeConfirm {
            token: token.expose().to_owned(),
            old_email: session.email.clone(),
            hours: CONFIRM_HOURS,
        },
    };
    state
        .store
        .request_email_change(session.account_id, email.normalized(), &link)
        .await?;
    state.mail_wake.notify_one();
    tracing::info!(account_id = session.account_id, "login change asked");
    Ok(visitor.respond(see_other("/compte?fait=email-demande")))
}

#[derive(Template)]
#[template(path = "email_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    email: String,
}

/// The link sent to the new address: the token moves into a cookie and
/// leaves the URL; then a page whose button confirms.
pub async fn confirm_page(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Query(query): Query<LinkQuery>,
) -> Result<Response, WebError> {
    if let Some(redirect) = links::take_token(
        &mut visitor,
        query,
        CookieName::EmailChange,
        "/compte/email/confirmer",
    ) {
        return Ok(no_referrer(visitor.respond(redirect)));
    }
    let token = links::token(&visitor, CookieName::EmailChange);
    let link = match &token {
        Some(token) => {
            state
                .store
                .email_change_link(&token.hash(), state.clock.now())
                .await?
        }
        None => LinkState::Invalid,
    };
    let LinkState::Valid { email, .. } = link else {
        let status = if link == LinkState::Expired {
            StatusCode::GONE
        } else {
            StatusCode::BAD_REQUEST
        };
        let page = invalid_link(&state, &visitor);
        return Ok(no_referrer(
            (status, visitor.respond(render(&page)?)).into_response(),
        ));
    };
    let page = ConfirmPage {
        layout: Layout::new(&state, &visitor, "email-confirm-title"),
        email,
    };
    Ok(no_referrer(visitor.respond(render(&page)?)))
}

/// The confirm button: the login changes now, unless the address was taken.
pub async fn confirm_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    let token = links::token(&visitor, CookieName::EmailChange);
    visitor.remove_cookie(CookieName::EmailChange);
    let outcome = match token {
        Some(token) => {
            state
                .store
                .confirm_email_change(&token.hash(), state.clock.now())
                .await?
        }
        None => EmailChange::Invalid,
    };
    let (status, page) = match outcome {
        EmailChange::Changed { email } => {
            state.mail_wake.notify_one();
            let layout = Layout::new(&state, &visitor, "email-changed-title");
            let text = layout.t1("email-changed", "email", email.as_str());
            let page = MessagePage::texts(layout, vec![text], Some(("common-continue", "/compte")));
            (StatusCode::OK, page)
        }
        EmailChange::Taken => (
            StatusCode::CONFLICT,
            MessagePage::new(
                Layout::new(&state, &visitor, "email-change-taken-title"),
                &["email-change-taken"],
                Some(("common-back-home", "/")),
            )
            .problem(),
        ),
        EmailChange::Invalid => (StatusCode::BAD_REQUEST, invalid_link(&state, &visitor)),
    };
    let response = visitor.respond(render(&page)?);
    Ok(no_referrer((status, response).into_response()))
}
