//! Emailed links. A link's token moves from the URL into a cookie of its
//! own, so that it leaves the address bar, the history and any `Referer`;
//! the page then shows what the link allows, and only a button uses it.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;

use super::pages::{Layout, MessagePage};
use super::visitor::{CookieName, Visitor};
use super::{AppState, see_other};
use crate::domain::secret::Token;

/// How long a link's token stays in its cookie: enough to read the page and
/// press its button.
const COOKIE_LIFE_MINUTES: i64 = 60;

/// The query of an emailed link.
#[derive(Deserialize)]
pub struct LinkQuery {
    /// The token, as put in emails.
    pub jeton: Option<String>,
}

/// If the request carries a link's token, keeps it in the link's cookie and
/// answers with a redirect to `page`, the same address without the token.
/// A malformed token is kept as an empty cookie, which no link matches.
pub fn take_token(
    visitor: &mut Visitor,
    query: LinkQuery,
    cookie: CookieName,
    page: &str,
) -> Option<Response> {
    let text = query.jeton?;
    let token = Token::from_received(text.trim()).map(|t| t.expose().to_owned());
    let max_age = Some(Duration::minutes(COOKIE_LIFE_MINUTES));
    visitor.set_cookie(cookie, token.unwrap_or_default(), max_age);
    Some(see_other(page))
}

/// The token a link left in this browser, if any.
pub fn token(visitor: &Visitor, cookie: CookieName) -> Option<Token> {
    visitor.cookie(cookie).and_then(Token::from_received)
}

/// Marks a page reached by an emailed token: no `Referer` may carry it on.
pub fn no_referrer(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The page of a link that is not (or no longer) valid.
pub fn invalid_link(state: &AppState, visitor: &Visitor) -> MessagePage {
    MessagePage::new(
        Layout::new(state, visitor, "common-invalid-link-title"),
        &["common-invalid-link-partial", "common-invalid-link-reopen"],
        Some(("common-back-home", "/")),
    )
    .problem()
}
