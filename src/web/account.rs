//! "Mon compte": the account's page and what it manages (ACC-1).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use chrono::Duration;

use super::pages::{Layout, echo, render, unprocessable};
use super::signin::{PasswordForm, local_part, open_full_session, password_error, password_page};
use super::visitor::{CsrfForm, Visitor, require_full_session};
use super::{AppState, WebError, see_other, throttle};
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
    notice: Option<&'static str>,
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
    let notice = query.fait.as_deref().and_then(notice_of);
    let page = account_page(&state, &visitor, session, notice, None, String::new()).await?;
    Ok(visitor.respond(render(&page)?))
}

/// The words shown after an action of "Mon compte".
fn notice_of(done: &str) -> Option<&'static str> {
    match done {
        "mot-de-passe" => Some(
            "Votre nouveau mot de passe est enregistré. Vos autres connexions ont été fermées et \
             un email vous le confirme.",
        ),
        "delegue-ajoute" => {
            Some("Cette personne a désormais accès à vos rapports ; un email l'en informe.")
        }
        "delegue-invite" => Some(
            "Une invitation à créer son compte a été envoyée à cette adresse (valable 7 jours).",
        ),
        "delegue-retire" => {
            Some("Cet accès est supprimé : il ne permet plus de voir vos rapports.")
        }
        "email-demande" => Some(
            "Un lien de confirmation a été envoyé à la nouvelle adresse (valable 24 heures). Votre \
             identifiant ne change qu'une fois ce lien ouvert.",
        ),
        _ => None,
    }
}

async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    notice: Option<&'static str>,
    delegate_error: Option<&'static str>,
    delegate_email: String,
) -> Result<AccountPage, WebError> {
    let now = state.clock.now();
    Ok(AccountPage {
        email: session.email.clone(),
        recipients: state.store.access_recipients(session.account_id).await?,
        delegation: state.store.delegation(session.account_id, now).await?,
        notice,
        delegate_error,
        delegate_email,
        limit: state.config.max_delegates,
        layout: Layout::new(state, visitor, "Mon compte"),
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
        Err(_) => Some(refuse(
            "Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr.",
        )),
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
                AddDelegate::AlreadyThere => Some(refuse(
                    "Cette adresse a déjà accès à vos rapports, ou une invitation en attente.",
                )),
                AddDelegate::Itself => Some(refuse("C'est l'adresse de votre propre compte.")),
                AddDelegate::LimitReached => Some(refuse(
                    "Vous avez atteint le nombre maximal de destinataires : retirez-en un avant d'en ajouter un autre.",
                )),
                AddDelegate::NotOwner => Some(refuse(
                    "Seul le titulaire d'un accès peut le partager. Votre accès vous a été délégué : adressez-vous à la personne qui vous l'a donné.",
                )),
            }
        }
    };
    let (message, typed) = refusal.unwrap_or(("", String::new()));
    let page = account_page(&state, &visitor, &session, None, Some(message), typed).await?;
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
        layout: Layout::new(&state, &visitor, "Retirer un accès"),
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
    let account_key = [(throttle::SIGNIN_PER_ACCOUNT, session.email.as_str())];
    throttle::succeeded(&state, &account_key, &[]).await?;

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
