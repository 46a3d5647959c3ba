//! Hostile input on every form: whatever arrives, the answer is a page with
//! a 4xx or a normal answer, never a 500, and nothing changes.

use crate::harness::{TestApp, cookie};

/// Every form of the portal (the security suite checks that none is missing).
pub const FORMS: [&str; 25] = [
    "/connexion",
    "/deconnexion",
    "/inscription",
    "/inscription/email",
    "/inscription/certification",
    "/inscription/en-cours",
    "/inscription/confirmer",
    "/premiere-connexion",
    "/mot-de-passe-oublie",
    "/mot-de-passe-oublie/nouveau",
    "/compte/mot-de-passe",
    "/compte/email",
    "/compte/email/confirmer",
    "/compte/delegues",
    "/compte/delegues/retirer",
    "/invitation",
    "/langue",
    "/connexion/verification",
    "/connexion/verification/cle",
    "/compte/securite/application",
    "/compte/securite/application/confirmer",
    "/compte/securite/cle",
    "/compte/securite/cle/confirmer",
    "/compte/securite/retirer",
    "/compte/securite/codes",
];

async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    // Sessions are left out: a well-formed sign-out among them is obeyed.
    for table in [
        "accounts",
        "recipients",
        "tokens",
        "outbox",
        "delegations",
        "reports",
    ] {
        out.push(app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    out.push(
        app.count("SELECT COUNT(*) FROM accounts WHERE password_hash IS NOT NULL")
            .await,
    );
    out
}

#[tokio::test]
async fn hostile_bodies_on_every_form_get_a_page_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(
        "pcr.radiologie@example.org",
        "pcr@example.org",
        "une phrase de passe solide",
    )
    .await;
    let csrf = cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let before = snapshot(&app).await;
    let long = "x".repeat(60_000);
    let bodies: Vec<(&str, String)> = vec![
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email=a%40example.org&email=b%40example.org"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email[]=a%40example.org&password[0]=x"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email=%00%00&password=%00&code=%00&number=%00"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email=%FF%FE%FD&password=%C3%28&code=%E2%82"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&email={long}&password={long}"),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&{}", "a=b&".repeat(20_000)),
        ),
        (
            "application/json",
            format!("{{\"csrf\":\"{csrf}\",\"email\":\"a@example.org\"}}"),
        ),
        (
            "multipart/form-data; boundary=x",
            format!(
                "--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--x--\r\n"
            ),
        ),
        ("text/plain", "just text".to_owned()),
    ];
    for path in FORMS {
        for (content_type, body) in &bodies {
            let r = app
                .client
                .post(app.url(path))
                .header("content-type", *content_type)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let page = r.text().await.unwrap();
            assert!(status < 500, "{path} {content_type}: {status}");
            assert!(page.contains("<html"), "{path} {content_type}: not a page");
            assert!(
                !page.contains("panicked") && !page.contains("sqlx"),
                "{path}: internals shown"
            );
        }
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "hostile input changed something"
    );
}

#[tokio::test]
async fn hostile_queries_on_every_page_get_a_page() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(
        "pcr.radiologie@example.org",
        "pcr@example.org",
        "une phrase de passe solide",
    )
    .await;
    let queries = [
        "?retour=%00&jeton=%00&page=%00&destinataire=%FF&annee=%00&sortie=%00&fait=%00&cle=%00",
        "?jeton=a&jeton=b&page=1&page=2",
        "?retour[]=x&jeton[a]=b",
        &format!("?jeton={}", "A".repeat(10_000)),
    ];
    let pages = [
        "/",
        "/connexion",
        "/inscription",
        "/inscription/email",
        "/inscription/certification",
        "/inscription/envoyee",
        "/inscription/en-cours",
        "/inscription/confirmer",
        "/premiere-connexion",
        "/mot-de-passe-oublie",
        "/mot-de-passe-oublie/nouveau",
        "/rapports",
        "/rapports/1/telecharger",
        "/rapports/archive",
        "/compte",
        "/compte/historique",
        "/compte/historique.csv",
        "/compte/mot-de-passe",
        "/compte/email",
        "/compte/email/confirmer",
        "/compte/delegues/retirer",
        "/invitation",
    ];
    for page in pages {
        for query in queries {
            let r = app
                .client
                .get(app.url(&format!("{page}{query}")))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            assert!(
                status < 500,
                "{page}{}: {status}",
                &query[..query.len().min(40)]
            );
        }
    }
}
