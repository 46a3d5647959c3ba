//! French by default, English on demand: from the browser's preference, or
//! from the switch on every page, which is remembered; a signed-in
//! account's emails follow the switch.

use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
use reqwest::redirect::Policy;

use crate::harness::{TestApp, complete, cookie, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

/// The language a page says it is in.
fn lang_of(page: &str) -> &str {
    let start = page.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    let end = page[start..].find('"').map_or(start, |i| start + i);
    &page[start..end]
}

fn browser_preferring(languages: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(languages).unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn page(client: &reqwest::Client, url: &str) -> String {
    complete(client.get(url).send().await.unwrap().text().await.unwrap())
}

#[tokio::test]
async fn pages_are_french_unless_the_browser_prefers_english() {
    let app = TestApp::spawn().await;
    let (_, home) = app.get_text("/").await;
    assert_eq!(lang_of(&home), "fr");
    assert!(home.contains("Vos rapports de contrôle en ligne"));

    let english = browser_preferring("en-GB,en;q=0.9,fr;q=0.5");
    let home = page(&english, &app.url("/")).await;
    assert_eq!(lang_of(&home), "en");
    assert!(home.contains("Your control reports online"), "{home}");
    assert!(!home.contains("Vos rapports"));

    let french_first = browser_preferring("fr-FR,fr;q=0.9,en;q=0.8");
    let home = page(&french_first, &app.url("/connexion")).await;
    assert_eq!(lang_of(&home), "fr");
    let neither = browser_preferring("de-DE,de;q=0.9");
    assert_eq!(lang_of(&page(&neither, &app.url("/")).await), "fr");
}

#[tokio::test]
async fn the_switch_brings_back_to_the_page_and_is_remembered() {
    let app = TestApp::spawn().await;
    let (_, signin) = app.get_text("/connexion").await;
    assert!(
        signin.contains("action=\"/langue\""),
        "a switch on the page"
    );
    assert!(signin.contains("name=\"page\" value=\"/connexion\""));

    let r = app
        .post("/langue", &[("langue", "en"), ("page", "/connexion")])
        .await;
    assert_eq!(r.url().path(), "/connexion");
    let signin = complete(r.text().await.unwrap());
    assert_eq!(lang_of(&signin), "en");
    assert!(signin.contains("Forgotten your password?"));
    assert_eq!(
        cookie(&app.jar, &app.base, "dosiport_lang").as_deref(),
        Some("en")
    );

    // Remembered on every page, whatever the browser says it prefers.
    let (_, reset) = app.get_text("/mot-de-passe-oublie").await;
    assert_eq!(lang_of(&reset), "en");
    let (status, missing) = app.get_text("/no-such-page").await;
    assert_eq!((status, lang_of(&missing)), (404, "en"));
    assert!(missing.contains("Page not found"));

    // A page reached with a query comes back with it (a return target,
    // filters).
    let (_, signin) = app.get_text("/connexion?retour=/compte").await;
    assert!(signin.contains("name=\"page\" value=\"/connexion?retour=/compte\""));
    let r = app
        .post(
            "/langue",
            &[("langue", "fr"), ("page", "/connexion?retour=/compte")],
        )
        .await;
    assert_eq!(r.url().as_str(), app.url("/connexion?retour=/compte"));
    let page = complete(r.text().await.unwrap());
    assert_eq!(lang_of(&page), "fr");
    assert!(page.contains("name=\"retour\" value=\"/compte\""));
}

#[tokio::test]
async fn the_switch_refuses_forgeries_unknown_languages_and_foreign_targets() {
    let app = TestApp::spawn().await;
    app.get("/").await;

    // No anti-forgery token: nothing changes.
    let forged = app
        .client
        .post(app.url("/langue"))
        .form(&[("langue", "en"), ("page", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(cookie(&app.jar, &app.base, "dosiport_lang"), None);

    let (status, _) = app
        .post_text("/langue", &[("langue", "xx"), ("page", "/")])
        .await;
    assert_eq!(status, 400);
    assert_eq!(cookie(&app.jar, &app.base, "dosiport_lang"), None);

    let (client, jar) = app.new_browser();
    let no_redirects = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .unwrap();
    client.get(app.url("/")).send().await.unwrap();
    for target in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let fields = [("langue", "en"), ("page", target)];
        let r = post_with(&no_redirects, &jar, &app.url("/langue"), &fields).await;
        assert_eq!(r.status().as_u16(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{location}"
        );
        assert!(!location.contains("evil"), "{location}");
    }
}

#[tokio::test]
async fn a_signed_in_switch_sends_the_account_its_emails_in_english() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    let r = app
        .post("/langue", &[("langue", "en"), ("page", "/compte")])
        .await;
    assert_eq!(r.url().path(), "/compte");
    assert_eq!(app.text("SELECT lang FROM accounts").await, "en");

    let new_password = "an entirely different long secret";
    let fields = [
        ("current", PASSWORD),
        ("password", new_password),
        ("confirmation", new_password),
    ];
    let r = app.post("/compte/mot-de-passe", &fields).await;
    let account = complete(r.text().await.unwrap());
    assert!(account.contains("Your new password is saved"), "{account}");
    let notice = app.emails_to("pcr@example.org").await.pop().unwrap();
    assert_eq!(
        notice.subject,
        "The password of your account was changed – ATLAS Dosimétrie"
    );
}

#[tokio::test]
async fn every_page_of_a_signed_in_owner_exists_in_both_languages() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    let pages = [
        "/",
        "/connexion",
        "/inscription",
        "/mot-de-passe-oublie",
        "/rapports",
        "/compte",
        "/compte/mot-de-passe",
        "/compte/email",
        "/compte?fait=delegue-invite",
        "/premiere-connexion",
        "/inscription/confirmer?jeton=abc",
        "/no-such-page",
    ];
    let mut french = Vec::new();
    for path in pages {
        let (_, text) = app.get_text(path).await;
        assert_eq!(lang_of(&text), "fr", "{path}");
        french.push(text);
    }
    app.post("/langue", &[("langue", "en"), ("page", "/")])
        .await;
    for (path, french) in pages.iter().zip(french) {
        let (_, english) = app.get_text(path).await;
        assert_eq!(lang_of(&english), "en", "{path}");
        let title = |page: &str| page.split("<title>").nth(1).unwrap_or("").to_owned();
        assert_ne!(title(&english), title(&french), "{path}: same title");
    }
}
