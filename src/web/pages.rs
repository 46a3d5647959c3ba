//! The layout shared by every page, the home and account pages, the
//! stylesheet and the rendering of error pages.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::visitor::Visitor;
use super::{AppState, ErrorPage, WebError, see_other};

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
    /// Anti-forgery token for the sign-out form.
    pub csrf: String,
}

impl Layout {
    /// The layout of a page for this visitor.
    pub fn new(state: &AppState, visitor: &Visitor, title: &str) -> Self {
        Self {
            title: title.to_owned(),
            lab_name: state.config.lab_name.clone(),
            contact_email: state.config.lab_contact_email.clone(),
            contact_phone: state.config.lab_contact_phone.clone(),
            signed_in: visitor.full_session().map(|s| s.email.clone()),
            csrf: visitor.csrf.clone(),
        }
    }
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
    /// A page saying `paragraphs`, with an optional link as next step.
    pub fn new(layout: Layout, paragraphs: &[&str], action: Option<(&str, &str)>) -> Self {
        Self {
            layout,
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            action: action.map(|(text, href)| (text.to_owned(), href.to_owned())),
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
        layout: Layout::new(&state, &visitor, "Vos rapports de contrôle en ligne"),
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

/// Replaces the body of error responses with a page in the layout: the
/// handlers' own errors, and the framework's (unknown method, malformed
/// query, body too large…), so that no bare error text ever reaches a user.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let Some(page) = error_page_of(&response) else {
        return response;
    };
    let status = response.status();
    let (title, paragraphs, action) = error_text(page);
    let layout = Layout {
        title: title.to_owned(),
        lab_name: state.config.lab_name.clone(),
        contact_email: state.config.lab_contact_email.clone(),
        contact_phone: state.config.lab_contact_phone.clone(),
        signed_in: None,
        csrf: String::new(),
    };
    let body = MessagePage::new(layout, paragraphs, action).problem();
    let Ok(html) = body.render() else {
        let plain = [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )];
        return (StatusCode::INTERNAL_SERVER_ERROR, plain, "Erreur interne").into_response();
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
    match page {
        ErrorPage::NotFound => (
            "Page introuvable",
            &["Cette page n'existe pas, ou vous n'y avez pas accès."],
            Some(("Retour à l'accueil", "/")),
        ),
        ErrorPage::CookiesRequired => (
            "Activez les cookies",
            &[
                "Le portail a besoin des cookies pour vous reconnaître d'une page à l'autre, \
                 et votre navigateur ne les a pas renvoyés.",
                "Autorisez les cookies pour ce site dans les réglages de confidentialité de \
                 votre navigateur (ils servent uniquement à votre connexion, jamais à de la \
                 publicité), puis recommencez.",
            ],
            Some(("Recommencer", "/")),
        ),
        ErrorPage::FormExpired => (
            "Formulaire expiré",
            &["Ce formulaire n'est plus valable. Rechargez la page et recommencez."],
            Some(("Retour à l'accueil", "/")),
        ),
        ErrorPage::BadRequest => (
            "Demande incorrecte",
            &["Cette demande n'a pas pu être comprise. Revenez à la page précédente et réessayez."],
            Some(("Retour à l'accueil", "/")),
        ),
        ErrorPage::Internal => (
            "Service momentanément indisponible",
            &[
                "Une erreur est survenue de notre côté. Réessayez dans quelques minutes ; si le \
               problème persiste, contactez notre service client.",
            ],
            Some(("Retour à l'accueil", "/")),
        ),
    }
}
