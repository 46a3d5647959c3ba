//! Two-step sign-in: where a browser goes once its password is right, the
//! second step (an app's code, a passkey or a recovery code), and the step
//! in progress that a session keeps between two requests.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use super::pages::{Layout, render, unprocessable};
use super::signin::{audit_with, open_session, safe_return};
use super::visitor::{CsrfForm, Visitor};
use super::{AppState, WebError, see_other, throttle};
use crate::config::Config;
use crate::db::{Factors, PasskeyFactor, SessionInfo, SessionKind};
use crate::domain::second_factor::{app_code, check_app_code, recovery_hash};
use crate::domain::secret::sha256_hex;

/// How long the second step may take after the password.
pub(super) const SECOND_STEP_MINUTES: i64 = 10;
/// How long setting up a factor may take, when the lab requires one.
pub(super) const ENROL_MINUTES: i64 = 30;
/// How long a step kept by a session (a secret shown, a challenge) lives.
const PENDING_MINUTES: i64 = 10;

/// The verifier of passkeys, for a portal reached by a host name (browsers
/// allow passkeys for no bare address).
pub fn passkey_verifier(config: &Config) -> Option<Webauthn> {
    let origin: &Url = &config.public_url;
    let host = origin.domain()?;
    WebauthnBuilder::new(host, origin)
        .ok()?
        .rp_name(&config.lab_name)
        .build()
        .ok()
}

/// The id under which an account's passkeys know it: stable, and telling
/// nothing of the account.
pub(super) fn passkey_user(state: &AppState, account_id: i64) -> Uuid {
    let digest = sha256_hex(format!("{} account {account_id}", state.config.public_url).as_bytes());
    let mut bytes = [0u8; 16];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digest.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    Uuid::from_bytes(bytes)
}

/// The verifier's records of an account's passkeys, with their row ids.
pub(super) fn stored_passkeys(factors: &Factors) -> Vec<(i64, Passkey)> {
    factors
        .passkeys
        .iter()
        .filter_map(|p: &PasskeyFactor| Some((p.id, serde_json::from_str(&p.passkey).ok()?)))
        .collect()
}

/// A credential id as stored: base64url.
pub(super) fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// A step that spans two requests of one session.
#[derive(Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub(super) enum Pending {
    /// An app's secret shown, waiting for its first code.
    AppEnrol {
        /// The secret, base32.
        secret: String,
        /// Unix time it stops being offered.
        until: i64,
    },
    /// A passkey being created.
    PasskeyEnrol {
        /// The name it will have.
        name: String,
        /// The verifier's state.
        state: PasskeyRegistration,
        /// Unix time it stops being offered.
        until: i64,
    },
    /// A passkey asked to sign in.
    PasskeySignIn {
        /// The verifier's state.
        state: PasskeyAuthentication,
        /// Unix time it stops being offered.
        until: i64,
    },
}

impl Pending {
    fn until(&self) -> i64 {
        match self {
            Pending::AppEnrol { until, .. }
            | Pending::PasskeyEnrol { until, .. }
            | Pending::PasskeySignIn { until, .. } => *until,
        }
    }

    /// The time such a step stops being offered, from now.
    pub(super) fn deadline(state: &AppState) -> i64 {
        (state.clock.now() + Duration::minutes(PENDING_MINUTES)).timestamp()
    }
}

/// Keeps a step in this browser's session.
pub(super) async fn keep(
    state: &AppState,
    visitor: &Visitor,
    pending: &Pending,
) -> Result<(), WebError> {
    let Some(hash) = &visitor.session_hash else {
        return Ok(());
    };
    let json = serde_json::to_string(pending).map_err(|e| WebError::Internal(e.to_string()))?;
    state.store.set_session_pending(hash, Some(&json)).await?;
    Ok(())
}

/// The step this browser's session keeps, if still live, with its stored
/// form (to take it once).
pub(super) async fn kept(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Option<(Pending, String)>, WebError> {
    let Some(hash) = &visitor.session_hash else {
        return Ok(None);
    };
    let Some(json) = state.store.session_pending(hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now().timestamp();
    Ok(serde_json::from_str::<Pending>(&json)
        .ok()
        .filter(|p| p.until() > now)
        .map(|p| (p, json)))
}

/// Takes the kept step: true for one request only, however many race.
pub(super) async fn take(
    state: &AppState,
    visitor: &Visitor,
    json: &str,
) -> Result<bool, WebError> {
    let Some(hash) = &visitor.session_hash else {
        return Ok(false);
    };
    Ok(state.store.take_session_pending(hash, json).await?)
}

/// Where a browser goes once a password proved the person (sign-in, first
/// connection, reset, new delegate): the second step for an account with
/// a second factor; setting one up when the lab requires it; else a full
/// session and `retour`.
pub(super) async fn after_password(
    state: &AppState,
    visitor: &mut Visitor,
    account_id: i64,
    remember: bool,
    retour: &str,
) -> Result<Response, WebError> {
    if let Some(old) = visitor.session_hash.take() {
        state.store.delete_session(&old).await?;
    }
    let factors = state.store.factors(account_id).await?;
    if factors.any() {
        open_session(
            state,
            visitor,
            account_id,
            SessionKind::SecondFactor,
            remember,
        )
        .await?;
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("retour", retour)
            .finish();
        return Ok(see_other(&format!("/connexion/verification?{query}")));
    }
    if state.config.require_second_factor {
        open_session(state, visitor, account_id, SessionKind::Enrol, remember).await?;
        return Ok(see_other("/compte/securite"));
    }
    open_session(state, visitor, account_id, SessionKind::Full, remember).await?;
    audit_with(state, visitor, account_id, "signed_in", "password").await?;
    Ok(see_other(retour))
}

/// The factors, as the audit trail names them.
pub(super) const APP: &str = "app";
/// See [`APP`].
pub(super) const PASSKEY: &str = "passkey";

/// Codes tried at the second step, per account.
pub(super) const CODES_PER_ACCOUNT: throttle::Limit = throttle::Limit {
    name: "factor-account",
    max: 5,
    window_secs: 15 * 60,
};

/// Codes tried at the second step, per client address.
pub(super) const CODES_PER_ADDRESS: throttle::Limit = throttle::Limit {
    name: "factor-address",
    max: 30,
    window_secs: 15 * 60,
};

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondStepPage {
    layout: Layout,
    retour: String,
    has_app: bool,
    /// The passkey challenge, JSON, when the account has passkeys.
    passkey_options: Option<String>,
    /// A refused code.
    error: Option<String>,
    /// A refused passkey.
    passkey_error: Option<String>,
    code: String,
}

/// Where to go after the second step.
#[derive(Deserialize)]
pub struct SecondStepQuery {
    retour: Option<String>,
}

/// The session waiting for its second step, or where to go instead.
fn waiting(visitor: &Visitor) -> Result<SessionInfo, &'static str> {
    match &visitor.session {
        Some(s) if s.kind == SessionKind::SecondFactor => Ok(s.clone()),
        Some(s) if s.kind == SessionKind::Full => Err("/rapports"),
        _ => Err("/connexion"),
    }
}

/// The second step's page: a fresh passkey challenge each time.
async fn second_step_page(
    state: &AppState,
    visitor: &Visitor,
    session: &SessionInfo,
    retour: &str,
    error: Option<String>,
) -> Result<SecondStepPage, WebError> {
    let factors = state.store.factors(session.account_id).await?;
    let passkeys: Vec<Passkey> = stored_passkeys(&factors)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let mut passkey_options = None;
    let challenge = match &state.passkeys {
        Some(verifier) if !passkeys.is_empty() => {
            verifier.start_passkey_authentication(&passkeys).ok()
        }
        _ => None,
    };
    if let Some((options, auth)) = challenge {
        let pending = Pending::PasskeySignIn {
            state: auth,
            until: Pending::deadline(state),
        };
        keep(state, visitor, &pending).await?;
        passkey_options = serde_json::to_string(&options).ok();
    }
    let mut layout = Layout::new(state, visitor, "second-step-title");
    if error.is_some() {
        layout.mark_error();
    }
    Ok(SecondStepPage {
        layout,
        retour: retour.to_owned(),
        has_app: factors.totp.is_some(),
        passkey_options,
        error,
        passkey_error: None,
        code: String::new(),
    })
}

/// GET `/connexion/verification`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SecondStepQuery>,
) -> Result<Response, WebError> {
    let session = match waiting(&visitor) {
        Ok(session) => session,
        Err(elsewhere) => return Ok(visitor.respond(see_other(elsewhere))),
    };
    let retour = safe_return(query.retour.as_deref()).to_owned();
    let page = second_step_page(&state, &visitor, &session, &retour, None).await?;
    Ok(visitor.respond(render(&page)?))
}

/// A code as posted.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    retour: Option<String>,
}

/// POST `/connexion/verification`: an app's code or a recovery code.
pub async fn submit_code(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    let session = match waiting(&visitor) {
        Ok(session) => session,
        Err(elsewhere) => return Ok(visitor.respond(see_other(elsewhere))),
    };
    let retour = safe_return(form.retour.as_deref()).to_owned();
    let account_key = session.account_id.to_string();
    let checks = [
        (CODES_PER_ADDRESS, visitor.client_addr.as_str()),
        (CODES_PER_ACCOUNT, account_key.as_str()),
    ];
    let tr = crate::i18n::Tr::new(visitor.lang);
    if let Some(until) = throttle::attempt(&state, &checks).await? {
        let minutes = throttle::minutes_until(&state, until);
        let error = tr.t1("second-step-blocked", "minutes", minutes);
        let page = second_step_page(&state, &visitor, &session, &retour, Some(error)).await?;
        let response = visitor.respond(render(&page)?);
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }

    let used = verify_code(&state, session.account_id, &form.code).await?;
    let Some(factor) = used else {
        tracing::info!(account_id = session.account_id, "second factor refused");
        let error = tr.t("second-step-wrong-code");
        let mut page = second_step_page(&state, &visitor, &session, &retour, Some(error)).await?;
        page.code = super::pages::echo(&form.code, 40);
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };
    let forget = [(CODES_PER_ACCOUNT, account_key.as_str())];
    let give_back = [(CODES_PER_ADDRESS, visitor.client_addr.as_str())];
    throttle::succeeded(&state, &forget, &give_back).await?;
    finish(&state, visitor, &session, factor, &retour).await
}

/// Which factor a code proved, if any: an app's code not used before, or
/// an unused recovery code (used up now).
async fn verify_code(
    state: &AppState,
    account_id: i64,
    typed: &str,
) -> Result<Option<&'static str>, WebError> {
    if app_code(typed).is_some() {
        let factors = state.store.factors(account_id).await?;
        let Some(app) = factors.totp else {
            return Ok(None);
        };
        let now = state.clock.now().timestamp();
        let Some(step) = check_app_code(&app.secret, typed, now) else {
            return Ok(None);
        };
        let fresh = state.store.accept_totp_step(account_id, step).await?;
        return Ok(fresh.then_some(APP));
    }
    let Some(hash) = recovery_hash(typed) else {
        return Ok(None);
    };
    let used = state
        .store
        .use_recovery_code(account_id, &hash, state.clock.now())
        .await?;
    if used.is_some() {
        state.mail_wake.notify_one();
    }
    Ok(used.map(|_| "recovery_code"))
}

/// The passkey's answer as posted.
#[derive(Deserialize)]
pub struct PasskeyForm {
    #[serde(default)]
    credential: String,
    retour: Option<String>,
}

/// POST `/connexion/verification/cle`: a passkey's answer to the challenge.
pub async fn submit_passkey(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<PasskeyForm>,
) -> Result<Response, WebError> {
    let session = match waiting(&visitor) {
        Ok(session) => session,
        Err(elsewhere) => return Ok(visitor.respond(see_other(elsewhere))),
    };
    let retour = safe_return(form.retour.as_deref()).to_owned();
    let proved = match (&state.passkeys, kept(&state, &visitor).await?) {
        (Some(verifier), Some((Pending::PasskeySignIn { state: auth, .. }, json))) => {
            let answer = serde_json::from_str::<PublicKeyCredential>(&form.credential).ok();
            let won = take(&state, &visitor, &json).await?;
            match answer.filter(|_| won) {
                Some(answer) => verifier.finish_passkey_authentication(&answer, &auth).ok(),
                None => None,
            }
        }
        _ => None,
    };
    let Some(result) = proved else {
        tracing::info!(account_id = session.account_id, "passkey refused");
        let error = crate::i18n::Tr::new(visitor.lang).t("second-step-passkey-failed");
        let mut page = second_step_page(&state, &visitor, &session, &retour, None).await?;
        page.layout.mark_error();
        page.passkey_error = Some(error);
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };
    let factors = state.store.factors(session.account_id).await?;
    let Some((id, mut passkey)) = stored_passkeys(&factors)
        .into_iter()
        .find(|(_, p)| p.cred_id() == result.cred_id())
    else {
        return Err(WebError::Internal("passkey vanished".to_owned()));
    };
    let updated = passkey
        .update_credential(&result)
        .filter(|changed| *changed)
        .and_then(|_| serde_json::to_string(&passkey).ok());
    state
        .store
        .passkey_used(
            session.account_id,
            id,
            updated.as_deref(),
            state.clock.now(),
        )
        .await?;
    finish(&state, visitor, &session, PASSKEY, &retour).await
}

/// The second step passed: a full session in place of the waiting one.
async fn finish(
    state: &AppState,
    mut visitor: Visitor,
    session: &SessionInfo,
    factor: &'static str,
    retour: &str,
) -> Result<Response, WebError> {
    signed_in_with(state, &mut visitor, session, factor).await?;
    Ok(visitor.respond(see_other(retour)))
}

/// A second factor proved the person behind a session that was waiting
/// for it (or setting it up): a full session, with a new id, replaces it.
pub(super) async fn signed_in_with(
    state: &AppState,
    visitor: &mut Visitor,
    session: &SessionInfo,
    factor: &'static str,
) -> Result<(), WebError> {
    if let Some(old) = visitor.session_hash.take() {
        state.store.delete_session(&old).await?;
    }
    let account_id = session.account_id;
    open_session(
        state,
        visitor,
        account_id,
        SessionKind::Full,
        session.remember,
    )
    .await?;
    audit_with(state, visitor, account_id, "signed_in", factor).await
}
