//! Registration's special cases (REG-7 to REG-12) and emailed links that a
//! GET never consumes.

use std::sync::Arc;

use chrono::Duration;

use crate::harness::{TestApp, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";

/// Steps 1 to 3 in a browser, without following the confirmation.
async fn steps_in(
    app: &TestApp,
    client: &reqwest::Client,
    jar: &reqwest::cookie::Jar,
    email: &str,
) -> reqwest::Response {
    let invite = app.emails_to(CONTACT).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    post_with(
        client,
        jar,
        &app.url("/inscription"),
        &[("code", &code), ("number", &number)],
    )
    .await;
    let r = post_with(
        client,
        jar,
        &app.url("/inscription/email"),
        &[("email", email)],
    )
    .await;
    if r.url().path() == "/inscription/en-cours" {
        return r;
    }
    post_with(
        client,
        jar,
        &app.url("/inscription/certification"),
        &[("certify", "oui")],
    )
    .await
}

fn confirm_link(app: &TestApp, email: &crate::harness::Email) -> String {
    email.link(&format!("{}/inscription/confirmer?jeton=", app.base))
}

#[tokio::test]
async fn repeating_the_steps_while_pending_offers_a_resend_that_kills_the_old_link() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let old = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;

    let r = steps_in(&app, &app.client, &app.jar, "pcr@example.org").await;
    assert_eq!(r.url().path(), "/inscription/en-cours");
    let page = r.text().await.unwrap();
    assert!(page.contains("Confirmation en attente") && page.contains("pcr@example.org"));
    assert_eq!(
        app.emails_to("pcr@example.org").await.len(),
        1,
        "nothing sent before asking"
    );

    let r = app.post("/inscription/en-cours", &[]).await;
    assert_eq!(r.url().path(), "/inscription/envoyee");
    let emails = app.emails_to("pcr@example.org").await;
    assert_eq!(emails.len(), 2);
    let new = confirm_link(&app, &emails[1]);
    assert_ne!(old, new);

    app.get(&old).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("Lien remplacé"), "{page}");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    app.get(&new).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("votre compte est créé"));
    let resent = "SELECT COUNT(*) FROM audit WHERE event = 'confirmation_resent'";
    assert_eq!(app.count(resent).await, 1);
}

#[tokio::test]
async fn a_used_link_or_a_second_link_says_the_registration_is_done() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let first = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    app.get(&first).await;
    app.post("/inscription/confirmer", &[]).await;

    // The same link again.
    app.get(&first).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("déjà été validée") && page.contains("/connexion"));

    // A second link obtained from another browser with the same email.
    let (browser, jar) = app.new_browser();
    steps_in(&app, &browser, &jar, "pcr@example.org").await;
    let second = app.emails_to("pcr@example.org").await;
    assert_eq!(
        second.len(),
        1,
        "the owner registering again gets no new link"
    );
}

#[tokio::test]
async fn the_other_emails_link_changes_nothing_once_someone_owns_the_recipient() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let (b1, j1) = app.new_browser();
    let (b2, j2) = app.new_browser();
    steps_in(&app, &b1, &j1, "first@example.org").await;
    steps_in(&app, &b2, &j2, "second@example.org").await;
    let l1 = confirm_link(&app, &app.emails_to("first@example.org").await[0]);
    let l2 = confirm_link(&app, &app.emails_to("second@example.org").await[0]);

    b1.get(&l1).send().await.unwrap();
    post_with(&b1, &j1, &app.url("/inscription/confirmer"), &[]).await;
    b2.get(&l2).send().await.unwrap();
    let r = post_with(&b2, &j2, &app.url("/inscription/confirmer"), &[]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("déjà un titulaire") && page.contains("destinataire"));
    assert!(!page.contains("first@example.org"), "the owner is revealed");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    let unused =
        "SELECT COUNT(*) FROM tokens WHERE email = 'second@example.org' AND used_at IS NULL";
    assert_eq!(app.count(unused).await, 1);
}

#[tokio::test]
async fn an_expired_link_leads_back_to_the_codes_then_to_a_new_email() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    app.clock.advance(Duration::hours(49));
    app.get(&link).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("Lien expiré") && page.contains("href=\"/inscription\""));

    let r = steps_in(&app, &app.client, &app.jar, "pcr@example.org").await;
    assert_eq!(
        r.url().path(),
        "/inscription/envoyee",
        "an expired link is not pending"
    );
    let fresh = app.emails_to("pcr@example.org").await.pop().unwrap();
    app.get(&confirm_link(&app, &fresh)).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("votre compte est créé"));
}

#[tokio::test]
async fn truncated_altered_and_unknown_links_get_the_invalid_page() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    let token = link.rsplit('=').next().unwrap().to_owned();
    let mut altered = token.clone();
    altered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    for bad in [
        &token[..20],
        altered.as_str(),
        "",
        "%00",
        "../../etc/passwd",
    ] {
        let (browser, jar) = app.new_browser();
        browser
            .get(app.url(&format!("/inscription/confirmer?jeton={bad}")))
            .send()
            .await
            .unwrap();
        let r = post_with(&browser, &jar, &app.url("/inscription/confirmer"), &[]).await;
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("Lien non valide"), "{bad}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}

#[tokio::test]
async fn twenty_parallel_confirmations_make_exactly_one_owner() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    app.get(&link).await;
    let csrf = crate::harness::cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();

    let url = app.url("/inscription/confirmer");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (client, url, csrf) = (app.client.clone(), url.clone(), csrf.clone());
            tokio::spawn(async move {
                client
                    .post(&url)
                    .form(&[("csrf", csrf)])
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let r = task.await.unwrap();
        assert!(r.status() == 200 || r.status() == 400, "{}", r.status());
        let page = r.text().await.unwrap();
        if page.contains("votre compte est créé") {
            created += 1;
        } else {
            assert!(
                page.contains("déjà été validée") || page.contains("Lien non valide"),
                "{page}"
            );
        }
    }
    assert_eq!(created, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recipients WHERE owner_account_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn two_emails_racing_for_one_recipient_make_exactly_one_owner() {
    let app = Arc::new(TestApp::spawn().await);
    app.import_ok("basic/manifest.csv").await;
    let mut browsers = Vec::new();
    for i in 0..2 {
        let (client, jar) = app.new_browser();
        let email = format!("racer{i}@example.org");
        steps_in(&app, &client, &jar, &email).await;
        let link = confirm_link(&app, &app.emails_to(&email).await[0]);
        client.get(&link).send().await.unwrap();
        browsers.push((client, jar));
    }
    let tasks: Vec<_> = browsers
        .into_iter()
        .map(|(client, jar)| {
            let url = app.url("/inscription/confirmer");
            tokio::spawn(async move {
                post_with(&client, &jar, &url, &[])
                    .await
                    .text()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut pages = Vec::new();
    for task in tasks {
        pages.push(task.await.unwrap());
    }
    assert_eq!(
        pages
            .iter()
            .filter(|p| p.contains("votre compte est créé"))
            .count(),
        1
    );
    assert_eq!(
        pages
            .iter()
            .filter(|p| p.contains("déjà un titulaire"))
            .count(),
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

/// Rows of every table, and the state of every token.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "accounts",
        "recipients",
        "tokens",
        "sessions",
        "outbox",
        "downloads",
        "audit",
        "registration_drafts",
    ] {
        out.push(app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    out.push(
        app.count(
            "SELECT COUNT(*) FROM tokens WHERE used_at IS NOT NULL OR revoked_at IS NOT NULL",
        )
        .await,
    );
    out.push(
        app.count("SELECT COUNT(*) FROM recipients WHERE owner_account_id IS NOT NULL")
            .await,
    );
    out
}

#[tokio::test]
async fn repeated_gets_of_every_emailed_link_change_nothing() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let invite = app.emails_to(CONTACT).await.remove(0);
    let invite_link = invite.link(&format!("{}/inscription", app.base));

    // A pending confirmation, a used one, and a first-connection link sent
    // with new reports to an owner who has no password yet.
    let pending = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    let (browser, _) = app.new_browser();
    let contact = "Secretariat.Imagerie@Example.NET";
    let used = app
        .register_until_confirmation(contact, "imagerie@example.net")
        .await;
    app.get(&used).await;
    app.post("/inscription/confirmer", &[]).await;
    app.import_ok("excel-fr/utf8-bom.csv").await;
    let notice = app.emails_to("imagerie@example.net").await.pop().unwrap();
    let first = notice.link(&format!("{}/premiere-connexion?jeton=", app.base));

    let before = snapshot(&app).await;
    for link in [&pending, &used, &first, &invite_link] {
        for client in [&reqwest::Client::new(), &browser, &app.client] {
            for _ in 0..2 {
                let r = client.get(link.as_str()).send().await.unwrap();
                assert!(r.status().as_u16() < 500, "{link}");
            }
        }
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn opening_a_link_that_cannot_confirm_says_why_at_once() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    let r = app.get(&link).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Confirmer mon inscription")
    );
    app.post("/inscription/confirmer", &[]).await;

    let r = app.get(&link).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("déjà été validée") && !page.contains("Confirmer mon inscription"));

    let (browser, _) = app.new_browser();
    let r = browser
        .get(app.url("/inscription/confirmer?jeton=tronque"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Lien non valide"));
}

#[tokio::test]
async fn pages_of_later_steps_do_not_pretend_without_a_registration() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let (_, page) = app.get_text("/inscription/envoyee").await;
    assert!(!page.contains("vient d&#39;être envoyé") && !page.contains("vient d'être envoyé"));
    assert!(page.contains("Saisissez de nouveau vos codes"));
    let (_, page) = app.get_text("/inscription/compte-existant").await;
    assert!(!page.contains("a déjà un compte"));
}

#[tokio::test]
async fn parallel_clicks_on_finish_send_one_email() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let invite = app.emails_to(CONTACT).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    app.post("/inscription/email", &[("email", "pcr@example.org")])
        .await;
    let csrf = crate::harness::cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, csrf) = (
                app.client.clone(),
                app.url("/inscription/certification"),
                csrf.clone(),
            );
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .form(&[("csrf", csrf.as_str()), ("certify", "oui")])
                    .send()
                    .await
                    .unwrap();
                r.url().path().to_owned()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), "/inscription/envoyee");
    }
    assert_eq!(app.emails_to("pcr@example.org").await.len(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM tokens").await, 1);
}

#[tokio::test]
async fn a_finished_registration_sends_no_more_links_from_its_old_steps() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", "une phrase de passe solide")
        .await;
    let before = app.emails_to("pcr@example.org").await.len();
    for path in ["/inscription/en-cours", "/inscription/certification"] {
        let (status, page) = app.post_text(path, &[("certify", "oui")]).await;
        assert_eq!(status, 409, "{path}");
        assert!(page.contains("déjà terminée"), "{path}");
    }
    assert_eq!(app.emails_to("pcr@example.org").await.len(), before);
}
