//! Registration: codes, email, certification, then the emailed confirmation
//! link (REG-1 to REG-6).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use super::links::{self, LinkQuery, invalid_link, no_referrer};
use super::pages::{Layout, MessagePage, echo, escape, render, unprocessable};
use super::visitor::{CookieName, CsrfForm, NoFields, Visitor};
use super::{AppState, WebError, see_other, throttle};
use crate::db::{ConfirmOutcome, Draft, NewSession, SessionKind, StartConfirmation};
use crate::domain::report::ReportNumber;
use crate::domain::secret::{SecurityCode, Token};
use crate::domain::{Email, EmailError};
use crate::mail::Mail;

/// How long a registration may stay between its steps.
const DRAFT_MINUTES: i64 = 60;
/// Seconds during which a second "Finish" sends no second link.
const RESEND_PAUSE_SECS: i64 = 60;

#[derive(Template)]
#[template(path = "register_codes.html")]
struct CodesPage {
    layout: Layout,
    code_error: Option<&'static str>,
    number_error: Option<&'static str>,
    mismatch: bool,
    number: String,
    retry_minutes: Option<i64>,
}

impl CodesPage {
    fn has_errors(&self) -> bool {
        self.code_error.is_some()
            || self.number_error.is_some()
            || self.mismatch
            || self.retry_minutes.is_some()
    }
}

/// Step 1: the codes of the invitation email.
pub async fn codes_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let page = CodesPage {
        layout: Layout::new(&state, &visitor, "register-codes-title"),
        code_error: None,
        number_error: None,
        mismatch: false,
        number: String::new(),
        retry_minutes: None,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The codes as posted.
#[derive(Deserialize)]
pub struct CodesForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    number: String,
}

/// Step 1 posted: checks the pair and opens a draft.
pub async fn codes_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<CodesForm>,
) -> Result<Response, WebError> {
    let code = SecurityCode::parse(&form.code);
    let number = ReportNumber::parse(&form.number);
    let mut page = CodesPage {
        layout: Layout::new(&state, &visitor, "register-codes-title"),
        code_error: field_error(&form.code, code.is_some(), CODE_EMPTY, CODE_MALFORMED),
        number_error: field_error(
            &form.number,
            number.is_some(),
            NUMBER_EMPTY,
            NUMBER_MALFORMED,
        ),
        mismatch: false,
        number: echo(&form.number, 64),
        retry_minutes: None,
    };
    let (Some(code), Some(number)) = (code, number) else {
        page.layout.mark_error();
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };

    let checks = [
        (throttle::CODES_PER_ADDRESS, visitor.client_addr.as_str()),
        (throttle::CODES_PER_REPORT, number.as_str()),
    ];
    if let Some(until) = throttle::attempt(&state, &checks).await? {
        page.retry_minutes = Some(throttle::minutes_until(&state, until));
        page.layout.mark_error();
        let response = visitor.respond(render(&page)?);
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }

    let recipient = state.store.recipient_for_report(number.as_str()).await?;
    let stored_hash = recipient
        .as_ref()
        .map_or(DUMMY_HASH, |r| r.code_hash.as_str());
    let matches = code.matches(stored_hash);
    let Some(recipient) = recipient.filter(|_| matches) else {
        tracing::info!("registration codes refused");
        page.mismatch = true;
        page.layout.mark_error();
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    };
    let report = [(throttle::CODES_PER_REPORT, number.as_str())];
    let address = [(throttle::CODES_PER_ADDRESS, visitor.client_addr.as_str())];
    throttle::succeeded(&state, &report, &address).await?;

    let draft_id = Token::generate();
    let now = state.clock.now();
    let draft = Draft {
        recipient_id: recipient.recipient_id,
        recipient_name: recipient.recipient_name,
        report_number: number.as_str().to_owned(),
        email: None,
    };
    let expires = now + Duration::minutes(DRAFT_MINUTES);
    state
        .store
        .create_draft(&draft_id.hash(), &draft, now, expires)
        .await?;
    let max_age = Some(Duration::minutes(DRAFT_MINUTES));
    visitor.set_cookie(
        CookieName::Registration,
        draft_id.expose().to_owned(),
        max_age,
    );
    Ok(visitor.respond(see_other("/inscription/email")))
}

/// Compared against when the report number is unknown, so that both failures
/// cost the same.
const DUMMY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const CODE_EMPTY: &str = "register-code-empty";
const CODE_MALFORMED: &str = "register-code-malformed";
const NUMBER_EMPTY: &str = "register-number-empty";
const NUMBER_MALFORMED: &str = "register-number-malformed";

fn field_error(
    typed: &str,
    valid: bool,
    empty: &'static str,
    malformed: &'static str,
) -> Option<&'static str> {
    if typed.trim().is_empty() {
        Some(empty)
    } else if valid {
        None
    } else {
        Some(malformed)
    }
}

/// The draft of this visitor's registration, if still alive.
async fn current_draft(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Option<(String, Draft)>, WebError> {
    let Some(token) = links::token(visitor, CookieName::Registration) else {
        return Ok(None);
    };
    let hash = token.hash();
    let draft = state.store.draft(&hash, state.clock.now()).await?;
    Ok(draft.map(|d| (hash, d)))
}

fn restart_page(state: &AppState, visitor: &Visitor) -> MessagePage {
    MessagePage::new(
        Layout::new(state, visitor, "register-restart-title"),
        &["register-restart"],
        Some(("register-restart-action", "/inscription")),
    )
}

#[derive(Template)]
#[template(path = "register_email.html")]
struct EmailPage {
    layout: Layout,
    recipient_name: String,
    email: String,
    error: Option<&'static str>,
}

/// Step 2: the email that will be the login.
pub async fn email_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok(visitor.respond(render(&page)?));
    };
    let page = EmailPage {
        layout: Layout::new(&state, &visitor, "register-email-title"),
        recipient_name: draft.recipient_name,
        email: draft.email.unwrap_or_default(),
        error: None,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The email as posted.
#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Step 2 posted.
pub async fn email_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, WebError> {
    let Some((draft_hash, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok((StatusCode::CONFLICT, visitor.respond(render(&page)?)).into_response());
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            let page = EmailPage {
                layout: Layout::new(&state, &visitor, "register-email-title").into_error(),
                recipient_name: draft.recipient_name,
                email: echo(&form.email, 254),
                error: Some(email_error(e)),
            };
            return Ok(unprocessable(visitor.respond(render(&page)?)));
        }
    };

    let recipient = draft.recipient_id.to_string();
    let checks = [(throttle::EMAILS_PER_RECIPIENT, recipient.as_str())];
    if throttle::attempt(&state, &checks).await?.is_some() {
        let page = EmailPage {
            layout: Layout::new(&state, &visitor, "register-email-title").into_error(),
            recipient_name: draft.recipient_name,
            email: echo(&form.email, 254),
            error: Some(EMAILS_THROTTLED),
        };
        let response = visitor.respond(render(&page)?);
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }

    let account = state.store.account_by_email(email.normalized()).await?;
    let owner = state
        .store
        .recipient_for_report(&draft.report_number)
        .await?;
    if let Some(owner_id) = owner.and_then(|r| r.owner_account_id) {
        let page = if account.as_ref().is_some_and(|a| a.id == owner_id) {
            already_registered(&state, &visitor)
        } else {
            taken_page(&state, &visitor)
        };
        let status = if page.is_problem {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        return Ok((status, visitor.respond(render(&page)?)).into_response());
    }

    state
        .store
        .set_draft_email(&draft_hash, email.normalized())
        .await?;
    let now = state.clock.now();
    let pending = state
        .store
        .pending_confirmation(draft.recipient_id, email.normalized(), now);
    if pending.await?.is_some() {
        return Ok(visitor.respond(see_other("/inscription/en-cours")));
    }
    let next = if account.is_some() {
        "/inscription/compte-existant"
    } else {
        "/inscription/certification"
    };
    Ok(visitor.respond(see_other(next)))
}

const EMAILS_THROTTLED: &str = "register-emails-throttled";

/// The message id of a refused email address.
pub fn email_error(e: EmailError) -> &'static str {
    match e {
        EmailError::Empty => "email-error-empty",
        EmailError::TooLong => "email-error-too-long",
        EmailError::DisplayName => "email-error-display-name",
        EmailError::Syntax => "email-error-syntax",
    }
}

fn already_registered(state: &AppState, visitor: &Visitor) -> MessagePage {
    MessagePage::new(
        Layout::new(state, visitor, "register-done-already-title"),
        &["register-done-already"],
        Some(("common-sign-in", "/connexion")),
    )
}

fn taken_page(state: &AppState, visitor: &Visitor) -> MessagePage {
    MessagePage::new(
        Layout::new(state, visitor, "register-taken-title"),
        &["register-taken", "register-taken-next"],
        Some(("common-back-home", "/")),
    )
    .problem()
}

/// Between steps 2 and 3 when the email already has an account.
pub async fn existing_account(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok(visitor.respond(render(&page)?));
    };
    let Some(email) = draft.email.clone() else {
        return Ok(visitor.respond(see_other("/inscription/email")));
    };
    if state.store.account_by_email(&email).await?.is_none() {
        return Ok(visitor.respond(see_other("/inscription/certification")));
    }
    let layout = Layout::new(&state, &visitor, "register-existing-title");
    let text = layout.tr.t2(
        "register-existing",
        ("email", email.as_str()),
        ("recipient", draft.recipient_name.as_str()),
    );
    let next = Some(("common-next", "/inscription/certification"));
    let page = MessagePage::texts(layout, vec![text], next);
    Ok(visitor.respond(render(&page)?))
}

#[derive(Template)]
#[template(path = "register_certify.html")]
struct CertifyPage {
    layout: Layout,
    recipient_name: String,
    email: String,
    error: bool,
}

/// Step 3: certify being authorised.
pub async fn certify_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok(visitor.respond(render(&page)?));
    };
    let Some(email) = draft.email else {
        return Ok(visitor.respond(see_other("/inscription/email")));
    };
    let page = CertifyPage {
        layout: Layout::new(&state, &visitor, "register-certify-title"),
        recipient_name: draft.recipient_name,
        email,
        error: false,
    };
    Ok(visitor.respond(render(&page)?))
}

/// The certification as posted.
#[derive(Deserialize)]
pub struct CertifyForm {
    certify: Option<String>,
}

/// Step 3 posted: queues the confirmation email.
pub async fn certify_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<CertifyForm>,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok((StatusCode::CONFLICT, visitor.respond(render(&page)?)).into_response());
    };
    let Some(email) = draft.email.clone() else {
        return Ok(visitor.respond(see_other("/inscription/email")));
    };
    if form.certify.is_none() {
        let page = CertifyPage {
            layout: Layout::new(&state, &visitor, "register-certify-title").into_error(),
            recipient_name: draft.recipient_name,
            email,
            error: true,
        };
        return Ok(unprocessable(visitor.respond(render(&page)?)));
    }

    // A double click must not send two links, the first of them dead.
    let pause = Some(state.clock.now() - Duration::seconds(RESEND_PAUSE_SECS));
    send_confirmation(
        &state,
        visitor,
        draft,
        email,
        "registration_certified",
        pause,
    )
    .await
}

/// Queues a new confirmation link for the draft's recipient and email; any
/// earlier link of the same registration dies.
async fn send_confirmation(
    state: &AppState,
    visitor: Visitor,
    draft: Draft,
    email: String,
    event: &'static str,
    unless_pending_since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Response, WebError> {
    // The recipient may have found its owner since the codes were typed.
    let owner = state
        .store
        .recipient_for_report(&draft.report_number)
        .await?;
    if let Some(owner_id) = owner.and_then(|r| r.owner_account_id) {
        let account = state.store.account_by_email(&email).await?;
        let page = if account.is_some_and(|a| a.id == owner_id) {
            already_registered(state, &visitor)
        } else {
            taken_page(state, &visitor)
        };
        return Ok((StatusCode::CONFLICT, visitor.respond(render(&page)?)).into_response());
    }
    let recipient = draft.recipient_id.to_string();
    let checks = [(throttle::CONFIRMATIONS_PER_RECIPIENT, recipient.as_str())];
    if let Some(until) = throttle::attempt(state, &checks).await? {
        let minutes = throttle::minutes_until(state, until);
        let layout = Layout::new(state, &visitor, "register-too-many-title");
        let text = layout.t1("register-too-many", "minutes", minutes);
        let page =
            MessagePage::texts(layout, vec![text], Some(("common-back-home", "/"))).problem();
        let response = visitor.respond(render(&page)?);
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }
    let token = Token::generate();
    let now = state.clock.now();
    let hours = state.config.confirmation_hours;
    let start = StartConfirmation {
        recipient_id: draft.recipient_id,
        email,
        token_hash: token.hash(),
        now,
        expires_at: now + Duration::hours(hours),
        mail: Mail::ConfirmRegistration {
            recipient_name: draft.recipient_name,
            token: token.expose().to_owned(),
            hours,
        },
        lang: visitor.lang,
        client_addr: visitor.client_addr.clone(),
        event,
        unless_pending_since,
    };
    if !state.store.start_confirmation(&start).await? {
        return Ok(visitor.respond(see_other("/inscription/envoyee")));
    }
    state.mail_wake.notify_one();
    tracing::info!(
        recipient_id = draft.recipient_id,
        event,
        "confirmation email queued"
    );
    Ok(visitor.respond(see_other("/inscription/envoyee")))
}

#[derive(Template)]
#[template(path = "register_pending.html")]
struct PendingPage {
    layout: Layout,
    pending_html: String,
}

/// REG-7: a confirmation for this registration is already on its way.
pub async fn pending_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok(visitor.respond(render(&page)?));
    };
    let Some(email) = draft.email else {
        return Ok(visitor.respond(see_other("/inscription/email")));
    };
    let now = state.clock.now();
    let Some(sent) = state
        .store
        .pending_confirmation(draft.recipient_id, &email, now)
        .await?
    else {
        return Ok(visitor.respond(see_other("/inscription/certification")));
    };
    let layout = Layout::new(&state, &visitor, "register-pending-title");
    let sent = sent.with_timezone(&state.config.timezone);
    let date = layout.tr.date(sent.date_naive());
    let time = sent.format("%H:%M").to_string();
    let hours = state.config.confirmation_hours.to_string();
    let pending_html = layout.tr.with(
        "register-pending-html",
        &[
            ("email", escape(&email).into()),
            ("date", date.into()),
            ("time", time.into()),
            ("hours", hours.into()),
        ],
    );
    let page = PendingPage {
        layout,
        pending_html,
    };
    Ok(visitor.respond(render(&page)?))
}

/// REG-7: sends the confirmation again; the earlier link dies.
pub async fn pending_resend(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    let Some((_, draft)) = current_draft(&state, &visitor).await? else {
        let page = restart_page(&state, &visitor);
        return Ok((StatusCode::CONFLICT, visitor.respond(render(&page)?)).into_response());
    };
    let Some(email) = draft.email.clone() else {
        return Ok(visitor.respond(see_other("/inscription/email")));
    };
    send_confirmation(&state, visitor, draft, email, "confirmation_resent", None).await
}

#[derive(Template)]
#[template(path = "register_sent.html")]
struct SentPage {
    layout: Layout,
    email: String,
    hours: i64,
}

/// Step 4: the confirmation email is on its way.
pub async fn sent(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let draft = current_draft(&state, &visitor).await?.map(|(_, d)| d);
    let Some((recipient_id, email)) = draft.and_then(|d| Some((d.recipient_id, d.email?))) else {
        let page = restart_page(&state, &visitor);
        return Ok(visitor.respond(render(&page)?));
    };
    let now = state.clock.now();
    if state
        .store
        .pending_confirmation(recipient_id, &email, now)
        .await?
        .is_none()
    {
        return Ok(visitor.respond(see_other("/inscription/certification")));
    }
    let page = SentPage {
        layout: Layout::new(&state, &visitor, "register-sent-title"),
        email,
        hours: state.config.confirmation_hours,
    };
    Ok(visitor.respond(render(&page)?))
}

#[derive(Template)]
#[template(path = "register_confirm.html")]
struct ConfirmPage {
    layout: Layout,
}

/// Opening the link: moves the token into a cookie and drops it from the URL;
/// Opening the link: moves the token into a cookie and drops it from the URL;
/// then shows a page whose button confirms, or says at once why the link
/// cannot be used. A GET never consumes the token.
pub async fn confirm_page(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Query(query): Query<LinkQuery>,
) -> Result<Response, WebError> {
    if let Some(redirect) = links::take_token(
        &mut visitor,
        query,
        CookieName::Link,
        "/inscription/confirmer",
    ) {
        return Ok(no_referrer(visitor.respond(redirect)));
    }
    let token = links::token(&visitor, CookieName::Link);
    let refusal = match token {
        Some(token) => {
            state
                .store
                .confirmation_state(&token.hash(), state.clock.now())
                .await?
        }
        None => Some(ConfirmOutcome::Invalid),
    };
    let (status, page) = match refusal.and_then(|outcome| refusal_page(&state, &visitor, outcome)) {
        Some(refused) => refused,
        None => {
            let page = ConfirmPage {
                layout: Layout::new(&state, &visitor, "register-confirm-title"),
            };
            return Ok(no_referrer(visitor.respond(render(&page)?)));
        }
    };
    let response = visitor.respond(render(&page)?);
    Ok(no_referrer((status, response).into_response()))
}

/// The confirm button: consumes the token.
pub async fn confirm_submit(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    let token = links::token(&visitor, CookieName::Link);
    visitor.remove_cookie(CookieName::Link);
    let outcome = match token {
        Some(token) => {
            state
                .store
                .confirm_registration(&token.hash(), visitor.lang, state.clock.now())
                .await?
        }
        None => ConfirmOutcome::Invalid,
    };

    let page = match outcome {
        ConfirmOutcome::AccountCreated { account_id } => {
            open_set_password_session(&state, &mut visitor, account_id).await?;
            tracing::info!(account_id, "registration confirmed, account created");
            MessagePage::new(
                Layout::new(&state, &visitor, "register-finished-title"),
                &["register-finished", "register-finished-next"],
                Some(("password-first-title", "/premiere-connexion")),
            )
        }
        ConfirmOutcome::AccessAdded {
            account_id,
            has_password,
        } => {
            tracing::info!(account_id, "registration confirmed, access added");
            if !has_password {
                open_set_password_session(&state, &mut visitor, account_id).await?;
            }
            let next = if has_password {
                ("common-see-reports", "/rapports")
            } else {
                ("password-first-title", "/premiere-connexion")
            };
            MessagePage::new(
                Layout::new(&state, &visitor, "common-access-added-title"),
                &["register-access-added"],
                Some(next),
            )
        }
        refused => match refusal_page(&state, &visitor, refused) {
            Some((status, page)) => {
                let response = visitor.respond(render(&page)?);
                return Ok(no_referrer((status, response).into_response()));
            }
            None => invalid_link(&state, &visitor),
        },
    };
    Ok(no_referrer(visitor.respond(render(&page)?)))
}

/// The page of a link that cannot confirm (REG-8 to REG-11), with its
/// status; `None` for the outcomes of a confirmation that worked.
fn refusal_page(
    state: &AppState,
    visitor: &Visitor,
    outcome: ConfirmOutcome,
) -> Option<(StatusCode, MessagePage)> {
    let refused = match outcome {
        ConfirmOutcome::AccountCreated { .. } | ConfirmOutcome::AccessAdded { .. } => return None,
        ConfirmOutcome::AlreadyDone => (
            StatusCode::OK,
            MessagePage::new(
                Layout::new(state, visitor, "register-validated-title"),
                &["register-validated", "register-validated-no-password"],
                Some(("common-sign-in", "/connexion")),
            ),
        ),
        ConfirmOutcome::TakenByOther => (StatusCode::CONFLICT, taken_page(state, visitor)),
        ConfirmOutcome::Expired => (
            StatusCode::GONE,
            MessagePage::new(
                Layout::new(state, visitor, "common-link-expired-title"),
                &["register-link-expired"],
                Some(("register-link-expired-action", "/inscription")),
            )
            .problem(),
        ),
        ConfirmOutcome::Replaced => (
            StatusCode::GONE,
            MessagePage::new(
                Layout::new(state, visitor, "register-link-replaced-title"),
                &["register-link-replaced"],
                Some(("common-back-home", "/")),
            )
            .problem(),
        ),
        ConfirmOutcome::Invalid => (StatusCode::BAD_REQUEST, invalid_link(state, visitor)),
    };
    Some(refused)
}

/// Signs the browser in with a session that may only set the password.
async fn open_set_password_session(
    state: &AppState,
    visitor: &mut Visitor,
    account_id: i64,
) -> Result<(), WebError> {
    if let Some(old) = visitor.session_hash.take() {
        state.store.delete_session(&old).await?;
    }
    let id = Token::generate();
    let now = state.clock.now();
    let session = NewSession {
        id_hash: id.hash(),
        account_id,
        kind: SessionKind::SetPassword,
        remember: false,
        now,
        expires_at: now + Duration::hours(1),
    };
    state.store.create_session(&session).await?;
    visitor.set_cookie(CookieName::Session, id.expose().to_owned(), None);
    Ok(())
}
