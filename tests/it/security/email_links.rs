//! Links in emails: built from the configured public address only, never
//! from a request's `Host`, `X-Forwarded-Host` or `Forwarded`, whichever
//! email it is and whichever request caused it.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use reqwest::header::{HeaderMap, HeaderValue};

use super::{CONTACT, NEW_PASSWORD, OWNER, PASSWORD, last_link};
use crate::harness::TestApp;

/// A browser whose every request claims another host, the way a forger
/// sends a reset request for a victim.
fn lying_browser(jar: &Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "evil.example.com"),
        ("x-forwarded-host", "evil.example.com"),
        ("x-forwarded-server", "evil.example.com"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-port", "8443"),
        ("x-forwarded-prefix", "/evil"),
        ("x-original-host", "evil.example.com"),
        ("x-host", "evil.example.com"),
        (
            "forwarded",
            "for=203.0.113.9;host=evil.example.com;proto=https",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .cookie_provider(jar.clone())
        .build()
        .unwrap()
}

/// Every link of an email, from its text and HTML parts.
fn links(text: &str, html: &str) -> Vec<String> {
    let in_text = text
        .split_whitespace()
        .filter(|w| w.contains("://"))
        .map(str::to_owned);
    let in_html = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| !href.starts_with("mailto:") && !href.starts_with("tel:"))
        .map(|href| href.replace("&amp;", "&"));
    in_text.chain(in_html).collect()
}

#[tokio::test]
async fn links_in_every_kind_of_email_come_from_the_public_url_whatever_the_headers() {
    // Even a portal told to trust its proxy's headers takes no host from them.
    let mut app = TestApp::spawn_with(|c| c.trust_forwarded_for = true).await;
    app.client = lying_browser(&app.jar);
    app.import_ok("basic/manifest.csv").await;

    // Registration (E-CONFIRM), a second recipient added to the account,
    // and an account without a password yet.
    app.register_owner(CONTACT, OWNER, PASSWORD).await;
    let dupre = app
        .register_until_confirmation("Jean-Marc.Dupré@example.com", OWNER)
        .await;
    app.get(&dupre).await;
    app.post("/inscription/confirmer", &[]).await;
    let imagerie = app
        .register_until_confirmation("Secretariat.Imagerie@Example.NET", "imagerie@example.net")
        .await;
    app.get(&imagerie).await;
    app.post("/inscription/confirmer", &[]).await;
    let back = [("email", OWNER), ("password", PASSWORD)];
    let r = app.post("/connexion", &back).await;
    assert_eq!(r.url().path(), "/rapports");

    // E-NEW-REPORTS, with and without a first-connection link.
    app.import_ok("excel-fr/utf8-bom.csv").await;

    // E-DELEGATE, to a new address and to an existing account.
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    app.post("/compte/delegues", &[("email", "imagerie@example.net")])
        .await;

    // E-PASSWORD-CHANGED, E-EMAIL-CHANGE (asked, confirmed, told).
    app.post(
        "/compte/mot-de-passe",
        &[
            ("current", PASSWORD),
            ("password", NEW_PASSWORD),
            ("confirmation", NEW_PASSWORD),
        ],
    )
    .await;
    let change = [
        ("email", "nouvelle@example.org"),
        ("confirmation", "nouvelle@example.org"),
        ("password", NEW_PASSWORD),
    ];
    app.post("/compte/email", &change).await;
    let link = last_link(&app, "nouvelle@example.org", "/compte/email/confirmer").await;
    app.get(&link).await;
    app.post("/compte/email/confirmer", &[]).await;

    // E-RESET, asked signed out.
    app.post("/deconnexion", &[]).await;
    app.post("/mot-de-passe-oublie", &[("email", "nouvelle@example.org")])
        .await;

    // E-EXPIRING, from the retention job.
    app.clock.advance(Duration::days(731 - 30));
    app.app.retention().run_once().await.unwrap();

    let emails = app.emails().await;
    let kinds: BTreeSet<String> = {
        let pool = app.db().await;
        let kinds: Vec<String> = sqlx::query_scalar("SELECT DISTINCT kind FROM outbox")
            .fetch_all(&pool)
            .await
            .unwrap();
        kinds.into_iter().collect()
    };
    let every_kind = [
        "confirm_registration",
        "delegate",
        "email_change_confirm",
        "email_change_notice",
        "expiring",
        "invite",
        "new_reports",
        "password_changed",
        "reset_password",
    ];
    assert_eq!(kinds, every_kind.iter().map(|k| k.to_string()).collect());

    let mut paths = BTreeSet::new();
    for email in &emails {
        for link in links(&email.text, &email.html) {
            let path = link
                .strip_prefix(&app.base)
                .unwrap_or_else(|| panic!("{link} in {:?}", email.subject));
            assert!(path.starts_with('/'), "{link}");
            paths.insert(path.split('?').next().unwrap().to_owned());
        }
    }
    for path in [
        "/inscription",
        "/inscription/confirmer",
        "/premiere-connexion",
        "/rapports",
        "/invitation",
        "/mot-de-passe-oublie",
        "/mot-de-passe-oublie/nouveau",
        "/compte/email/confirmer",
    ] {
        assert!(paths.contains(path), "no email links to {path}: {paths:?}");
    }

    // Nothing of the claimed host anywhere in what left, headers included.
    let outbox = app.dir.path().join("outbox");
    for file in std::fs::read_dir(outbox).unwrap() {
        let raw = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!raw.contains("evil"), "{raw}");
    }
}
