//! The web layer: state, router, layout and the headers every page gets.

mod account;
mod archive;
mod error;
mod health;
mod history;
mod invitation;
mod language;
mod links;
mod login_change;
mod pages;
mod registration;
mod reports;
mod reset;
mod second_factor;
mod security;
mod signin;
pub(crate) mod throttle;
pub mod visitor;

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Notify;

use crate::auth::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Store;
use crate::metrics::Metrics;
use crate::storage::FileStore;

pub use error::{ErrorPage, WebError};
pub use second_factor::passkey_verifier;

/// Largest form accepted.
const FORM_LIMIT: usize = 64 * 1024;

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// Rows.
    pub store: Arc<dyn Store>,
    /// Report files.
    pub files: FileStore,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Password hashing.
    pub hasher: PasswordHasher,
    /// Wakes the outbox sender when an email is queued.
    pub mail_wake: Arc<Notify>,
    /// Counters and gauges for monitoring.
    pub metrics: Metrics,
    /// The verifier of passkeys, unless the portal's address cannot have
    /// any (a bare IP address).
    pub passkeys: Option<Arc<webauthn_rs::prelude::Webauthn>>,
}

/// The portal's routes: its pages, the ingest API and the health checks,
/// each request logged and counted once.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages(state.clone()))
        .merge(crate::api::router(state.clone()))
        .merge(health::probes(state.clone()))
        .layer(middleware::from_fn_with_state(state, log_request))
}

/// What the metrics address serves: `/metrics` and the health checks, for
/// the monitoring only.
pub fn metrics_router(state: AppState) -> Router {
    health::monitoring(state)
}

/// The pages, with their layout, error pages and headers.
fn pages(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/password.js", get(pages::password_script))
        .route("/static/passkey.js", get(pages::passkey_script))
        .route("/compte", get(account::page))
        .route(
            "/compte/mot-de-passe",
            get(account::password_form).post(account::password_submit),
        )
        .route(
            "/compte/email",
            get(login_change::form).post(login_change::submit),
        )
        .route(
            "/compte/email/confirmer",
            get(login_change::confirm_page).post(login_change::confirm_submit),
        )
        .route("/compte/delegues", post(account::add_delegate))
        .route(
            "/compte/delegues/retirer",
            get(account::remove_delegate_page).post(account::remove_delegate),
        )
        .route(
            "/invitation",
            get(invitation::form).post(invitation::submit),
        )
        .route(
            "/inscription",
            get(registration::codes_form).post(registration::codes_submit),
        )
        .route(
            "/inscription/email",
            get(registration::email_form).post(registration::email_submit),
        )
        .route(
            "/inscription/compte-existant",
            get(registration::existing_account),
        )
        .route(
            "/inscription/certification",
            get(registration::certify_form).post(registration::certify_submit),
        )
        .route("/inscription/envoyee", get(registration::sent))
        .route(
            "/inscription/en-cours",
            get(registration::pending_page).post(registration::pending_resend),
        )
        .route(
            "/inscription/confirmer",
            get(registration::confirm_page).post(registration::confirm_submit),
        )
        .route(
            "/premiere-connexion",
            get(signin::set_password_form).post(signin::set_password_submit),
        )
        .route(
            "/connexion",
            get(signin::signin_form).post(signin::signin_submit),
        )
        .route(
            "/connexion/verification",
            get(second_factor::form).post(second_factor::submit_code),
        )
        .route(
            "/connexion/verification/cle",
            post(second_factor::submit_passkey),
        )
        .route("/compte/securite", get(security::page))
        .route(
            "/compte/securite/application",
            get(security::app_form).post(security::app_start),
        )
        .route(
            "/compte/securite/application/confirmer",
            post(security::app_confirm),
        )
        .route(
            "/compte/securite/cle",
            get(security::passkey_form).post(security::passkey_start),
        )
        .route(
            "/compte/securite/cle/confirmer",
            post(security::passkey_confirm),
        )
        .route(
            "/compte/securite/retirer",
            get(security::remove_form).post(security::remove),
        )
        .route(
            "/compte/securite/codes",
            get(security::codes_form).post(security::codes_submit),
        )
        .route("/deconnexion", post(signin::sign_out))
        .route("/langue", post(language::switch))
        .route(
            "/mot-de-passe-oublie",
            get(reset::request_form).post(reset::request_submit),
        )
        .route(
            "/mot-de-passe-oublie/nouveau",
            get(reset::new_password_form).post(reset::new_password_submit),
        )
        .route("/rapports", get(reports::list))
        .route("/rapports/{id}/telecharger", get(reports::download))
        .route("/rapports/archive", get(archive::download))
        .route("/compte/historique", get(history::page))
        .route("/compte/historique.csv", get(history::csv))
        .fallback(|| async { WebError::NotFound })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .with_state(state)
}

/// Headers of every response: no framing, no sniffing, no inline script, no
/// caching of personal pages.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::CACHE_CONTROL, "no-store");
    if state.config.is_https() {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000",
        );
    }
    response
}

/// One line per request: method, route template (never the path, which
/// holds ids, nor the query, which may hold a token), status and duration;
/// the same counted in the metrics.
async fn log_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = known_method(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let (status, elapsed) = (response.status().as_u16(), started.elapsed());
    state.metrics.request(method, &route, status, elapsed);
    tracing::info!(
        method,
        route,
        status,
        duration_ms = elapsed.as_millis() as u64,
        "request"
    );
    response
}

/// The method's name, or `OTHER` for the made-up ones anyone may send, so
/// that they cannot fill the logs' and the metrics' labels.
fn known_method(method: &axum::http::Method) -> &'static str {
    use axum::http::Method as M;
    match *method {
        M::GET => "GET",
        M::HEAD => "HEAD",
        M::POST => "POST",
        M::PUT => "PUT",
        M::DELETE => "DELETE",
        M::PATCH => "PATCH",
        M::OPTIONS => "OPTIONS",
        M::TRACE => "TRACE",
        M::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

/// A redirect after a POST, or to a page (303 See Other).
pub fn see_other(location: &str) -> Response {
    axum::response::Redirect::to(location).into_response()
}
