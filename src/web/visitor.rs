//! Who is asking: the session cookie, the anti-forgery token and the client's
//! address, read once per request. Cookies are named and set only here.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::WebError;
use crate::db::{SessionInfo, SessionKind};
use crate::domain::Lang;
use crate::domain::secret::Token;

/// The cookies of the portal.
#[derive(Debug, Clone, Copy)]
pub enum CookieName {
    /// The session id.
    Session,
    /// The anti-forgery secret, echoed by every form.
    Csrf,
    /// A registration in progress.
    Registration,
    /// A confirmation link's token, moved out of the URL.
    Link,
    /// A first-connection link's token, moved out of the URL.
    FirstConnection,
    /// A reset link's token, moved out of the URL.
    Reset,
    /// A delegate invitation's token, moved out of the URL.
    Invitation,
    /// An email-change link's token, moved out of the URL.
    EmailChange,
    /// The language chosen with the switch.
    Lang,
}

impl CookieName {
    /// The cookie's name; `__Host-` prefixed over HTTPS.
    pub fn name(self, https: bool) -> &'static str {
        match (self, https) {
            (CookieName::Session, false) => "dosiport_session",
            (CookieName::Session, true) => "__Host-dosiport_session",
            (CookieName::Csrf, false) => "dosiport_csrf",
            (CookieName::Csrf, true) => "__Host-dosiport_csrf",
            (CookieName::Registration, false) => "dosiport_registration",
            (CookieName::Registration, true) => "__Host-dosiport_registration",
            (CookieName::Link, false) => "dosiport_link",
            (CookieName::Link, true) => "__Host-dosiport_link",
            (CookieName::FirstConnection, false) => "dosiport_first",
            (CookieName::FirstConnection, true) => "__Host-dosiport_first",
            (CookieName::Reset, false) => "dosiport_reset",
            (CookieName::Reset, true) => "__Host-dosiport_reset",
            (CookieName::Invitation, false) => "dosiport_invitation",
            (CookieName::Invitation, true) => "__Host-dosiport_invitation",
            (CookieName::EmailChange, false) => "dosiport_email_change",
            (CookieName::EmailChange, true) => "__Host-dosiport_email_change",
            (CookieName::Lang, false) => "dosiport_lang",
            (CookieName::Lang, true) => "__Host-dosiport_lang",
        }
    }
}

/// The visitor of one request.
pub struct Visitor {
    /// Cookies, with any the response must set.
    pub jar: CookieJar,
    /// The anti-forgery token to put in forms.
    pub csrf: String,
    /// The signed-in session, if any.
    pub session: Option<SessionInfo>,
    /// Hash of the session id, if any.
    pub session_hash: Option<String>,
    /// The client's address.
    pub client_addr: String,
    /// The language of the pages: the one chosen with the switch, else
    /// the one the browser prefers. New accounts take it for their emails.
    pub lang: Lang,
    /// The path asked for, where the language switch brings back.
    pub path: String,
    https: bool,
}

impl Visitor {
    /// The session if it allows everything.
    pub fn full_session(&self) -> Option<&SessionInfo> {
        self.session
            .as_ref()
            .filter(|s| s.kind == SessionKind::Full)
    }

    /// A cookie's value.
    pub fn cookie(&self, name: CookieName) -> Option<&str> {
        self.jar.get(name.name(self.https)).map(Cookie::value)
    }

    /// Sets a cookie (HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS);
    /// `max_age` None makes it last as long as the browser.
    pub fn set_cookie(&mut self, name: CookieName, value: String, max_age: Option<Duration>) {
        let mut cookie = Cookie::build((name.name(self.https), value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .path("/");
        if let Some(age) = max_age.and_then(|a| time::Duration::try_from(a.to_std().ok()?).ok()) {
            cookie = cookie.max_age(age);
        }
        self.jar = self.jar.clone().add(cookie.build());
    }

    /// Removes a cookie.
    pub fn remove_cookie(&mut self, name: CookieName) {
        // The same attributes as when it was set: a browser ignores the
        // removal of a `__Host-` cookie that is not `Secure`.
        let cookie = Cookie::build((name.name(self.https), ""))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .path("/")
            .build();
        self.jar = self.jar.clone().remove(cookie);
    }

    /// A response with the cookies this request changed.
    pub fn respond(self, page: impl IntoResponse) -> Response {
        (self.jar, page).into_response()
    }
}

impl<S> FromRequestParts<S> for Visitor
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let https = app.config.is_https();
        let jar = CookieJar::from_headers(&parts.headers);
        let client_addr = client_address(parts, app.config.trust_forwarded_for);

        let mut visitor = Visitor {
            jar,
            csrf: String::new(),
            session: None,
            session_hash: None,
            client_addr,
            lang: lang_of(&parts.headers, https),
            path: page_of(parts),
            https,
        };
        match visitor
            .cookie(CookieName::Csrf)
            .and_then(Token::from_received)
        {
            Some(token) => visitor.csrf = token.expose().to_owned(),
            None => {
                let token = Token::generate();
                visitor.csrf = token.expose().to_owned();
                visitor.set_cookie(CookieName::Csrf, token.expose().to_owned(), None);
            }
        }
        if let Some(token) = visitor
            .cookie(CookieName::Session)
            .and_then(Token::from_received)
        {
            let now = app.clock.now();
            let idle = now + Duration::hours(app.config.session_hours);
            let hash = token.hash();
            visitor.session = app.store.session(&hash, now, idle).await?;
            visitor.session_hash = visitor.session.as_ref().map(|_| hash);
        }
        // Once the lab requires a second factor, a session opened before
        // with the password alone may only set one up.
        let unproven = visitor
            .session
            .as_mut()
            .filter(|s| app.config.require_second_factor && s.kind == SessionKind::Full)
            .filter(|s| s.has_password);
        if let Some(session) = unproven
            && !app.store.factors(session.account_id).await?.any()
        {
            session.kind = SessionKind::Enrol;
        }
        Ok(visitor)
    }
}

/// The anti-forgery token a request's cookie holds, if well formed.
pub fn csrf_of(headers: &axum::http::HeaderMap, https: bool) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    let value = jar.get(CookieName::Csrf.name(https))?.value().to_owned();
    Token::from_received(&value).map(|t| t.expose().to_owned())
}

/// The page a request shows, to come back to: with its query (filters, a
/// return target) when it was a GET, as a POST's page is its form's.
fn page_of(parts: &Parts) -> String {
    match parts.uri.query() {
        Some(query) if parts.method == axum::http::Method::GET => {
            format!("{}?{query}", parts.uri.path())
        }
        _ => parts.uri.path().to_owned(),
    }
}

/// The language of a request: the one chosen with the switch (a cookie),
/// else the one the browser prefers.
pub fn lang_of(headers: &axum::http::HeaderMap, https: bool) -> Lang {
    let chosen = CookieJar::from_headers(headers)
        .get(CookieName::Lang.name(https))
        .and_then(|c| match c.value() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        });
    chosen.unwrap_or_else(|| preferred_lang(headers))
}

/// French unless the browser prefers English (`Accept-Language`, weighed).
pub(crate) fn preferred_lang(headers: &axum::http::HeaderMap) -> Lang {
    let Some(accepted) = headers.get("accept-language").and_then(|v| v.to_str().ok()) else {
        return Lang::Fr;
    };
    let weight = |tag: &str| -> f32 {
        accepted
            .split(',')
            .filter_map(|item| {
                let mut parts = item.trim().split(';');
                let language = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
                (language == tag || language.starts_with(&format!("{tag}-"))).then_some(q)
            })
            .fold(0.0, f32::max)
    };
    if weight("en") > weight("fr") {
        Lang::En
    } else {
        Lang::Fr
    }
}

/// The client's address: the peer's, or behind a trusted reverse proxy the
/// last one the proxy appended to `X-Forwarded-For` (earlier ones are
/// whatever the client claimed).
pub(crate) fn client_address(parts: &Parts, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    forwarded
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

/// A posted form whose anti-forgery token was checked against the cookie.
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    T: DeserializeOwned + Send,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let https = AppState::from_ref(state).config.is_https();
        let jar = CookieJar::from_headers(req.headers());
        let cookie = jar
            .get(CookieName::Csrf.name(https))
            .map(|c| c.value().to_owned());
        let Form(posted) = Form::<WithCsrf<T>>::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest)?;

        let Some(cookie) = cookie else {
            return Err(WebError::CookiesRequired);
        };
        let matches: bool = cookie.as_bytes().ct_eq(posted.csrf.as_bytes()).into();
        if !matches || posted.csrf.is_empty() {
            return Err(WebError::FormExpired);
        }
        Ok(CsrfForm(posted.form))
    }
}

/// The signed-in session allowed to see `page`; otherwise where to go: the
/// step a session is at (the first connection's password, the second
/// factor, setting one up the lab requires), else the sign-in page,
/// returning to `page` after.
pub fn require_full_session<'a>(
    visitor: &'a Visitor,
    page: &str,
) -> Result<&'a SessionInfo, String> {
    if let Some(session) = visitor.full_session() {
        return Ok(session);
    }
    match visitor.session.as_ref().map(|s| s.kind) {
        Some(SessionKind::SecondFactor) => Err(format!("/connexion/verification?retour={page}")),
        Some(SessionKind::Enrol) => Err("/compte/securite".to_owned()),
        Some(_) => Err("/premiere-connexion".to_owned()),
        None => Err(format!("/connexion?retour={page}")),
    }
}

/// A form with no field but the anti-forgery token.
#[derive(Debug, Deserialize)]
pub struct NoFields {}
