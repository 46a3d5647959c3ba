//! Accepting a delegate invitation (DEL-1): the emailed link leads to a form
//! that creates the account with its password; only its POST uses the link.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::links::{self, LinkQuery, invalid_link, no_referrer};
use super::pages::{Layout, MessagePage, render};
use super::second_factor;
use super::signin::{local_part, password_error};
use super::visitor::{CookieName, CsrfForm, Visitor};
use super::{AppState, WebError};
use crate::db::{Accepted, InvitationState};
use crate::domain::password::{self, MAX_CHARS, MIN_CHARS};
use crate::domain::secret::Token;

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    layout: Layout,
    existing: bool,
    owner_email: String,
    email: String,
    email_local: String,
    min: usize,
    max: usize,
    error: Option<&'static str>,
}

/// The invitation link: the token moves into a cookie and leaves the URL;
/// then the form, or why the link cannot be used.
pub async fn form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Query(query): Query<LinkQuery>,
) -> Result<Response, WebError> {
    if let Some(redirect) =
        links::take_token(&mut visitor, query, CookieName::Invitation, "/invitation")
    {
        return Ok(no_referrer(visitor.respond(redirect)));
    }
    let (_, owner_email, email) = match invitation(&state, &visitor).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(no_referrer(visitor.respond(refusal))),
    };
    let mut page = page(&state, &visitor, owner_email, email, None);
    page.existing = state.store.account_by_email(&page.email).await?.is_some();
    Ok(no_referrer(visitor.respond(render(&page)?)))
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    owner_email: String,
    email: String,
    error: Option<&'static str>,
) -> InvitationPage {
    InvitationPage {
        existing: false,
        layout: Layout::new(state, visitor, "invitation-title"),
        owner_email,
        email_local: local_part(&email),
        email,
        min: MIN_CHARS,
        max: MAX_CHARS,
        error,
    }
}

/// The invitation this browser holds: token, owner and invited email; or
/// the page to show instead.
async fn invitation(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Result<(Token, String, String), Response>, WebError> {
    let token = links::token(visitor, CookieName::Invitation);
    let found = match &token {
        Some(token) => {
            state
                .store
                .invitation(&token.hash(), state.clock.now())
                .await?
        }
        None => InvitationState::Invalid,
    };
    let (status, page) = match (found, token) {
        (InvitationState::Valid { owner_email, email }, Some(token)) => {
            return Ok(Ok((token, owner_email, email)));
        }
        (InvitationState::Expired, _) => (
            StatusCode::GONE,
            MessagePage::new(
                Layout::new(state, visitor, "invitation-expired-title"),
                &["invitation-expired"],
                Some(("common-back-home", "/")),
            )
            .problem(),
        ),
        _ => (StatusCode::BAD_REQUEST, invalid_link(state, visitor)),
    };
    Ok(Err((status, render(&page)?).into_response()))
}

/// The password of the new account.
#[derive(Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// The form posted: the account is created with the access, and signed in.
pub async fn submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<InvitationForm>,
) -> Result<Response, WebError> {
    let (token, owner_email, email) = match invitation(&state, &visitor).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(no_referrer(visitor.respond(refusal))),
    };
    // An address that has an account keeps its password: nothing to choose.
    let hash = if state.store.account_by_email(&email).await?.is_some() {
        None
    } else {
        Some(new_password_hash(&state, &visitor, &form, owner_email, &email).await?)
    };
    let hash = match hash {
        Some(Err(refused)) => return Ok(visitor.respond(refused)),
        Some(Ok(hash)) => Some(hash),
        None => None,
    };
    let Some(accepted) = state
        .store
        .accept_invitation(
            &token.hash(),
            hash.as_deref(),
            visitor.lang,
            state.clock.now(),
        )
        .await?
    else {
        let page = invalid_link(&state, &visitor);
        return Ok((StatusCode::BAD_REQUEST, visitor.respond(render(&page)?)).into_response());
    };
    visitor.remove_cookie(CookieName::Invitation);
    finish(state, visitor, accepted).await
}

/// The hash of the password chosen for a new account, or the form again.
async fn new_password_hash(
    state: &AppState,
    visitor: &Visitor,
    form: &InvitationForm,
    owner_email: String,
    email: &str,
) -> Result<Result<String, Response>, WebError> {
    let local = local_part(email);
    let checked = password::check_new(
        &form.password,
        &form.confirmation,
        &local,
        &state.config.lab_name,
    );
    let password = match checked {
        Ok(password) => password,
        Err(problem) => {
            let page = page(
                state,
                visitor,
                owner_email,
                email.to_owned(),
                Some(password_error(problem)),
            );
            let response = (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response();
            return Ok(Err(response));
        }
    };
    Ok(Ok(state.hasher.hash(password).await?))
}

/// Signs a new delegate in, or tells an existing account where to go.
async fn finish(
    state: AppState,
    mut visitor: Visitor,
    accepted: Accepted,
) -> Result<Response, WebError> {
    if !accepted.created {
        let page = MessagePage::new(
            Layout::new(&state, &visitor, "common-access-added-title"),
            &["invitation-added"],
            Some(("common-sign-in", "/connexion?retour=/rapports")),
        );
        return Ok(no_referrer(visitor.respond(render(&page)?)));
    }
    tracing::info!(account_id = accepted.account_id, "delegate account created");
    let next = second_factor::after_password(
        &state,
        &mut visitor,
        accepted.account_id,
        false,
        "/rapports",
    )
    .await?;
    Ok(no_referrer(visitor.respond(next)))
}
