//! Brute force in parallel where the existing limits were not yet attacked:
//! reset requests, the current password asked by the account forms, and
//! sign-ins spread over spellings of one address. Limits are proved by the
//! work done (emails queued, passwords checked), not by timing.

use std::sync::Arc;

use chrono::Duration;

use super::{NEW_PASSWORD, OWNER, PASSWORD, csrf_of, owner};
use crate::harness::TestApp;

/// Sends `n` posts at once from the test's browser, the `i`-th with the
/// fields `fields(i)`; their statuses.
async fn parallel(
    app: &TestApp,
    path: &str,
    n: usize,
    fields: impl Fn(usize) -> Vec<(String, String)>,
) -> Vec<u16> {
    let csrf = csrf_of(app, &app.client, &app.jar).await;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let mut form = vec![("csrf".to_owned(), csrf.clone())];
            form.extend(fields(i));
            let (client, url) = (app.client.clone(), app.url(path));
            tokio::spawn(async move {
                let r = client.post(url).form(&form).send().await.unwrap();
                r.status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn thirty_parallel_reset_requests_for_one_account_send_five_links() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let spellings = [OWNER, "PCR@example.org", " pcr@EXAMPLE.ORG"];
    let statuses = parallel(&app, "/mot-de-passe-oublie", 30, |i| {
        pairs(&[("email", spellings[i % 3])])
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let resets = "SELECT COUNT(*) FROM outbox WHERE kind = 'reset_password'";
    assert_eq!(app.count(resets).await, 5);
}

#[tokio::test]
async fn parallel_guesses_of_the_current_password_run_ten_checks_at_most() {
    let app = owner().await;
    let hasher = app.app.state.hasher.clone();
    let hash = "SELECT password_hash FROM accounts";
    let stored = app.text(hash).await;

    let checks = hasher.verifications();
    let statuses = parallel(&app, "/compte/mot-de-passe", 20, |i| {
        let guess = format!("essai numéro {i} du pirate");
        pairs(&[
            ("current", &guess),
            ("password", NEW_PASSWORD),
            ("confirmation", NEW_PASSWORD),
        ])
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 422), "{statuses:?}");
    let statuses = parallel(&app, "/compte/email", 20, |i| {
        let guess = format!("autre essai {i} du pirate");
        pairs(&[
            ("email", "pirate@example.net"),
            ("confirmation", "pirate@example.net"),
            ("password", &guess),
        ])
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 422), "{statuses:?}");
    assert_eq!(
        hasher.verifications() - checks,
        10,
        "one limit for both forms"
    );

    // Even the right password waits, then works.
    let right = [
        ("current", PASSWORD),
        ("password", NEW_PASSWORD),
        ("confirmation", NEW_PASSWORD),
    ];
    let (status, _) = app.post_text("/compte/mot-de-passe", &right).await;
    assert_eq!(status, 422);
    assert_eq!(app.text(hash).await, stored);
    let change = "SELECT COUNT(*) FROM tokens WHERE purpose = 'email_change'";
    assert_eq!(app.count(change).await, 0);
    app.clock.advance(Duration::minutes(16));
    let r = app.post("/compte/mot-de-passe", &right).await;
    assert_eq!(r.url().path(), "/compte");
    assert_ne!(app.text(hash).await, stored);
}

#[tokio::test]
async fn spellings_of_one_address_share_one_sign_in_limit() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let hasher = Arc::new(app.app.state.hasher.clone());
    let checks = hasher.verifications();
    let spellings = [
        OWNER,
        "PCR@EXAMPLE.ORG",
        "  Pcr@Example.Org",
        "pcr@ｅｘａｍｐｌｅ.org",
    ];
    let statuses = parallel(&app, "/connexion", 28, |i| {
        pairs(&[("email", spellings[i % 4]), ("password", "pas le bon")])
    })
    .await;
    let refused = statuses.iter().filter(|s| **s == 422).count();
    let blocked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((refused, blocked), (10, 18), "{statuses:?}");
    assert_eq!(hasher.verifications() - checks, 10);
    let (status, _) = app
        .post_text("/connexion", &[("email", OWNER), ("password", PASSWORD)])
        .await;
    assert_eq!(status, 429);
}
