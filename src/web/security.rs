//! "Mon compte", security: setting up and removing the second factors
//! (an authenticator app, passkeys) and the recovery codes, each after the
//! password is typed again.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use super::account::current_password_refusal;
use super::pages::{Layout, MessagePage, escape, render, unprocessable};
use super::second_factor::{
    APP, CODES_PER_ACCOUNT, PASSKEY, Pending, credential_key, keep, kept, passkey_user,
    signed_in_with, stored_passkeys, take,
};
use super::signin::audit_with;
use super::visitor::{CsrfForm, Visitor, require_full_session};
use super::{AppState, WebError, see_other, throttle};
use crate::db::{FactorRef, Factors, NewFactor, Removal, SessionInfo, SessionKind};
use crate::domain::second_factor::{
    app_uri, check_app_code, grouped, new_app_secret, new_recovery_codes, qr_svg,
};
use crate::i18n::Tr;

/// Longest name of a passkey.
const NAME_MAX: usize = 60;

/// The session that may manage second factors, and whether it must type
/// its password again (a session setting up the factor the lab requires
/// has just typed it); or where to go.
fn manager(visitor: &Visitor) -> Result<(SessionInfo, bool), String> {
    match &visitor.session {
        Some(s) if s.kind == SessionKind::Enrol => Ok((s.clone(), false)),
        _ => require_full_session(visitor, "/compte/securite").map(|s| (s.clone(), true)),
    }
}

macro_rules! manager_or_leave {
    ($visitor:ident) => {
        match manager(&$visitor) {
            Ok(found) => found,
            Err(elsewhere) => return Ok($visitor.respond(see_other(&elsewhere))),
        }
    };
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    factors: Factors,
    enrolling: bool,
    required: bool,
    passkeys_possible: bool,
    notice: Option<String>,
}

impl SecurityPage {
    fn date(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.layout.tr.date(at.date_naive())
    }
}

/// What the page was reached after.
#[derive(Deserialize)]
pub struct DoneQuery {
    fait: Option<String>,
}

/// GET `/compte/securite`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let (session, asks_password) = manager_or_leave!(visitor);
    let mut layout = Layout::new(&state, &visitor, "security-title");
    let notice = match query.fait.as_deref() {
        Some("application") => Some(layout.t("security-done-app")),
        Some("cle") => Some(layout.t("security-done-passkey")),
        Some("retire") => Some(layout.t("security-done-removed")),
        Some("codes") => Some(layout.t("security-done-codes")),
        _ => None,
    };
    layout.path = "/compte/securite".to_owned();
    let page = SecurityPage {
        layout,
        factors: state.store.factors(session.account_id).await?,
        enrolling: !asks_password,
        required: state.config.require_second_factor,
        passkeys_possible: state.passkeys.is_some(),
        notice,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The page that asks the password again before a change.
#[derive(Template)]
#[template(path = "security_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    heading: String,
    intro: Vec<String>,
    action: &'static str,
    hidden: Vec<(&'static str, String)>,
    /// The passkey's name field, with its value, when one is named.
    name: Option<String>,
    asks_password: bool,
    /// A refused password.
    error: Option<String>,
    /// A refused name.
    name_error: Option<String>,
    submit: String,
}

impl ConfirmPage {
    fn new(
        state: &AppState,
        visitor: &Visitor,
        title: &str,
        action: &'static str,
        asks_password: bool,
    ) -> Self {
        let layout = Layout::new(state, visitor, title);
        let submit = layout.t("security-continue");
        Self {
            heading: layout.t(title),
            layout,
            intro: Vec::new(),
            action,
            hidden: Vec::new(),
            name: None,
            asks_password,
            error: None,
            name_error: None,
            submit,
        }
    }

    fn refused(mut self, error: String) -> Result<Response, WebError> {
        self.error = Some(error);
        self.into_refusal()
    }

    fn into_refusal(mut self) -> Result<Response, WebError> {
        self.layout.mark_error();
        Ok(unprocessable(render(&self)?.into_response()))
    }
}

/// The password typed again, and what else a form holds.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    facteur: String,
}

/// Checks the password typed again, when it must be: the refusal's words.
async fn password_refusal(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    asks_password: bool,
    typed: &str,
) -> Result<Option<String>, WebError> {
    if !asks_password {
        return Ok(None);
    }
    let refusal = current_password_refusal(state, session, typed).await?;
    Ok(refusal.map(|id| Tr::new(visitor.lang).t(id)))
}

// ---- Authenticator app ----------------------------------------------------

#[derive(Template)]
#[template(path = "security_app.html")]
struct AppPage {
    layout: Layout,
    qr: String,
    secret: String,
    uri: String,
    error: Option<String>,
}

fn app_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    secret: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let mut layout = Layout::new(state, visitor, "security-app-title");
    layout.path = "/compte/securite/application".to_owned();
    let uri = app_uri(secret, &session.email, &state.config.lab_name).unwrap_or_default();
    let label = escape(&layout.t("security-app-qr-label"));
    let qr = qr_svg(&uri)
        .map(|svg| {
            svg.replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-label=\"{label}\" "),
                1,
            )
        })
        .unwrap_or_default();
    let refused = error.is_some();
    if refused {
        layout.mark_error();
    }
    let page = AppPage {
        layout,
        qr,
        secret: grouped(secret),
        uri,
        error,
    };
    let response = render(&page)?.into_response();
    Ok(if refused {
        unprocessable(response)
    } else {
        response
    })
}

/// The password asked again before an app is set up.
fn app_password_page(state: &AppState, visitor: &Visitor) -> ConfirmPage {
    let mut page = ConfirmPage::new(
        state,
        visitor,
        "security-app-title",
        "/compte/securite/application",
        true,
    );
    page.intro = vec![page.layout.t("security-app-intro")];
    page
}

/// GET `/compte/securite/application`: the secret being set up if any;
/// else the password first (or, while setting up the factor the lab
/// requires, a new secret at once).
pub async fn app_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let (session, asks_password) = manager_or_leave!(visitor);
    if let Some((Pending::AppEnrol { secret, .. }, _)) = kept(&state, &visitor).await? {
        let page = app_page(&state, &visitor, &session, &secret, None)?;
        return Ok(visitor.respond(page));
    }
    if !asks_password {
        return start_app(&state, visitor, &session).await;
    }
    let page = app_password_page(&state, &visitor);
    Ok(visitor.respond(render(&page)?))
}

async fn start_app(
    state: &AppState,
    visitor: Visitor,
    session: &SessionInfo,
) -> Result<Response, WebError> {
    if state
        .store
        .factors(session.account_id)
        .await?
        .totp
        .is_some()
    {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    let secret = new_app_secret();
    let pending = Pending::AppEnrol {
        secret: secret.clone(),
        until: Pending::deadline(state),
    };
    keep(state, &visitor, &pending).await?;
    let page = app_page(state, &visitor, session, &secret, None)?;
    Ok(visitor.respond(page))
}

/// POST `/compte/securite/application`: the password, then a new secret.
pub async fn app_start(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let (session, asks_password) = manager_or_leave!(visitor);
    if let Some(error) =
        password_refusal(&state, &visitor, &session, asks_password, &form.password).await?
    {
        let page = app_password_page(&state, &visitor);
        let refused = page.refused(error)?;
        return Ok(visitor.respond(refused));
    }
    start_app(&state, visitor, &session).await
}

/// The app's first code as posted.
#[derive(Deserialize)]
pub struct AppCodeForm {
    #[serde(default)]
    code: String,
}

/// POST `/compte/securite/application/confirmer`: the app's first code
/// proves it holds the secret.
pub async fn app_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<AppCodeForm>,
) -> Result<Response, WebError> {
    let (session, _) = manager_or_leave!(visitor);
    let Some((Pending::AppEnrol { secret, .. }, json)) = kept(&state, &visitor).await? else {
        {
            let page = expired_step(&state, &visitor)?;
            return Ok(visitor.respond(page));
        }
    };
    let tr = Tr::new(visitor.lang);
    let account_key = session.account_id.to_string();
    let checks = [(CODES_PER_ACCOUNT, account_key.as_str())];
    if let Some(until) = throttle::attempt(&state, &checks).await? {
        let minutes = throttle::minutes_until(&state, until);
        let error = tr.t1("second-step-blocked", "minutes", minutes);
        let page = app_page(&state, &visitor, &session, &secret, Some(error))?;
        return Ok(visitor.respond((StatusCode::TOO_MANY_REQUESTS, page)));
    }
    let now = state.clock.now().timestamp();
    let Some(step) = check_app_code(&secret, &form.code, now) else {
        let error = tr.t("security-app-wrong-code");
        let page = app_page(&state, &visitor, &session, &secret, Some(error))?;
        return Ok(visitor.respond(page));
    };
    if !take(&state, &visitor, &json).await? {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    throttle::succeeded(&state, &[(CODES_PER_ACCOUNT, account_key.as_str())], &[]).await?;
    // The code that proved the app may not sign in as well.
    let factor = NewFactor::Totp {
        secret,
        last_step: step,
    };
    add(&state, visitor, &session, &factor, "application").await
}

/// Adds a factor; makes recovery codes when the account has none; ends a
/// session that was only setting up the required factor with a full one.
async fn add(
    state: &AppState,
    mut visitor: Visitor,
    session: &SessionInfo,
    factor: &NewFactor,
    done: &str,
) -> Result<Response, WebError> {
    let factors = state.store.factors(session.account_id).await?;
    let (codes, hashes) = new_recovery_codes();
    let first_codes = factors.recovery_left == 0;
    let recovery = first_codes.then_some(hashes.as_slice());
    let now = state.clock.now();
    if !state
        .store
        .add_factor(session.account_id, factor, recovery, now)
        .await?
    {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    state.mail_wake.notify_one();
    let factor_name = match factor {
        NewFactor::Totp { .. } => APP,
        NewFactor::Passkey { .. } => PASSKEY,
    };
    audit_with(
        state,
        &visitor,
        session.account_id,
        "second_factor_added",
        factor_name,
    )
    .await?;
    let enrolling = session.kind == SessionKind::Enrol;
    if enrolling {
        signed_in_with(state, &mut visitor, session, factor_name).await?;
    }
    if !first_codes {
        return Ok(visitor.respond(see_other(&format!("/compte/securite?fait={done}"))));
    }
    let next = match enrolling {
        true => "/rapports".to_owned(),
        false => format!("/compte/securite?fait={done}"),
    };
    let page = codes_page(state, &visitor, codes, next);
    Ok(visitor.respond(render(&page)?))
}

/// The page for a step that is no longer kept (too old, or done in
/// another tab).
fn expired_step(state: &AppState, visitor: &Visitor) -> Result<Response, WebError> {
    let page = MessagePage::new(
        Layout::new(state, visitor, "security-step-expired-title"),
        &["security-step-expired"],
        Some(("security-back", "/compte/securite")),
    )
    .problem();
    Ok((StatusCode::CONFLICT, render(&page)?).into_response())
}

// ---- Passkeys ---------------------------------------------------------------

fn passkey_confirm_page(
    state: &AppState,
    visitor: &Visitor,
    asks_password: bool,
    name: String,
) -> ConfirmPage {
    let mut page = ConfirmPage::new(
        state,
        visitor,
        "security-passkey-title",
        "/compte/securite/cle",
        asks_password,
    );
    page.intro = vec![page.layout.t("security-passkey-intro")];
    page.name = Some(name);
    page
}

/// GET `/compte/securite/cle`: the passkey's name, and the password.
pub async fn passkey_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let (_, asks_password) = manager_or_leave!(visitor);
    if state.passkeys.is_none() {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    let page = passkey_confirm_page(&state, &visitor, asks_password, String::new());
    Ok(visitor.respond(render(&page)?))
}

#[derive(Template)]
#[template(path = "security_passkey.html")]
struct PasskeyPage {
    layout: Layout,
    name: String,
    options: String,
}

/// POST `/compte/securite/cle`: the password, then the browser's question
/// to the passkey.
pub async fn passkey_start(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let (session, asks_password) = manager_or_leave!(visitor);
    let Some(verifier) = state.passkeys.clone() else {
        return Ok(visitor.respond(see_other("/compte/securite")));
    };
    let name = plain_name(&form.name);
    let tr = Tr::new(visitor.lang);
    let name_refusal = if name.is_empty() {
        Some(tr.t("security-passkey-name-missing"))
    } else if name.chars().count() > NAME_MAX {
        Some(tr.t1("security-passkey-name-long", "max", NAME_MAX))
    } else {
        None
    };
    if let Some(error) = name_refusal {
        let mut page = passkey_confirm_page(&state, &visitor, asks_password, name);
        page.name_error = Some(error);
        return Ok(visitor.respond(page.into_refusal()?));
    }
    if let Some(error) =
        password_refusal(&state, &visitor, &session, asks_password, &form.password).await?
    {
        let page = passkey_confirm_page(&state, &visitor, asks_password, name);
        return Ok(visitor.respond(page.refused(error)?));
    }
    let factors = state.store.factors(session.account_id).await?;
    let known = stored_passkeys(&factors)
        .into_iter()
        .map(|(_, p)| p.cred_id().clone())
        .collect();
    let user = passkey_user(&state, session.account_id);
    let (options, registration) = verifier
        .start_passkey_registration(user, &session.email, &session.email, Some(known))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let pending = Pending::PasskeyEnrol {
        name: name.clone(),
        state: registration,
        until: Pending::deadline(&state),
    };
    keep(&state, &visitor, &pending).await?;
    let mut layout = Layout::new(&state, &visitor, "security-passkey-title");
    layout.path = "/compte/securite/cle".to_owned();
    let page = PasskeyPage {
        layout,
        name,
        options: serde_json::to_string(&options).map_err(|e| WebError::Internal(e.to_string()))?,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The new passkey's answer as posted.
#[derive(Deserialize)]
pub struct PasskeyAnswer {
    #[serde(default)]
    credential: String,
}

/// POST `/compte/securite/cle/confirmer`: the new passkey's public key.
pub async fn passkey_confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<PasskeyAnswer>,
) -> Result<Response, WebError> {
    let (session, _) = manager_or_leave!(visitor);
    let (
        Some(verifier),
        Some((
            Pending::PasskeyEnrol {
                name,
                state: registration,
                ..
            },
            json,
        )),
    ) = (state.passkeys.clone(), kept(&state, &visitor).await?)
    else {
        let page = expired_step(&state, &visitor)?;
        return Ok(visitor.respond(page));
    };
    if !take(&state, &visitor, &json).await? {
        let page = expired_step(&state, &visitor)?;
        return Ok(visitor.respond(page));
    }
    let created = serde_json::from_str::<RegisterPublicKeyCredential>(&form.credential)
        .ok()
        .and_then(|answer| {
            verifier
                .finish_passkey_registration(&answer, &registration)
                .ok()
        });
    let Some(passkey) = created else {
        tracing::info!(
            account_id = session.account_id,
            "passkey refused at creation"
        );
        let page = MessagePage::new(
            Layout::new(&state, &visitor, "security-passkey-failed-title"),
            &["security-passkey-failed"],
            Some(("security-passkey-again", "/compte/securite/cle")),
        )
        .problem();
        let response = unprocessable(render(&page)?.into_response());
        return Ok(visitor.respond(response));
    };
    let factor = NewFactor::Passkey {
        credential_id: credential_key(passkey.cred_id()),
        name,
        passkey: serde_json::to_string(&passkey).map_err(|e| WebError::Internal(e.to_string()))?,
    };
    add(&state, visitor, &session, &factor, "cle").await
}

// ---- Removal and recovery codes --------------------------------------------

/// A typed name without control or invisible formatting characters (which
/// could reorder the text around it on pages and in emails), trimmed.
fn plain_name(typed: &str) -> String {
    let kept: String = typed
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{061C}' | '\u{00AD}')
        })
        .take(NAME_MAX + 1)
        .collect();
    kept.trim().to_owned()
}

/// Which factor a form names: `application` or `cle-<id>`.
fn factor_of(text: &str) -> Option<FactorRef> {
    match text {
        "application" => Some(FactorRef::Totp),
        _ => text
            .strip_prefix("cle-")?
            .parse()
            .ok()
            .map(FactorRef::Passkey),
    }
}

/// A factor of the account named by a form, with its name to show.
fn named(factors: &Factors, which: FactorRef, tr: &Tr) -> Option<String> {
    match which {
        FactorRef::Totp => factors.totp.as_ref().map(|_| tr.t("security-app-name")),
        FactorRef::Passkey(id) => factors
            .passkeys
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone()),
    }
}

/// The page refusing to remove the last factor the lab requires.
fn last_required_page(state: &AppState, visitor: &Visitor) -> Result<Response, WebError> {
    let page = MessagePage::new(
        Layout::new(state, visitor, "security-remove-title"),
        &["security-remove-last-required"],
        Some(("security-back", "/compte/securite")),
    )
    .problem();
    Ok((StatusCode::CONFLICT, render(&page)?).into_response())
}

/// Which factor to remove.
#[derive(Deserialize)]
pub struct RemoveQuery {
    #[serde(default)]
    facteur: String,
}

/// The confirmation page of a removal, or the page to show instead.
async fn removal_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    facteur: &str,
) -> Result<Result<ConfirmPage, Response>, WebError> {
    let factors = state.store.factors(session.account_id).await?;
    let tr = Tr::new(visitor.lang);
    let which = factor_of(facteur).ok_or(WebError::NotFound)?;
    let name = named(&factors, which, &tr).ok_or(WebError::NotFound)?;
    if state.config.require_second_factor && factors.count() == 1 {
        return Ok(Err(last_required_page(state, visitor)?));
    }
    let mut page = ConfirmPage::new(
        state,
        visitor,
        "security-remove-title",
        "/compte/securite/retirer",
        true,
    );
    page.intro = vec![
        page.layout
            .t1("security-remove-intro", "name", name.as_str()),
    ];
    if factors.count() == 1 {
        page.intro.push(page.layout.t("security-remove-last"));
    }
    page.hidden = vec![("facteur", facteur.to_owned())];
    page.submit = page.layout.t("security-remove-submit");
    Ok(Ok(page))
}

/// GET `/compte/securite/retirer`.
pub async fn remove_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<RemoveQuery>,
) -> Result<Response, WebError> {
    let Ok(session) = require_full_session(&visitor, "/compte/securite").cloned() else {
        return Ok(visitor.respond(see_other("/compte/securite")));
    };
    let page = match removal_page(&state, &visitor, &session, &query.facteur).await? {
        Ok(page) => render(&page)?.into_response(),
        Err(other) => other,
    };
    Ok(visitor.respond(page))
}

/// POST `/compte/securite/retirer`.
pub async fn remove(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let Ok(session) = require_full_session(&visitor, "/compte/securite").cloned() else {
        return Ok(visitor.respond(see_other("/compte/securite")));
    };
    let page = match removal_page(&state, &visitor, &session, &form.facteur).await? {
        Ok(page) => page,
        Err(other) => return Ok(visitor.respond(other)),
    };
    if let Some(error) = password_refusal(&state, &visitor, &session, true, &form.password).await? {
        let refused = page.refused(error)?;
        return Ok(visitor.respond(refused));
    }
    let which = factor_of(&form.facteur).ok_or(WebError::NotFound)?;
    let now = state.clock.now();
    let keep_one = state.config.require_second_factor;
    let removal = state
        .store
        .remove_factor(session.account_id, which, keep_one, now)
        .await?;
    if removal == Removal::LastKept {
        let page = last_required_page(&state, &visitor)?;
        return Ok(visitor.respond(page));
    }
    if removal == Removal::Removed {
        state.mail_wake.notify_one();
        audit_with(
            &state,
            &visitor,
            session.account_id,
            "second_factor_removed",
            &form.facteur,
        )
        .await?;
    }
    Ok(visitor.respond(see_other("/compte/securite?fait=retire")))
}

#[derive(Template)]
#[template(path = "security_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    /// Where the person goes once the codes are kept.
    next: String,
}

fn codes_page(state: &AppState, visitor: &Visitor, codes: Vec<String>, next: String) -> CodesPage {
    let mut layout = Layout::new(state, visitor, "security-codes-title");
    // The codes are shown once: the switch would reload the page without
    // them.
    layout.switch = false;
    CodesPage {
        layout,
        codes,
        next,
    }
}

fn renew_page(state: &AppState, visitor: &Visitor) -> ConfirmPage {
    let mut page = ConfirmPage::new(
        state,
        visitor,
        "security-renew-title",
        "/compte/securite/codes",
        true,
    );
    page.intro = vec![page.layout.t("security-renew-intro")];
    page.submit = page.layout.t("security-renew-submit");
    page
}

/// GET `/compte/securite/codes`: new recovery codes, after the password.
pub async fn codes_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Ok(session) = require_full_session(&visitor, "/compte/securite").cloned() else {
        return Ok(visitor.respond(see_other("/compte/securite")));
    };
    if !state.store.factors(session.account_id).await?.any() {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    let page = renew_page(&state, &visitor);
    Ok(visitor.respond(render(&page)?))
}

/// POST `/compte/securite/codes`.
pub async fn codes_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let Ok(session) = require_full_session(&visitor, "/compte/securite").cloned() else {
        return Ok(visitor.respond(see_other("/compte/securite")));
    };
    if !state.store.factors(session.account_id).await?.any() {
        return Ok(visitor.respond(see_other("/compte/securite")));
    }
    if let Some(error) = password_refusal(&state, &visitor, &session, true, &form.password).await? {
        let refused = renew_page(&state, &visitor).refused(error)?;
        return Ok(visitor.respond(refused));
    }
    let (codes, hashes) = new_recovery_codes();
    state
        .store
        .replace_recovery_codes(session.account_id, &hashes, state.clock.now())
        .await?;
    state.mail_wake.notify_one();
    audit_with(
        &state,
        &visitor,
        session.account_id,
        "recovery_codes_renewed",
        "",
    )
    .await?;
    let page = codes_page(
        &state,
        &visitor,
        codes,
        "/compte/securite?fait=codes".to_owned(),
    );
    Ok(visitor.respond(render(&page)?))
}

#[cfg(test)]
mod tests {
    use super::plain_name;

    #[test]
    fn names_lose_invisible_and_reordering_characters() {
        assert_eq!(plain_name("  Clé du bureau "), "Clé du bureau");
        assert_eq!(plain_name("a\u{202E}b\u{200B}c\u{2066}d\ne"), "abcde");
        assert_eq!(plain_name("\u{FEFF}\u{00AD}"), "");
        assert_eq!(plain_name(&"é".repeat(100)).chars().count(), 61);
    }
}
