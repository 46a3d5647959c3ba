//! First connection (choosing the password), sign-in and sign-out
//! (PWD-1, PWD-2, LOGIN-1, LOGIN-2).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;

use super::pages::{Layout, render};
use super::visitor::{CookieName, CsrfForm, NoFields, Visitor};
use super::{AppState, WebError, see_other};
use crate::db::{AuditEvent, NewSession, SessionKind};
use crate::domain::Email;
use crate::domain::password::{self, MAX_CHARS, MIN_CHARS, Password, PasswordProblem};
use crate::domain::secret::Token;

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    email: String,
    email_local: String,
    min: usize,
    max: usize,
    error: Option<&'static str>,
}

/// The account allowed to set its password in this browser, if any: a
/// set-password session, or a full one whose account has no password yet.
fn password_setter(visitor: &Visitor) -> Option<(i64, String)> {
    let session = visitor.session.as_ref()?;
    let allowed = session.kind == SessionKind::SetPassword || !session.has_password;
    allowed.then(|| (session.account_id, session.email.clone()))
}

/// First connection: choose a password.
pub async fn set_password_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Some((_, email)) = password_setter(&visitor) else {
        return Ok(visitor.respond(see_other("/connexion")));
    };
    let page = SetPasswordPage {
        layout: Layout::new(&state, &visitor, "Choisir mon mot de passe"),
        email_local: local_part(&email),
        email,
        min: MIN_CHARS,
        max: MAX_CHARS,
        error: None,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The new password as posted.
#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// First connection posted: sets the password and signs in fully.
pub async fn set_password_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Result<Response, WebError> {
    let Some((account_id, email)) = password_setter(&visitor) else {
        return Ok(visitor.respond(see_other("/connexion")));
    };
    let password = Password::new(&form.password);
    let local = local_part(&email);
    let checked = if form.password != form.confirmation {
        Err(PasswordProblem::Mismatch)
    } else {
        password::check(&password, &local, &state.config.lab_name)
    };
    if let Err(problem) = checked {
        let page = SetPasswordPage {
            layout: Layout::new(&state, &visitor, "Erreur – Choisir mon mot de passe"),
            email_local: local.clone(),
            email,
            min: MIN_CHARS,
            max: MAX_CHARS,
            error: Some(password_error(problem)),
        };
        return Ok(visitor.respond(render(&page)?));
    }

    let hash = state.hasher.hash(password).await?;
    state.store.set_password(account_id, &hash).await?;
    state.store.delete_sessions_of(account_id, None).await?;
    visitor.session_hash = None;
    open_full_session(&state, &mut visitor, account_id, false).await?;
    audit(&state, &visitor, account_id, "password_set").await?;
    Ok(visitor.respond(see_other("/rapports")))
}

fn local_part(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.local_part().to_owned())
        .unwrap_or_default()
}

/// The message of a refused password.
pub fn password_error(problem: PasswordProblem) -> &'static str {
    match problem {
        PasswordProblem::TooShort => {
            "Ce mot de passe est trop court : il faut au moins 12 caractères."
        }
        PasswordProblem::TooLong => "Ce mot de passe est trop long : 128 caractères au plus.",
        PasswordProblem::ContainsEmail => {
            "Ce mot de passe contient votre adresse email : choisissez-en un autre."
        }
        PasswordProblem::ContainsLabName => {
            "Ce mot de passe contient le nom du laboratoire : choisissez-en un autre."
        }
        PasswordProblem::Common => {
            "Ce mot de passe fait partie des plus courants, donc des premiers essayés par les \
             pirates : choisissez-en un autre."
        }
        PasswordProblem::Mismatch => "Les deux saisies ne sont pas identiques.",
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    layout: Layout,
    email: String,
    retour: String,
    failed: bool,
    signed_out: bool,
}

/// Where to go after signing in.
#[derive(Deserialize)]
pub struct SigninQuery {
    retour: Option<String>,
    #[serde(default)]
    sortie: Option<String>,
}

/// The sign-in page.
pub async fn signin_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SigninQuery>,
) -> Result<Response, WebError> {
    let retour = safe_return(query.retour.as_deref()).to_owned();
    if visitor.full_session().is_some() {
        return Ok(visitor.respond(see_other(&retour)));
    }
    let page = SigninPage {
        layout: Layout::new(&state, &visitor, "Connexion"),
        email: String::new(),
        retour,
        failed: false,
        signed_out: query.sortie.is_some(),
    };
    Ok(visitor.respond(render(&page)?))
}

/// The sign-in form as posted.
#[derive(Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    remember: Option<String>,
    retour: Option<String>,
}

/// Sign-in posted.
pub async fn signin_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<SigninForm>,
) -> Result<Response, WebError> {
    let retour = safe_return(form.retour.as_deref()).to_owned();
    let account = match Email::parse(&form.email) {
        Ok(email) => state.store.account_by_email(email.normalized()).await?,
        Err(_) => None,
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = state
        .hasher
        .verify(Password::new(&form.password), stored)
        .await?;

    let Some(account) = account.filter(|_| verified) else {
        tracing::info!("sign-in refused");
        let page = SigninPage {
            layout: Layout::new(&state, &visitor, "Erreur – Connexion"),
            email: form.email.chars().take(254).collect(),
            retour,
            failed: true,
            signed_out: false,
        };
        return Ok(visitor.respond(render(&page)?));
    };

    if let Some(old) = visitor.session_hash.take() {
        state.store.delete_session(&old).await?;
    }
    open_full_session(&state, &mut visitor, account.id, form.remember.is_some()).await?;
    audit(&state, &visitor, account.id, "signed_in").await?;
    Ok(visitor.respond(see_other(&retour)))
}

/// Sign-out: ends this session.
pub async fn sign_out(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    if let Some(hash) = visitor.session_hash.take() {
        state.store.delete_session(&hash).await?;
    }
    visitor.remove_cookie(CookieName::Session);
    Ok(visitor.respond(see_other("/connexion?sortie=1")))
}

/// Opens a new full session (a new id: never one the browser had).
async fn open_full_session(
    state: &AppState,
    visitor: &mut Visitor,
    account_id: i64,
    remember: bool,
) -> Result<(), WebError> {
    let id = Token::generate();
    let now = state.clock.now();
    let lifetime = if remember {
        Duration::days(state.config.remember_days)
    } else {
        Duration::hours(state.config.session_hours)
    };
    let session = NewSession {
        id_hash: id.hash(),
        account_id,
        kind: SessionKind::Full,
        remember,
        now,
        expires_at: now + lifetime,
    };
    state.store.create_session(&session).await?;
    let max_age = remember.then_some(lifetime);
    visitor.set_cookie(CookieName::Session, id.expose().to_owned(), max_age);
    Ok(())
}

async fn audit(
    state: &AppState,
    visitor: &Visitor,
    account_id: i64,
    event: &'static str,
) -> Result<(), WebError> {
    tracing::info!(account_id, event, "account event");
    let entry = AuditEvent {
        at: state.clock.now(),
        account_id: Some(account_id),
        recipient_id: None,
        event,
        detail: String::new(),
        client_addr: Some(visitor.client_addr.clone()),
    };
    Ok(state.store.audit(&entry).await?)
}

/// A return target if it is a path of this portal, else the reports page.
pub fn safe_return(target: Option<&str>) -> &str {
    const DEFAULT: &str = "/rapports";
    let Some(target) = target else {
        return DEFAULT;
    };
    let decoded = percent_decoded(target);
    let local = |t: &str| {
        t.starts_with('/')
            && !t.starts_with("//")
            && !t.contains('\\')
            && !t.chars().any(char::is_control)
    };
    let plain = target
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.?=&%".contains(c));
    if plain && local(target) && local(&decoded) && target.len() <= 512 {
        target
    } else {
        DEFAULT
    }
}

fn percent_decoded(text: &str) -> String {
    let mut current = text.to_owned();
    for _ in 0..3 {
        let next = url::form_urlencoded::parse(format!("x={current}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn only_local_paths_are_return_targets() {
        assert_eq!(safe_return(Some("/rapports?page=2")), "/rapports?page=2");
        assert_eq!(safe_return(Some("/compte")), "/compte");
        for hostile in [
            "//evil.example.com",
            "/\\evil.example.com",
            "https://evil.example.com",
            "evil.example.com",
            "/%2F%2Fevil.example.com",
            "%2F%2Fevil.example.com",
            "/%5Cevil.example.com",
            "/%252F%252Fevil.example.com",
            "javascript:alert(1)",
            "/ok\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(safe_return(Some(hostile)), "/rapports", "{hostile}");
        }
        assert_eq!(safe_return(None), "/rapports");
    }
}
