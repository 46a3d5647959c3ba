//! First connection (choosing the password), sign-in and sign-out
//! (PWD-1, PWD-2, LOGIN-1, LOGIN-2).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::links::{self, LinkQuery, invalid_link, no_referrer};
use super::pages::{Layout, MessagePage, echo, render, unprocessable};
use super::visitor::{CookieName, CsrfForm, NoFields, Visitor};
use super::{AppState, WebError, second_factor, see_other, throttle};
use crate::db::{AuditEvent, LinkState, NewSession, SessionKind};
use crate::domain::Email;
use crate::domain::password::{self, MAX_CHARS, MIN_CHARS, Password, PasswordProblem};
use crate::domain::secret::Token;

#[derive(Template)]
#[template(path = "set_password.html")]
pub(super) struct SetPasswordPage {
    layout: Layout,
    form: PasswordForm,
    email: String,
    email_local: String,
    min: usize,
    max: usize,
    error: Option<&'static str>,
}

impl SetPasswordPage {
    /// Whether the error is about the current password, not the new one.
    fn current_refused(&self) -> bool {
        matches!(
            self.error,
            Some("password-current-wrong" | "common-too-many-tries")
        )
    }

    /// Whether the error is about the new password.
    fn new_refused(&self) -> bool {
        self.error.is_some() && !self.current_refused()
    }
}

/// The screens that choose a password: they differ only by their words,
/// their target and whether the current password is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PasswordForm {
    /// First connection (PWD-1).
    First,
    /// Forgotten password (RESET-2).
    Reset,
    /// Change from "Mon compte" (ACC-1).
    Change,
}

impl PasswordForm {
    fn heading(self) -> &'static str {
        match self {
            PasswordForm::First => "password-first-title",
            PasswordForm::Reset => "password-reset-title",
            PasswordForm::Change => "password-change-title",
        }
    }

    fn action(self) -> &'static str {
        match self {
            PasswordForm::First => "/premiere-connexion",
            PasswordForm::Reset => "/mot-de-passe-oublie/nouveau",
            PasswordForm::Change => "/compte/mot-de-passe",
        }
    }

    fn submit(self) -> &'static str {
        match self {
            PasswordForm::First | PasswordForm::Reset => "password-save-and-see",
            PasswordForm::Change => "password-save-new",
        }
    }

    fn asks_current(self) -> bool {
        self == PasswordForm::Change
    }
}

/// Who may set a password in this browser.
enum Setter {
    /// A session that allows it: a set-password session, or a full one
    /// whose account has no password yet.
    Session { account_id: i64, email: String },
    /// A first-connection link's token, kept in its cookie.
    Link { token: Token, email: String },
}

impl Setter {
    fn email(&self) -> &str {
        match self {
            Setter::Session { email, .. } | Setter::Link { email, .. } => email,
        }
    }
}

/// Finds who may set a password here; or the page to show instead.
async fn password_setter(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Result<Setter, Response>, WebError> {
    // A link opened in this browser names its account: it comes before
    // whatever session the browser holds.
    let Some(token) = links::token(visitor, CookieName::FirstConnection) else {
        let allowed = visitor
            .session
            .as_ref()
            .filter(|s| s.kind == SessionKind::SetPassword || !s.has_password);
        if let Some(session) = allowed {
            let (account_id, email) = (session.account_id, session.email.clone());
            return Ok(Ok(Setter::Session { account_id, email }));
        }
        if visitor.full_session().is_some() {
            return Ok(Err(see_other("/rapports")));
        }
        let page = MessagePage::new(
            Layout::new(state, visitor, "password-first-title"),
            &["first-connection-no-link", "first-connection-has-password"],
            Some(("common-sign-in", "/connexion")),
        );
        return Ok(Err(render(&page)?.into_response()));
    };
    let state_of_link = state
        .store
        .first_connection(&token.hash(), state.clock.now())
        .await?;
    let status = match state_of_link {
        LinkState::Expired => StatusCode::GONE,
        LinkState::Invalid => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let page = match state_of_link {
        LinkState::Valid { email, .. } => return Ok(Ok(Setter::Link { token, email })),
        LinkState::PasswordAlreadySet => MessagePage::new(
            Layout::new(state, visitor, "first-connection-already-title"),
            &["first-connection-already"],
            Some(("common-sign-in", "/connexion?retour=/rapports")),
        ),
        LinkState::Expired => MessagePage::new(
            Layout::new(state, visitor, "common-link-expired-title"),
            &["first-connection-expired"],
            Some(("common-back-home", "/")),
        )
        .problem(),
        LinkState::Invalid => invalid_link(state, visitor),
    };
    Ok(Err(no_referrer((status, render(&page)?).into_response())))
}

/// First connection: choose a password. Opened with an emailed link, the
/// token moves into a cookie and leaves the URL.
pub async fn set_password_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Query(query): Query<LinkQuery>,
) -> Result<Response, WebError> {
    if let Some(redirect) = links::take_token(
        &mut visitor,
        query,
        CookieName::FirstConnection,
        "/premiere-connexion",
    ) {
        return Ok(no_referrer(visitor.respond(redirect)));
    }
    let setter = match password_setter(&state, &visitor).await? {
        Ok(setter) => setter,
        Err(page) => return Ok(visitor.respond(page)),
    };
    let page = password_page(PasswordForm::First, &state, &visitor, setter.email(), None);
    Ok(no_referrer(visitor.respond(render(&page)?)))
}

/// The page of a password form, with its error if any.
pub(super) fn password_page(
    form: PasswordForm,
    state: &AppState,
    visitor: &Visitor,
    email: &str,
    error: Option<&'static str>,
) -> SetPasswordPage {
    let mut layout = Layout::new(state, visitor, form.heading());
    if error.is_some() {
        layout.mark_error();
    }
    SetPasswordPage {
        layout,
        form,
        email_local: local_part(email),
        email: email.to_owned(),
        min: MIN_CHARS,
        max: MAX_CHARS,
        error,
    }
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
    let setter = match password_setter(&state, &visitor).await? {
        Ok(setter) => setter,
        Err(page) => return Ok(visitor.respond(page)),
    };
    let local = local_part(setter.email());
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
                PasswordForm::First,
                &state,
                &visitor,
                setter.email(),
                Some(password_error(problem)),
            );
            return Ok(unprocessable(visitor.respond(render(&page)?)));
        }
    };

    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    let account_id = match setter {
        Setter::Session { account_id, .. } => {
            state.store.set_password(account_id, &hash, now).await?;
            account_id
        }
        Setter::Link { token, .. } => {
            let Some(account_id) = state
                .store
                .set_password_with_token(&token.hash(), &hash, now)
                .await?
            else {
                let page = invalid_link(&state, &visitor);
                return Ok(visitor.respond(render(&page)?));
            };
            visitor.remove_cookie(CookieName::FirstConnection);
            account_id
        }
    };
    state.store.delete_sessions_of(account_id, None).await?;
    visitor.session_hash = None;
    audit(&state, &visitor, account_id, "password_set").await?;
    let next =
        second_factor::after_password(&state, &mut visitor, account_id, false, "/rapports").await?;
    Ok(visitor.respond(next))
}

pub(super) fn local_part(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.local_part().to_owned())
        .unwrap_or_default()
}

/// The message id of a refused password (its text takes `min` and `max`).
pub fn password_error(problem: PasswordProblem) -> &'static str {
    match problem {
        PasswordProblem::TooShort => "password-too-short",
        PasswordProblem::TooLong => "password-too-long",
        PasswordProblem::ContainsEmail => "password-contains-email",
        PasswordProblem::ContainsLabName => "password-contains-lab",
        PasswordProblem::Common => "password-common",
        PasswordProblem::Mismatch => "password-mismatch",
        PasswordProblem::Unchanged => "password-unchanged",
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
    retry_minutes: Option<i64>,
    remember_days: i64,
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
        layout: Layout::new(&state, &visitor, "signin-title"),
        email: String::new(),
        retour,
        failed: false,
        signed_out: query.sortie.is_some(),
        retry_minutes: None,
        remember_days: state.config.remember_days,
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
    let email = Email::parse(&form.email).ok();
    let login = email.as_ref().map_or_else(
        || form.email.trim().to_lowercase().chars().take(254).collect(),
        |e| e.normalized().to_owned(),
    );
    let mut page = SigninPage {
        layout: Layout::new(&state, &visitor, "signin-title").into_error(),
        email: echo(&form.email, 254),
        retour: retour.clone(),
        failed: true,
        signed_out: false,
        retry_minutes: None,
        remember_days: state.config.remember_days,
    };
    let checks = [
        (throttle::SIGNIN_PER_ADDRESS, visitor.client_addr.as_str()),
        (throttle::SIGNIN_PER_ACCOUNT, login.as_str()),
    ];
    if let Some(until) = throttle::attempt(&state, &checks).await? {
        page.retry_minutes = Some(throttle::minutes_until(&state, until));
        let response = visitor.respond(render(&page)?);
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }

    let account = match &email {
        Some(email) => state.store.account_by_email(email.normalized()).await?,
        None => None,
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let password = Password::new(&form.password);
    let verified = state.hasher.verify(password, stored).await?;
    let Some(account) = account.filter(|_| verified) else {
        tracing::info!("sign-in refused");
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };
    let account_key = [(throttle::SIGNIN_PER_ACCOUNT, login.as_str())];
    let address = [(throttle::SIGNIN_PER_ADDRESS, visitor.client_addr.as_str())];
    throttle::succeeded(&state, &account_key, &address).await?;

    let remember = form.remember.is_some();
    let next =
        second_factor::after_password(&state, &mut visitor, account.id, remember, &retour).await?;
    Ok(visitor.respond(next))
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
pub(super) async fn open_full_session(
    state: &AppState,
    visitor: &mut Visitor,
    account_id: i64,
    remember: bool,
) -> Result<(), WebError> {
    open_session(state, visitor, account_id, SessionKind::Full, remember).await
}

/// Opens a new session of `kind`. `remember` keeps a full session beyond
/// the browser's life; the short steps before one only note the choice.
pub(super) async fn open_session(
    state: &AppState,
    visitor: &mut Visitor,
    account_id: i64,
    kind: SessionKind,
    remember: bool,
) -> Result<(), WebError> {
    let id = Token::generate();
    let now = state.clock.now();
    let lifetime = match kind {
        SessionKind::SecondFactor => Duration::minutes(second_factor::SECOND_STEP_MINUTES),
        SessionKind::Enrol => Duration::minutes(second_factor::ENROL_MINUTES),
        _ if remember => Duration::days(state.config.remember_days),
        _ => Duration::hours(state.config.session_hours),
    };
    let session = NewSession {
        id_hash: id.hash(),
        account_id,
        kind,
        remember,
        now,
        expires_at: now + lifetime,
    };
    state.store.create_session(&session).await?;
    visitor.session_hash = Some(session.id_hash);
    let max_age = (remember && kind == SessionKind::Full).then_some(lifetime);
    visitor.set_cookie(CookieName::Session, id.expose().to_owned(), max_age);
    Ok(())
}

async fn audit(
    state: &AppState,
    visitor: &Visitor,
    account_id: i64,
    event: &'static str,
) -> Result<(), WebError> {
    audit_with(state, visitor, account_id, event, "").await
}

/// Records an account's event in the audit trail, with a detail.
pub(super) async fn audit_with(
    state: &AppState,
    visitor: &Visitor,
    account_id: i64,
    event: &'static str,
    detail: &str,
) -> Result<(), WebError> {
    tracing::info!(account_id, event, detail, "account event");
    let entry = AuditEvent {
        at: state.clock.now(),
        account_id: Some(account_id),
        recipient_id: None,
        event,
        detail: detail.to_owned(),
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
