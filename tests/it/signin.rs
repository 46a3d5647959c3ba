//! First connection, sign-in and sign-out (PWD-1, PWD-2, LOGIN-1, LOGIN-2).

use crate::harness::{TestApp, cookie};

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

async fn confirmed(app: &TestApp) {
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
}

#[tokio::test]
async fn first_password_follows_the_policy() {
    let app = TestApp::spawn().await;
    confirmed(&app).await;
    let (_, page) = app.get_text("/premiere-connexion").await;
    assert!(
        page.contains("de 12 à 128 caractères"),
        "criteria shown before typing"
    );

    for (password, confirmation, expected) in [
        ("court", "court", "trop court"),
        ("une phrase de passe solide", "une autre", "pas identiques"),
        (
            "mon pcr de radiologie",
            "mon pcr de radiologie",
            "adresse email",
        ),
        (
            "atlas dosimétrie 2026",
            "atlas dosimétrie 2026",
            "nom du laboratoire",
        ),
        ("password1234", "password1234", "plus courants"),
    ] {
        let (status, page) = app
            .post_text(
                "/premiere-connexion",
                &[("password", password), ("confirmation", confirmation)],
            )
            .await;
        assert_eq!(status, 422);
        assert!(page.contains(expected), "{password}: {page}");
    }
    let hashes = "SELECT COUNT(*) FROM accounts WHERE password_hash IS NOT NULL";
    assert_eq!(app.count(hashes).await, 0);
}

#[tokio::test]
async fn a_restricted_session_can_only_set_the_password() {
    let app = TestApp::spawn().await;
    confirmed(&app).await;
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/premiere-connexion");
    for path in ["/compte", "/rapports/1/telecharger", "/rapports?page=2"] {
        let r = app.get(path).await;
        assert_eq!(r.url().path(), "/premiere-connexion", "{path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);
}

#[tokio::test]
async fn setting_the_password_signs_in_with_a_new_session() {
    let app = TestApp::spawn().await;
    confirmed(&app).await;
    let before = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    let r = app
        .post(
            "/premiere-connexion",
            &[("password", PASSWORD), ("confirmation", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    let after = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    assert_ne!(before, after);
    let stored = "SELECT COUNT(*) FROM sessions WHERE kind = 'full'";
    assert_eq!(app.count(stored).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let hash = "SELECT COUNT(*) FROM accounts WHERE password_hash LIKE '$argon2id$%'";
    assert_eq!(app.count(hash).await, 1);
}

#[tokio::test]
async fn failed_sign_in_says_the_same_for_unknown_email_and_wrong_password() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;

    let (s1, wrong) = app
        .post_text(
            "/connexion",
            &[
                ("email", "pcr@example.org"),
                ("password", "faux mot de passe"),
            ],
        )
        .await;
    let (s2, unknown) = app
        .post_text(
            "/connexion",
            &[("email", "nobody@example.org"), ("password", PASSWORD)],
        )
        .await;
    let (s3, invalid) = app
        .post_text(
            "/connexion",
            &[("email", "not an email"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((s1, s2, s3), (422, 422, 422));
    for page in [&wrong, &unknown, &invalid] {
        assert!(page.contains("Adresse email ou mot de passe incorrect."));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn sign_in_renews_the_session_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    let first = cookie(&app.jar, &app.base, "dosiport_session").unwrap();

    let r = app
        .post(
            "/connexion",
            &[("email", " PCR@Example.ORG "), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    let second = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    assert_ne!(first, second);

    // The old id no longer works.
    let (stale, _) = app.new_browser();
    let r = stale
        .get(app.url("/rapports"))
        .header("cookie", format!("dosiport_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/connexion");

    let r = app.post("/deconnexion", &[]).await;
    assert!(r.text().await.unwrap().contains("Vous êtes déconnecté"));
    let r = stale
        .get(app.url("/rapports"))
        .header("cookie", format!("dosiport_session={second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/connexion");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn remember_this_browser_sets_a_lasting_cookie() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;

    let (browser, jar) = app.new_browser();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    browser.get(app.url("/connexion")).send().await.unwrap();
    let csrf = cookie(&jar, &app.base, "dosiport_csrf").unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "pcr@example.org"),
        ("password", PASSWORD),
        ("remember", "oui"),
    ];
    let r = no_redirect
        .post(app.url("/connexion"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("dosiport_session="))
        .unwrap();
    assert!(set.contains("Max-Age=2592000"), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE remember = TRUE")
            .await,
        1
    );

    let form = [
        ("csrf", csrf.as_str()),
        ("email", "pcr@example.org"),
        ("password", PASSWORD),
    ];
    let r = no_redirect
        .post(app.url("/connexion"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("dosiport_session="))
        .unwrap();
    assert!(!set.contains("Max-Age"), "a browser session cookie: {set}");
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_but_only_on_this_site() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;

    let r = app.get("/compte").await;
    assert_eq!(r.url().as_str(), app.url("/connexion?retour=/compte"));
    let r = app
        .post(
            "/connexion",
            &[
                ("email", "pcr@example.org"),
                ("password", PASSWORD),
                ("retour", "/compte"),
            ],
        )
        .await;
    assert_eq!(r.url().path(), "/compte");

    app.post("/deconnexion", &[]).await;
    let r = app
        .post(
            "/connexion",
            &[
                ("email", "pcr@example.org"),
                ("password", PASSWORD),
                ("retour", "//evil.example.com/x"),
            ],
        )
        .await;
    assert_eq!(r.url().as_str(), app.url("/rapports"));
}

#[tokio::test]
async fn an_active_session_still_ends_after_a_day_unless_remembered() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    for _ in 0..4 {
        app.clock.advance(chrono::Duration::hours(5));
        let r = app.get("/rapports").await;
        assert_eq!(r.url().path(), "/rapports", "active within its idle time");
    }
    app.clock.advance(chrono::Duration::hours(5));
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/connexion");
}

#[tokio::test]
async fn a_set_password_session_keeps_its_short_life() {
    let app = TestApp::spawn().await;
    confirmed(&app).await;
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::minutes(25));
        let r = app.get("/premiere-connexion").await;
        assert!(r.text().await.unwrap().contains("Choisir mon mot de passe"));
    }
    app.clock.advance(chrono::Duration::minutes(25));
    let r = app.get("/premiere-connexion").await;
    let page = r.text().await.unwrap();
    assert!(
        page.contains("ouvrez le lien reçu par email"),
        "one hour, however active"
    );
}

#[tokio::test]
async fn over_https_cookies_are_secure_host_cookies_and_their_removal_too() {
    let app =
        TestApp::spawn_with(|c| c.public_url = "https://portail.example.com".parse().unwrap())
            .await;
    let r = app.client.get(app.url("/connexion")).send().await.unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.starts_with("__Host-dosiport_csrf=")
            && set.contains("Secure")
            && set.contains("Path=/")
    );
    let csrf = set
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_owned();
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/deconnexion"))
        .header(
            "cookie",
            format!("__Host-dosiport_csrf={csrf}; __Host-dosiport_session=x"),
        )
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let removal = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-dosiport_session="))
        .unwrap();
    assert!(
        removal.contains("Secure") && removal.contains("Max-Age=0"),
        "{removal}"
    );
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn the_first_connection_page_without_a_link_says_what_to_do() {
    let app = TestApp::spawn().await;
    let (status, page) = app.get_text("/premiere-connexion").await;
    assert_eq!(status, 200);
    assert!(page.contains("ouvrez le lien reçu par email") && page.contains("cookies"));
}
