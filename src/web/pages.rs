//! The layout shared by every page, the home and account pages, the
//! stylesheet and the rendering of error pages.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::visitor::{Visitor, csrf_of, lang_of};
use super::{AppState, ErrorPage, WebError, see_other};
use crate::domain::Lang;
use crate::i18n::{ToArg, Tr};

/// What the layout shows around every page.
pub struct Layout {
    /// Title of the page.
    pub title: String,
    /// The lab's name.
    pub lab_name: String,
    /// Customer-service address.
    pub contact_email: String,
    /// Customer-service phone.
    pub contact_phone: String,
    /// The signed-in account's email, for the header.
    pub signed_in: Option<String>,
    /// Anti-forgery token for the sign-out and language forms.
    pub csrf: String,
    /// The texts of the page's language.
    pub tr: Tr,
    /// Where the language switch brings the visitor back.
    pub path: String,
    /// Whether the page offers the language switch (not on a page shown
    /// once, which the switch would lose).
    pub switch: bool,
}

impl Layout {
    /// The layout of a page for this visitor, titled with the message
    /// `title`.
    pub fn new(state: &AppState, visitor: &Visitor, title: &str) -> Self {
        let tr = Tr::new(visitor.lang);
        Self {
            title: tr.t(title),
            lab_name: state.config.lab_name.clone(),
            contact_email: state.config.lab_contact_email.clone(),
            contact_phone: state.config.lab_contact_phone.clone(),
            signed_in: visitor.full_session().map(|s| s.email.clone()),
            csrf: visitor.csrf.clone(),
            tr,
            path: visitor.path.clone(),
            switch: true,
        }
    }

    /// Marks the title as that of a page refusing what was typed.
    pub fn mark_error(&mut self) {
        self.title = self
            .tr
            .t1("layout-error-title", "title", self.title.as_str());
    }

    /// The same layout, titled as a page refusing what was typed.
    pub fn into_error(mut self) -> Self {
        self.mark_error();
        self
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// The message `id` with one value.
    pub fn t1(&self, id: &str, name: &str, value: impl ToArg) -> String {
        self.tr.t1(id, name, value)
    }

    /// The message `id` with two values (templates pass pairs by reference).
    pub fn t2<A: ToArg, B: ToArg>(
        &self,
        id: &str,
        first: &(&str, A),
        second: &(&str, B),
    ) -> String {
        self.tr.t2(id, (first.0, &first.1), (second.0, &second.1))
    }

    /// A message holding markup, with one text value escaped into it.
    pub fn html1(&self, id: &str, name: &str, value: &str) -> String {
        self.tr.t1(id, name, escape(value))
    }

    /// A message holding markup, with two text values escaped into it.
    pub fn html2(&self, id: &str, first: &(&str, &str), second: &(&str, &str)) -> String {
        self.tr
            .t2(id, (first.0, escape(first.1)), (second.0, escape(second.1)))
    }

    /// The language of the page, for `lang` attributes.
    pub fn lang(&self) -> &'static str {
        self.tr.lang.tag()
    }

    /// The language the switch offers.
    pub fn other_lang(&self) -> &'static str {
        match self.tr.lang {
            Lang::Fr => Lang::En.tag(),
            Lang::En => Lang::Fr.tag(),
        }
    }
}

/// Text made safe to put into HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A typed value to show back in a form: at most `max` characters, without
/// control characters.
pub fn echo(typed: &str, max: usize) -> String {
    typed
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect()
}

/// A page that refuses what was typed: 422, as bad input must get a 4xx.
pub fn unprocessable(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// Renders a template as an HTML page.
pub fn render(template: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(template.render()?))
}

/// A page that only says something, with one next step.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    /// Layout.
    pub layout: Layout,
    /// Paragraphs.
    pub paragraphs: Vec<String>,
    /// The next step: link text and target.
    pub action: Option<(String, String)>,
    /// Whether it reports a problem (styled as such).
    pub is_problem: bool,
}

impl MessagePage {
    /// A page saying the messages `paragraphs`, with an optional link
    /// (its message, its target) as next step.
    pub fn new(layout: Layout, paragraphs: &[&str], action: Option<(&str, &str)>) -> Self {
        let texts = paragraphs.iter().map(|id| layout.t(id)).collect();
        Self::texts(layout, texts, action)
    }

    /// The same, with paragraphs already written.
    pub fn texts(layout: Layout, paragraphs: Vec<String>, action: Option<(&str, &str)>) -> Self {
        Self {
            action: action.map(|(id, href)| (layout.t(id), href.to_owned())),
            layout,
            paragraphs,
            is_problem: false,
        }
    }

    /// The same page, styled as a problem.
    pub fn problem(mut self) -> Self {
        self.is_problem = true;
        self
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

/// `/`: the reports when signed in, else the two ways in.
pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if visitor.full_session().is_some() {
        return Ok(see_other("/rapports"));
    }
    let page = HomePage {
        layout: Layout::new(&state, &visitor, "home-title"),
    };
    Ok(visitor.respond(render(&page)?))
}

/// The one stylesheet.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

/// The script that improves the password forms.
pub async fn password_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/password.js"),
    )
}

/// The script that lets passkeys answer in the browser.
pub async fn passkey_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/passkey.js"),
    )
}

/// Replaces the body of error responses with a page in the layout: the
/// handlers' own errors, and the framework's (unknown method, malformed
/// query, body too large…), so that no bare error text ever reaches a user.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = state.config.is_https();
    let tr = Tr::new(lang_of(request.headers(), https));
    // The language switch is offered when the browser keeps cookies.
    let csrf = csrf_of(request.headers(), https).unwrap_or_default();
    let response = next.run(request).await;
    let Some(page) = error_page_of(&response) else {
        return response;
    };
    let status = response.status();
    let (title, paragraphs, action) = error_text(page);
    let layout = Layout {
        title: tr.t(title),
        lab_name: state.config.lab_name.clone(),
        contact_email: state.config.lab_contact_email.clone(),
        contact_phone: state.config.lab_contact_phone.clone(),
        signed_in: None,
        csrf,
        tr,
        path: "/".to_owned(),
        switch: true,
    };
    let body = MessagePage::new(layout, paragraphs, action).problem();
    let Ok(html) = body.render() else {
        let plain = [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )];
        return (StatusCode::INTERNAL_SERVER_ERROR, plain, "Internal error").into_response();
    };
    let mut rendered = (status, Html(html)).into_response();
    for (name, value) in response.headers() {
        if name == header::SET_COOKIE || name == header::CONTENT_RANGE {
            rendered.headers_mut().append(name, value.clone());
        }
    }
    rendered
}

/// The error page a response should show, if it is an error without one.
fn error_page_of(response: &Response) -> Option<ErrorPage> {
    if let Some(page) = response.extensions().get::<ErrorPage>() {
        return Some(*page);
    }
    let status = response.status();
    let has_body_of_ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/pdf"));
    if has_body_of_ours || status == StatusCode::RANGE_NOT_SATISFIABLE {
        return None;
    }
    match status.as_u16() {
        404 => Some(ErrorPage::NotFound),
        400..=499 => Some(ErrorPage::BadRequest),
        500..=599 => Some(ErrorPage::Internal),
        _ => None,
    }
}

fn error_text(
    page: ErrorPage,
) -> (
    &'static str,
    &'static [&'static str],
    Option<(&'static str, &'static str)>,
) {
    let home = Some(("common-back-home", "/"));
    match page {
        ErrorPage::NotFound => ("error-not-found-title", &["error-not-found"], home),
        ErrorPage::CookiesRequired => (
            "error-cookies-title",
            &["error-cookies-why", "error-cookies-how"],
            Some(("error-cookies-action", "/")),
        ),
        ErrorPage::FormExpired => ("error-form-expired-title", &["error-form-expired"], home),
        ErrorPage::BadRequest => ("error-bad-request-title", &["error-bad-request"], home),
        ErrorPage::Internal => ("error-internal-title", &["error-internal"], home),
    }
}
