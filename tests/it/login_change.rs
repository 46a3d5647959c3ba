//! Changing the login email (MAIL-1) and what it does to other links.

use chrono::Duration;

use crate::harness::{TestApp, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "old@example.org", PASSWORD)
        .await;
    app
}

fn change(new: &str) -> Vec<(&str, &str)> {
    vec![
        ("email", new),
        ("confirmation", new),
        ("password", PASSWORD),
    ]
}

async fn confirm_link(app: &TestApp, to: &str) -> String {
    let mail = app.emails_to(to).await.pop().unwrap();
    mail.link(&format!("{}/compte/email/confirmer?jeton=", app.base))
}

async fn sign_in(app: &TestApp, email: &str) -> u16 {
    let (browser, jar) = app.new_browser();
    let r = post_with(
        &browser,
        &jar,
        &app.url("/connexion"),
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    if r.url().path() == "/rapports" {
        200
    } else {
        r.status().as_u16()
    }
}

#[tokio::test]
async fn the_login_changes_only_once_the_new_address_confirms() {
    let app = owner().await;
    for (fields, message) in [
        (
            vec![
                ("email", "new@example.org"),
                ("confirmation", "other@example.org"),
                ("password", PASSWORD),
            ],
            "pas identiques",
        ),
        (
            vec![
                ("email", "new@example.org"),
                ("confirmation", "new@example.org"),
                ("password", "faux"),
            ],
            "mot de passe",
        ),
        (change("OLD@example.org"), "déjà l&#39;adresse"),
    ] {
        let (status, page) = app.post_text("/compte/email", &fields).await;
        assert_eq!(status, 422);
        assert!(
            page.contains(message) || page.contains(&message.replace("&#39;", "'")),
            "{message}: {page}"
        );
    }

    let r = app.post("/compte/email", &change("New@Example.org")).await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=email-demande"));
    let told = app.emails_to("old@example.org").await.pop().unwrap();
    assert!(told.text.contains("new@example.org") && told.subject.contains("Demande"));
    assert_eq!(
        (
            sign_in(&app, "old@example.org").await,
            sign_in(&app, "new@example.org").await
        ),
        (200, 422)
    );

    let link = confirm_link(&app, "new@example.org").await;
    let (browser, jar) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.url().as_str(), app.url("/compte/email/confirmer"));
    assert!(r.text().await.unwrap().contains("new@example.org"));
    assert_eq!(
        sign_in(&app, "old@example.org").await,
        200,
        "a GET changes nothing"
    );
    let r = post_with(&browser, &jar, &app.url("/compte/email/confirmer"), &[]).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Votre identifiant est désormais new@example.org")
    );

    assert_eq!(
        (
            sign_in(&app, "old@example.org").await,
            sign_in(&app, "new@example.org").await
        ),
        (422, 200)
    );
    let done = app.emails_to("old@example.org").await.pop().unwrap();
    assert!(done.subject.contains("a été changée") && done.text.contains("new@example.org"));
    let page = app.get("/compte").await.text().await.unwrap();
    assert!(
        page.contains("new@example.org"),
        "the open session follows the account"
    );
}

#[tokio::test]
async fn an_address_already_in_use_cannot_complete_and_the_requester_learns_nothing() {
    let app = owner().await;
    app.register_owner("hse.cnd@example.com", "taken@example.com", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;
    app.post(
        "/connexion",
        &[("email", "old@example.org"), ("password", PASSWORD)],
    )
    .await;

    let taken = app
        .post("/compte/email", &change("taken@example.com"))
        .await;
    let free = app.post("/compte/email", &change("free@example.com")).await;
    assert_eq!(taken.url(), free.url(), "the same answer");

    let link = confirm_link(&app, "taken@example.com").await;
    let (browser, jar) = app.new_browser();
    browser.get(&link).send().await.unwrap();
    let r = post_with(&browser, &jar, &app.url("/compte/email/confirmer"), &[]).await;
    assert_eq!(r.status(), 400, "the newer request replaced it");

    // The taken address's own link, confirmed before any other request.
    app.post("/compte/email", &change("taken@example.com"))
        .await;
    let link = confirm_link(&app, "taken@example.com").await;
    browser.get(&link).send().await.unwrap();
    let r = post_with(&browser, &jar, &app.url("/compte/email/confirmer"), &[]).await;
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap().replace("&#39;", "'");
    assert!(page.contains("Rien n'a été changé"), "{page}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'old@example.org'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_reset_link_issued_before_an_email_change_dies_with_it() {
    let app = owner().await;
    app.post("/mot-de-passe-oublie", &[("email", "old@example.org")])
        .await;
    let reset = app.emails_to("old@example.org").await.pop().unwrap();
    let reset = reset.link(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base));

    app.post("/compte/email", &change("new@example.org")).await;
    let link = confirm_link(&app, "new@example.org").await;
    app.get(&link).await;
    app.post("/compte/email/confirmer", &[]).await;

    let (browser, _) = app.new_browser();
    let r = browser.get(&reset).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn the_confirmation_link_lasts_24_hours() {
    let app = owner().await;
    app.post("/compte/email", &change("new@example.org")).await;
    let link = confirm_link(&app, "new@example.org").await;
    app.clock
        .advance(Duration::hours(24) + Duration::seconds(1));
    let (browser, _) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(sign_in(&app, "old@example.org").await, 200);
}
