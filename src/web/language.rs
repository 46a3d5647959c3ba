//! The language switch offered on every page: it remembers the choice in
//! a cookie, and a signed-in account's emails follow it.

use axum::extract::State;
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;

use super::signin::safe_return;
use super::visitor::{CookieName, CsrfForm, Visitor};
use super::{AppState, WebError, see_other};
use crate::domain::Lang;

/// How long the choice is remembered.
const REMEMBERED_DAYS: i64 = 365;

/// The switch's form.
#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    langue: String,
    page: Option<String>,
}

/// `POST /langue`: switches to the language asked for, then back to the page.
pub async fn switch(
    State(state): State<AppState>,
    mut visitor: Visitor,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, WebError> {
    let lang = match form.langue.as_str() {
        "en" => Lang::En,
        "fr" => Lang::Fr,
        _ => return Err(WebError::BadRequest),
    };
    visitor.set_cookie(
        CookieName::Lang,
        lang.tag().to_owned(),
        Some(Duration::days(REMEMBERED_DAYS)),
    );
    if let Some(session) = visitor.full_session() {
        state
            .store
            .set_account_lang(session.account_id, lang)
            .await?;
    }
    let back = safe_return(form.page.as_deref()).to_owned();
    Ok(visitor.respond(see_other(&back)))
}
