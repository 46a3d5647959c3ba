//! My account: password change (ACC-1) and forgotten password (RESET-1,
//! RESET-2).

use std::sync::Arc;

use chrono::Duration;

use crate::harness::{TestApp, cookie, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";
const NEW_PASSWORD: &str = "un tout autre secret bien long";

async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    app
}

/// A second browser signed in as the owner.
async fn second_browser(app: &TestApp) -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let (browser, jar) = app.new_browser();
    let fields = [("email", "pcr@example.org"), ("password", PASSWORD)];
    let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    (browser, jar)
}

#[tokio::test]
async fn changing_the_password_signs_out_other_sessions_and_tells_the_account() {
    let app = owner().await;
    let (other, _) = second_browser(&app).await;
    let before = cookie(&app.jar, &app.base, "dosiport_session").unwrap();

    let (status, page) = app
        .post_text(
            "/compte/mot-de-passe",
            &[
                ("current", "pas le bon"),
                ("password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Le mot de passe actuel"));
    let (status, page) = app
        .post_text(
            "/compte/mot-de-passe",
            &[
                ("current", PASSWORD),
                ("password", "court"),
                ("confirmation", "court"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("trop court"));

    let fields = [
        ("current", PASSWORD),
        ("password", NEW_PASSWORD),
        ("confirmation", NEW_PASSWORD),
    ];
    let r = app.post("/compte/mot-de-passe", &fields).await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=mot-de-passe"));
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("nouveau mot de passe est enregistré")
    );
    assert_ne!(
        cookie(&app.jar, &app.base, "dosiport_session").unwrap(),
        before,
        "session id renewed"
    );

    let r = other.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(
        r.url().path(),
        "/connexion",
        "the other session is signed out"
    );
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/rapports", "this one stays signed in");

    let mail = app.emails_to("pcr@example.org").await.pop().unwrap();
    assert!(
        mail.subject
            .contains("mot de passe de votre compte a été changé")
    );
    assert!(
        mail.text
            .contains(&format!("{}/mot-de-passe-oublie", app.base))
    );

    app.post("/deconnexion", &[]).await;
    let (status, _) = app
        .post_text(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 422, "the old password no longer works");
    let r = app
        .post(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
}

#[tokio::test]
async fn forgotten_password_answers_the_same_whatever_the_email() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let emails_before = app.emails().await.len();

    let (s1, known) = app
        .post_text("/mot-de-passe-oublie", &[("email", "PCR@example.org")])
        .await;
    let (s2, unknown) = app
        .post_text("/mot-de-passe-oublie", &[("email", "personne@example.org")])
        .await;
    assert_eq!((s1, s2), (200, 200));
    let neutral = |page: &str, email: &str| page.replace(email, "X");
    assert_eq!(
        neutral(&known, "pcr@example.org"),
        neutral(&unknown, "personne@example.org")
    );

    let emails = app.emails().await;
    assert_eq!(
        emails.len(),
        emails_before + 1,
        "only the existing account gets an email"
    );
    let reset = emails.last().unwrap();
    assert_eq!(reset.to, "pcr@example.org");
    assert!(
        reset
            .text
            .contains(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base))
    );

    let (status, page) = app
        .post_text("/mot-de-passe-oublie", &[("email", "pas une adresse")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Saisissez l&#39;adresse") || page.contains("Saisissez l'adresse"));
}

#[tokio::test]
async fn a_reset_ends_every_session_and_link_and_signs_in_this_browser() {
    let app = owner().await;
    let (other, _) = second_browser(&app).await;
    app.post("/mot-de-passe-oublie", &[("email", "pcr@example.org")])
        .await;
    app.post("/mot-de-passe-oublie", &[("email", "pcr@example.org")])
        .await;
    let links: Vec<String> = app
        .emails_to("pcr@example.org")
        .await
        .iter()
        .filter(|e| e.subject.contains("nouveau mot de passe"))
        .map(|e| e.link(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base)))
        .collect();
    assert_eq!(links.len(), 2);

    // A fresh browser opens the latest link.
    let (browser, jar) = app.new_browser();
    let r = browser.get(&links[1]).send().await.unwrap();
    assert_eq!(r.url().as_str(), app.url("/mot-de-passe-oublie/nouveau"));
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Choisir un nouveau mot de passe")
    );
    let fields = [("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    let r = post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie/nouveau"),
        &fields,
    )
    .await;
    assert_eq!(r.url().path(), "/rapports", "signed in on this browser");

    for client in [&other, &app.client] {
        let r = client.get(app.url("/rapports")).send().await.unwrap();
        assert_eq!(
            r.url().path(),
            "/connexion",
            "older sessions are signed out"
        );
    }
    let (b2, j2) = app.new_browser();
    b2.get(&links[0]).send().await.unwrap();
    let r = post_with(&b2, &j2, &app.url("/mot-de-passe-oublie/nouveau"), &fields).await;
    assert_eq!(r.status(), 400, "the other reset link died");
    assert_eq!(
        app.emails_to("pcr@example.org")
            .await
            .iter()
            .filter(|e| e.subject.contains("a été changé"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_reset_link_lasts_one_hour() {
    let app = owner().await;
    app.post("/mot-de-passe-oublie", &[("email", "pcr@example.org")])
        .await;
    let mail = app.emails_to("pcr@example.org").await.pop().unwrap();
    let link = mail.link(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base));
    app.clock.advance(Duration::minutes(61));
    let (browser, _) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 410);
    assert!(r.text().await.unwrap().contains("Demander un nouveau lien"));
}

#[tokio::test]
async fn two_parallel_posts_of_one_reset_link_write_one_password() {
    let app = owner().await;
    app.post("/mot-de-passe-oublie", &[("email", "pcr@example.org")])
        .await;
    let mail = app.emails_to("pcr@example.org").await.pop().unwrap();
    let link = mail.link(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base));
    let (browser, jar) = app.new_browser();
    browser.get(&link).send().await.unwrap();

    let passwords = ["premier mot de passe choisi", "second mot de passe choisi"];
    let tasks: Vec<_> = passwords
        .iter()
        .map(|pw| {
            let (browser, jar, url) = (
                browser.clone(),
                jar.clone(),
                app.url("/mot-de-passe-oublie/nouveau"),
            );
            let pw = pw.to_string();
            tokio::spawn(async move {
                let fields = [("password", pw.as_str()), ("confirmation", pw.as_str())];
                post_with(&browser, &jar, &url, &fields)
                    .await
                    .url()
                    .path()
                    .to_owned()
            })
        })
        .collect();
    let mut landed = Vec::new();
    for task in tasks {
        landed.push(task.await.unwrap());
    }
    assert_eq!(
        landed.iter().filter(|p| *p == "/rapports").count(),
        1,
        "{landed:?}"
    );
    let changed = "SELECT COUNT(*) FROM outbox WHERE kind = 'password_changed'";
    assert_eq!(app.count(changed).await, 1);
}

#[tokio::test]
async fn forms_without_cookies_get_the_cookies_page_on_reset_too() {
    let app = TestApp::spawn().await;
    let no_cookies = reqwest::Client::new();
    for path in [
        "/mot-de-passe-oublie",
        "/mot-de-passe-oublie/nouveau",
        "/compte/mot-de-passe",
    ] {
        let r = no_cookies
            .post(app.url(path))
            .form(&[("csrf", "x"), ("email", "a@example.com")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(
            r.text().await.unwrap().contains("Activez les cookies"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn reset_mail_only_ever_goes_to_the_stored_address() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let before = app.emails().await.len();

    // Two email values: refused, nothing sent.
    app.get("/").await;
    let csrf = cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let body = format!("csrf={csrf}&email=pcr%40example.org&email=attacker%40example.net");
    let r = app
        .client
        .post(app.url("/mot-de-passe-oublie"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Look-alikes of the stored address reach no account.
    for lookalike in [
        "ｐｃｒ@example.org",
        "pcr@examplе.org",
        "pcr@exampIe.org",
        "pcr@examplı.org",
    ] {
        let (status, _) = app
            .post_text("/mot-de-passe-oublie", &[("email", lookalike)])
            .await;
        assert!(status == 200 || status == 422, "{lookalike}: {status}");
    }
    assert_eq!(app.emails().await.len(), before, "no email for look-alikes");

    // Case and spaces reach the account, and the mail goes to the stored form.
    app.post("/mot-de-passe-oublie", &[("email", "  PCR@Example.ORG ")])
        .await;
    let emails = app.emails().await;
    assert_eq!(emails.len(), before + 1);
    assert_eq!(emails.last().unwrap().to, "pcr@example.org");
}

#[tokio::test]
async fn a_wrong_current_password_is_shown_next_to_that_field() {
    let app = owner().await;
    let fields = [
        ("current", "not my password at all"),
        ("password", NEW_PASSWORD),
        ("confirmation", NEW_PASSWORD),
    ];
    let (status, page) = app.post_text("/compte/mot-de-passe", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"current-error\""), "{page}");
    assert!(page.contains("href=\"#current\""));
    assert!(!page.contains("id=\"password-error\""));

    let fields = [
        ("email", "new@example.org"),
        ("confirmation", "new@example.org"),
        ("password", "not my password at all"),
    ];
    let (status, page) = app.post_text("/compte/email", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"password-error\""), "{page}");
    assert!(!page.contains("id=\"email-error\""));
    assert!(
        page.contains("value=\"new@example.org\" autocomplete=\"off\""),
        "both addresses kept"
    );
}
