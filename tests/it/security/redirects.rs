//! Open redirects: the return target of sign-in (`retour`, in the query and
//! in the form) only ever leads to a page of this portal, however it is
//! written or encoded, and no redirect takes its host from the request.

use super::{OWNER, PASSWORD, csrf_of, no_redirect, owner, same_origin};
use crate::harness::TestApp;

/// Return targets that lead elsewhere in one browser or another.
const HOSTILE: [&str; 26] = [
    "//evil.example.com",
    "///evil.example.com",
    "////evil.example.com/x",
    "/\\evil.example.com",
    "\\\\evil.example.com",
    "\\/evil.example.com",
    "https://evil.example.com",
    "http:evil.example.com",
    "https:/evil.example.com",
    "//evil.example.com@portal/",
    "/%2F%2Fevil.example.com",
    "%2F%2Fevil.example.com",
    "/%252F%252Fevil.example.com",
    "/%5C%5Cevil.example.com",
    "/%5Cevil.example.com",
    "%5C%5Cevil.example.com",
    "/%09/evil.example.com",
    "/\t/evil.example.com",
    " //evil.example.com",
    "//evil%E3%80%82example.com",
    "/\u{3002}/evil.example.com",
    "//\u{FF0F}evil.example.com",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/rapports\r\nLocation: https://evil.example.com",
    "/rapports%0d%0aLocation:%20https://evil.example.com",
];

/// Return targets that stay on the portal and are kept.
const LOCAL: [&str; 3] = ["/compte", "/rapports?page=2", "/compte/mot-de-passe"];

/// Where `retour` leads after signing in, and where it leads for a browser
/// already signed in.
async fn destinations(app: &TestApp, retour: &str) -> (String, String) {
    let (_, jar) = app.new_browser();
    let browser = no_redirect(&jar);
    let csrf = csrf_of(app, &browser, &jar).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("email", OWNER),
        ("password", PASSWORD),
        ("retour", retour),
    ];
    let r = browser
        .post(app.url("/connexion"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{retour:?}");
    let after_sign_in = r.headers()["location"].to_str().unwrap().to_owned();

    let r = browser
        .get(app.url("/connexion"))
        .query(&[("retour", retour)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{retour:?}");
    let when_signed_in = r.headers()["location"].to_str().unwrap().to_owned();
    (after_sign_in, when_signed_in)
}

#[tokio::test]
async fn return_targets_lead_only_to_pages_of_the_portal() {
    let app = owner().await;
    for retour in HOSTILE {
        let (a, b) = destinations(&app, retour).await;
        for location in [a, b] {
            assert_eq!(location, "/rapports", "{retour:?} led to {location:?}");
        }
    }
    for retour in LOCAL {
        let (a, b) = destinations(&app, retour).await;
        assert_eq!((a.as_str(), b.as_str()), (retour, retour));
    }
}

#[tokio::test]
async fn the_sign_in_form_carries_only_a_safe_return_target() {
    let app = TestApp::spawn().await;
    for retour in HOSTILE {
        let r = app
            .client
            .get(app.url("/connexion"))
            .query(&[("retour", retour)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        let field = page.split("name=\"retour\" value=\"").nth(1).unwrap();
        let value = field.split('"').next().unwrap();
        assert_eq!(value, "/rapports", "{retour:?}");
    }
}

#[tokio::test]
async fn no_redirect_takes_its_host_from_the_request() {
    let app = owner().await;
    let browser = no_redirect(&app.jar);
    let id = app
        .count("SELECT id FROM reports WHERE number = 'RDC-2025-001001'")
        .await;
    let (_, anonymous) = app.new_browser();
    let anonymous = no_redirect(&anonymous);
    let pages = [
        "/".to_owned(),
        "/connexion?retour=/compte".to_owned(),
        "/inscription/email".to_owned(),
        format!("/rapports/{id}/telecharger"),
        "/premiere-connexion?jeton=x".to_owned(),
        "/mot-de-passe-oublie/nouveau?jeton=x".to_owned(),
    ];
    for client in [&browser, &anonymous] {
        for page in &pages {
            let r = client
                .get(app.url(page))
                .header("host", "evil.example.com")
                .header("x-forwarded-host", "evil.example.com")
                .header("forwarded", "host=evil.example.com;proto=https")
                .send()
                .await
                .unwrap();
            if let Some(location) = r.headers().get("location") {
                let location = location.to_str().unwrap();
                assert!(location.starts_with('/'), "{page}: {location}");
                assert!(same_origin(&app, location), "{page}: {location}");
            }
        }
    }
}
