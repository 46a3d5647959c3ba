//! Failed attempts are limited (REG-2, LOGIN-1), atomically, without
//! locking the real user out for long.

use std::sync::Arc;

use chrono::Duration;

use crate::harness::{TestApp, cookie, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

/// Sends `n` posts of one form at once from one browser; their statuses.
async fn parallel_posts(
    app: &TestApp,
    path: &str,
    fields: Vec<(String, String)>,
    n: usize,
) -> Vec<u16> {
    app.get("/").await;
    let csrf = cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let mut form = vec![("csrf".to_owned(), csrf)];
    form.extend(fields);
    let form = Arc::new(form);
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, url, form) = (app.client.clone(), app.url(path), form.clone());
            tokio::spawn(async move {
                client
                    .post(url)
                    .form(&*form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test]
async fn fifty_parallel_wrong_codes_check_at_most_five() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let invite = app.emails_to(CONTACT).await.remove(0);
    let number = invite.value_after("Numéro de rapport :");
    let wrong = vec![
        ("code".to_owned(), "ABCD-EFGH-JKMN-PQRS".to_owned()),
        ("number".to_owned(), number.clone()),
    ];

    let statuses = parallel_posts(&app, "/inscription", wrong, 50).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, throttled), (5, 45), "{statuses:?}");

    // Even the right code waits until the window ends...
    let code = invite.value_after("Code de sécurité :");
    let (status, page) = app
        .post_text("/inscription", &[("code", &code), ("number", &number)])
        .await;
    assert_eq!(status, 429);
    assert!(page.contains("réessayez dans 15 minutes"), "{page}");

    // ...which is not long.
    app.clock.advance(Duration::minutes(15));
    let r = app
        .post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    assert_eq!(r.url().path(), "/inscription/email");
}

#[tokio::test]
async fn codes_are_limited_per_client_address_across_report_numbers() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let numbers: Vec<String> = (1..=21)
        .map(|n| format!("RDC-2025-{:06}", 1000 + n))
        .collect();
    let mut statuses = Vec::new();
    for number in &numbers {
        let (status, _) = app
            .post_text(
                "/inscription",
                &[("code", "ABCD-EFGH-JKMN-PQRS"), ("number", number)],
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(*statuses.last().unwrap(), 429);
}

/// An owner with a password, signed out.
async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;
    app
}

fn wrong_password(email: &str) -> Vec<(String, String)> {
    vec![
        ("email".to_owned(), email.to_owned()),
        ("password".to_owned(), "mauvais mot de passe".to_owned()),
    ]
}

#[tokio::test]
async fn parallel_wrong_passwords_are_limited_the_same_for_unknown_emails() {
    for email in ["pcr@example.org", "personne@example.org"] {
        let app = owner().await;
        let statuses = parallel_posts(&app, "/connexion", wrong_password(email), 25).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 422).count(),
            10,
            "{email}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count(),
            15,
            "{email}"
        );
        let counted =
            "SELECT COUNT(*) FROM throttle WHERE key LIKE 'signin-account:%' AND count = 25";
        assert_eq!(app.count(counted).await, 1, "every attempt counted");
    }

    // The right password waits too, then works.
    let app = owner().await;
    parallel_posts(&app, "/connexion", wrong_password("pcr@example.org"), 12).await;
    let (status, page) = app
        .post_text(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 429);
    assert!(page.contains("Trop de tentatives"));
    app.clock.advance(Duration::minutes(16));
    let r = app
        .post(
            "/connexion",
            &[("email", "PCR@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
}

#[tokio::test]
async fn fifty_parallel_sign_ins_from_one_address_are_limited_whatever_the_emails() {
    let app = owner().await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let email = format!("guess{i}@example.org");
            let (client, jar, url) = (app.client.clone(), app.jar.clone(), app.url("/connexion"));
            tokio::spawn(async move {
                let fields = [
                    ("email", email.as_str()),
                    ("password", "mauvais mot de passe"),
                ];
                crate::harness::post_with(&client, &jar, &url, &fields)
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        if task.await.unwrap() == 429 {
            refused += 1;
        }
    }
    assert_eq!(refused, 20, "30 attempts per address and window");
}

#[tokio::test]
async fn a_success_resets_the_count_of_its_account() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", PASSWORD)
        .await;
    for _ in 0..9 {
        app.post(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", "faux faux faux")],
        )
        .await;
    }
    let r = app
        .post(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    let (status, _) = app
        .post_text(
            "/connexion",
            &[("email", "pcr@example.org"), ("password", "faux faux faux")],
        )
        .await;
    assert_eq!(status, 422, "the count starts again after a success");
}

#[tokio::test]
async fn successful_sign_ins_do_not_count_against_the_address() {
    let app = owner().await;
    for i in 0..35 {
        let (browser, jar) = app.new_browser();
        let fields = [("email", "pcr@example.org"), ("password", PASSWORD)];
        let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
        assert_eq!(r.url().path(), "/rapports", "sign-in {i} refused");
    }
}

/// 31 wrong sign-ins for 31 different emails, each claiming a client address.
async fn failures_claiming(app: &TestApp, forwarded: &str) -> Vec<u16> {
    app.get("/").await;
    let csrf = cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let mut statuses = Vec::new();
    for i in 0..31 {
        let email = format!("guess{i}@example.org");
        let form = [
            ("csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", "mauvais mot de passe"),
        ];
        let r = app
            .client
            .post(app.url("/connexion"))
            .header("x-forwarded-for", forwarded)
            .form(&form)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_count() {
    let app = TestApp::spawn_with(|c| c.trust_forwarded_for = true).await;
    let first = failures_claiming(&app, "198.51.100.7, 203.0.113.1").await;
    assert_eq!(*first.last().unwrap(), 429);
    let other = failures_claiming(&app, "203.0.113.2").await;
    assert_eq!(
        other.iter().filter(|s| **s == 429).count(),
        1,
        "another client is not blocked"
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_claimed_address_changes_nothing() {
    let app = TestApp::spawn().await;
    failures_claiming(&app, "203.0.113.1").await;
    let other = failures_claiming(&app, "203.0.113.2").await;
    assert!(
        other.iter().all(|s| *s == 429),
        "the header is ignored: {other:?}"
    );
}
