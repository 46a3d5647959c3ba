//! Notices of new reports (NOT-1 to NOT-4): one per account and batch, with
//! the right link, never twice even when sending is interrupted.

use chrono::Duration;
use dosiport::clock::Clock;

use crate::harness::{TestApp, generated_batch, post_with};

const CONTACTS: [&str; 4] = [
    "radioprotection.pre-des-eglantiers@example.org",
    "Gaelle.Legoff@example.net",
    "hse.val-aux-loups@example.org",
    "crp.bois-berenger@example.org",
];
const PASSWORD: &str = "une phrase de passe solide";

/// A portal with the four generated recipients, each owned by an account
/// `owner{i}@example.com` that has no password yet, and a second batch for
/// them ready to import.
async fn owners_without_password() -> (TestApp, tempfile::TempDir) {
    let first = generated_batch(&["--reports", "10", "--recipients", "4"]);
    let second = generated_batch(&[
        "--reports",
        "8",
        "--recipients",
        "4",
        "--first-number",
        "200001",
    ]);
    let app = TestApp::spawn().await;
    app.import(&first.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    for (i, contact) in CONTACTS.iter().enumerate() {
        let link = app
            .register_until_confirmation(contact, &format!("owner{i}@example.com"))
            .await;
        app.get(&link).await;
        app.post("/inscription/confirmer", &[]).await;
    }
    (app, second)
}

async fn notices(app: &TestApp, email: &str) -> Vec<crate::harness::Email> {
    let all = app.emails_to(email).await;
    all.into_iter()
        .filter(|e| e.subject.contains("disponible"))
        .collect()
}

#[tokio::test]
async fn an_account_without_password_gets_a_first_connection_link() {
    let (app, second) = owners_without_password().await;
    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    let notice = notices(&app, "owner0@example.com").await.pop().unwrap();
    let link = notice.link(&format!("{}/premiere-connexion?jeton=", app.base));

    // Another browser, never signed in, opens it.
    let (browser, jar) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(
        r.url().as_str(),
        app.url("/premiere-connexion"),
        "token dropped from the URL"
    );
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let page = r.text().await.unwrap();
    assert!(page.contains("owner0@example.com") && page.contains("Choisir mon mot de passe"));

    // The link alone opens nothing else.
    let r = browser.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(r.url().path(), "/connexion");

    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    let r = post_with(&browser, &jar, &app.url("/premiere-connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    assert!(r.text().await.unwrap().contains("RDC-2026-2000"));

    // Used, the link now says the password is set.
    let (again, _) = app.new_browser();
    let r = again.get(&link).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("Mot de passe déjà choisi"));
}

#[tokio::test]
async fn a_first_connection_link_expires_after_seven_days() {
    let (app, second) = owners_without_password().await;
    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    let notice = notices(&app, "owner1@example.com").await.pop().unwrap();
    let link = notice.link(&format!("{}/premiere-connexion?jeton=", app.base));
    app.clock.advance(Duration::days(7) + Duration::seconds(1));
    let (browser, jar) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 410);
    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    post_with(&browser, &jar, &app.url("/premiere-connexion"), &fields).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE password_hash IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn an_account_with_a_password_is_sent_to_sign_in_then_to_its_reports() {
    let first = generated_batch(&["--reports", "10", "--recipients", "4"]);
    let second = generated_batch(&[
        "--reports",
        "8",
        "--recipients",
        "4",
        "--first-number",
        "200001",
    ]);
    let app = TestApp::spawn().await;
    app.import(&first.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    app.register_owner(CONTACTS[0], "owner@example.com", PASSWORD)
        .await;
    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();

    let notice = notices(&app, "owner@example.com").await.pop().unwrap();
    assert!(
        !notice.text.contains("jeton"),
        "no token for an account with a password"
    );
    let link = notice.link(&format!("{}/rapports", app.base));

    // The signed-in browser goes straight to the reports.
    let r = app.get(&link).await;
    assert_eq!(r.url().path(), "/rapports");

    // Another browser signs in first, then lands on them.
    let (browser, jar) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.url().as_str(), app.url("/connexion?retour=/rapports"));
    let fields = [
        ("email", "owner@example.com"),
        ("password", PASSWORD),
        ("retour", "/rapports"),
    ];
    let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
}

#[tokio::test]
async fn a_remembered_browser_opens_the_link_without_a_password_weeks_later() {
    let first = generated_batch(&["--reports", "10", "--recipients", "4"]);
    let app = TestApp::spawn().await;
    app.import(&first.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    app.register_owner(CONTACTS[2], "owner@example.com", PASSWORD)
        .await;

    let (browser, jar) = app.new_browser();
    let fields = [
        ("email", "owner@example.com"),
        ("password", PASSWORD),
        ("remember", "oui"),
    ];
    post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    app.clock.advance(Duration::days(20));
    let r = browser.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(r.url().path(), "/rapports");
    app.clock.advance(Duration::days(11));
    let r = browser.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(r.url().path(), "/connexion", "remembered for 30 days only");

    // The browser that did not ask to be remembered was forgotten long ago.
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/connexion");
}

#[tokio::test]
async fn notices_interrupted_half_way_reach_every_account_exactly_once() {
    let (app, second) = owners_without_password().await;
    let mailer = &app.app.mailer;
    mailer.deliver_due().await.unwrap();
    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'new_reports'")
            .await,
        4
    );

    // A sender claims two notices and dies before sending them.
    let now = app.clock.now();
    let claimed = app
        .app
        .state
        .store
        .claim_outbox(now, now + Duration::minutes(5), 2)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);

    // Two senders restart at once: the others leave once each.
    let restarted = mailer.clone();
    let (a, b) = tokio::join!(mailer.deliver_due(), restarted.deliver_due());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 2);

    // Once the dead sender's lease ends, its two leave too.
    app.clock.advance(Duration::minutes(6));
    assert_eq!(mailer.deliver_due().await.unwrap().sent, 2);
    assert_eq!(mailer.deliver_due().await.unwrap().sent, 0);

    for i in 0..4 {
        let email = format!("owner{i}@example.com");
        assert_eq!(notices(&app, &email).await.len(), 1, "{email}");
    }
    // Importing the same batch again notifies nobody.
    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'new_reports'")
            .await,
        4
    );
}

#[tokio::test]
async fn a_browser_preferring_english_gets_english_emails_for_its_account() {
    let first = generated_batch(&["--reports", "10", "--recipients", "4"]);
    let second = generated_batch(&[
        "--reports",
        "8",
        "--recipients",
        "4",
        "--first-number",
        "200001",
    ]);
    let app = TestApp::spawn().await;
    app.import(&first.path().join("batch/manifest.csv"))
        .await
        .unwrap();

    let english = reqwest::Client::builder()
        .cookie_provider(app.jar.clone())
        .default_headers(
            [(
                reqwest::header::ACCEPT_LANGUAGE,
                "en-GB,en;q=0.9,fr;q=0.5".parse().unwrap(),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    let invite = app.emails_to(CONTACTS[0]).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    post_with(
        &english,
        &app.jar,
        &app.url("/inscription"),
        &[("code", &code), ("number", &number)],
    )
    .await;
    post_with(
        &english,
        &app.jar,
        &app.url("/inscription/email"),
        &[("email", "owner@example.com")],
    )
    .await;
    post_with(
        &english,
        &app.jar,
        &app.url("/inscription/certification"),
        &[("certify", "oui")],
    )
    .await;
    let confirm = app.emails_to("owner@example.com").await.pop().unwrap();
    assert!(
        confirm.subject.starts_with("Confirm your address"),
        "{}",
        confirm.subject
    );
    english
        .get(confirm.link(&format!("{}/inscription/confirmer?jeton=", app.base)))
        .send()
        .await
        .unwrap();
    post_with(&english, &app.jar, &app.url("/inscription/confirmer"), &[]).await;

    app.import(&second.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    let notice = app.emails_to("owner@example.com").await.pop().unwrap();
    assert!(notice.subject.contains("available"), "{}", notice.subject);
    assert!(
        notice
            .text
            .contains("On your first visit you will choose your password")
    );
}
