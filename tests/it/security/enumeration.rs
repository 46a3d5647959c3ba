//! Account enumeration: whether an address has an account, or a report
//! number exists, shows neither in the status, the page, the cookies nor
//! the work done (a password check is run for unknown accounts too), on
//! sign-in, reset, registration and login change. Timing itself is not
//! measured here: the same work is proved instead.

use super::{
    CONTACT, OTHER_CONTACT, OWNER, PASSWORD, cookies_set, csrf_of, fingerprint, owner, signed_in,
};
use crate::harness::TestApp;

/// What an observer sees of an answer: status, the names of the headers
/// and cookies it sets, and the page with the typed value blanked out.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: u16,
    headers: Vec<String>,
    cookies: Vec<String>,
    page: String,
}

async fn post_seen(app: &TestApp, path: &str, fields: &[(&str, &str)], typed: &str) -> Seen {
    let csrf = csrf_of(app, &app.client, &app.jar).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = super::no_redirect(&app.jar)
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let mut headers: Vec<String> = r
        .headers()
        .keys()
        .filter(|h| *h != "date" && *h != "content-length")
        .map(|h| h.as_str().to_owned())
        .collect();
    headers.sort();
    let cookies = cookies_set(&r);
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let page = format!("{location}\n{}", r.text().await.unwrap());
    let echoed = [typed.to_owned(), typed.trim().to_lowercase()];
    let page = echoed
        .iter()
        .filter(|t| !t.is_empty())
        .fold(page, |page, t| page.replace(t.as_str(), "[typed]"));
    Seen {
        status,
        headers,
        cookies,
        page,
    }
}

/// A portal with an owner with a password (signed out) and an account
/// that has none yet.
async fn accounts() -> TestApp {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let link = app
        .register_until_confirmation(OTHER_CONTACT, "sans.mot.de.passe@example.com")
        .await;
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    app.post("/deconnexion", &[]).await;
    let without = "SELECT COUNT(*) FROM accounts WHERE password_hash IS NULL";
    assert_eq!(app.count(without).await, 1);
    app
}

#[tokio::test]
async fn a_refused_sign_in_looks_the_same_and_checks_one_password_whatever_the_account() {
    let app = accounts().await;
    let hasher = &app.app.state.hasher;
    let mut seen = Vec::new();
    for (email, password) in [
        (OWNER, "pas le bon mot de passe"),
        ("personne@example.org", PASSWORD),
        ("sans.mot.de.passe@example.com", PASSWORD),
        ("pas une adresse", PASSWORD),
        ("PERSONNE@example.org", ""),
    ] {
        let checks = hasher.verifications();
        let fields = [("email", email), ("password", password)];
        seen.push(post_seen(&app, "/connexion", &fields, email).await);
        assert_eq!(hasher.verifications(), checks + 1, "{email}: not one check");
    }
    assert_eq!(seen[0].status, 422);
    for other in &seen[1..] {
        assert_eq!(other, &seen[0]);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn a_reset_request_looks_the_same_whatever_the_account_and_the_limit() {
    let app = accounts().await;
    let mut seen = Vec::new();
    // The sixth request for one address is over its limit: same answer.
    for email in [
        OWNER,
        "personne@example.org",
        "sans.mot.de.passe@example.com",
        OWNER,
        OWNER,
        OWNER,
        OWNER,
        OWNER,
    ] {
        seen.push(post_seen(&app, "/mot-de-passe-oublie", &[("email", email)], email).await);
    }
    assert_eq!(seen[0].status, 200);
    for other in &seen[1..] {
        assert_eq!(other, &seen[0]);
    }
    // The same limits are counted whether or not the account exists.
    for email in [OWNER, "personne@example.org"] {
        let key = format!("SELECT COUNT(*) FROM throttle WHERE key = 'resets-account:{email}'");
        assert_eq!(app.count(&key).await, 1, "{email}");
    }
}

#[tokio::test]
async fn refused_security_codes_look_the_same_for_an_unknown_report_and_a_wrong_code() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    // A report that exists (not the one the page gives as an example).
    let number = "RDC-2025-001013".to_owned();
    let wrong_code = "ABCD-EFGH-JKMN-PQRS";
    let unknown = "RDC-2099-999999";
    let a = post_seen(
        &app,
        "/inscription",
        &[("code", wrong_code), ("number", &number)],
        &number,
    )
    .await;
    let b = post_seen(
        &app,
        "/inscription",
        &[("code", wrong_code), ("number", unknown)],
        unknown,
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(a, b);
    for n in [number.as_str(), unknown] {
        let key = format!("SELECT COUNT(*) FROM throttle WHERE key = 'codes-report:{n}'");
        assert_eq!(app.count(&key).await, 1, "{n}");
    }
}

#[tokio::test]
async fn without_valid_codes_the_email_step_tells_nothing_about_accounts() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let (browser, jar) = app.new_browser();
    let mut seen = Vec::new();
    for email in [OWNER, "personne@example.org"] {
        let csrf = csrf_of(&app, &browser, &jar).await;
        let form = [("csrf", csrf.as_str()), ("email", email)];
        let r = super::no_redirect(&jar)
            .post(app.url("/inscription/email"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        seen.push((status, r.text().await.unwrap().replace(email, "[typed]")));
    }
    assert_eq!(seen[0].0, 409);
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn a_login_change_to_a_taken_address_looks_the_same_to_the_requester() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(OTHER_CONTACT, "pris@example.com", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;
    app.register_owner(CONTACT, OWNER, PASSWORD).await;
    app.post("/deconnexion", &[]).await;
    let (browser, jar) = signed_in(&app, OWNER, PASSWORD).await;
    let mut app = app;
    app.client = browser;
    app.jar = jar;

    let mut seen = Vec::new();
    let mut queued = Vec::new();
    for email in ["pris@example.com", "libre@example.com"] {
        let before = fingerprint(&app).await;
        let fields = [
            ("email", email),
            ("confirmation", email),
            ("password", PASSWORD),
        ];
        seen.push(post_seen(&app, "/compte/email", &fields, email).await);
        assert_ne!(fingerprint(&app).await, before);
        let pool = app.db().await;
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM outbox WHERE kind LIKE 'email_change%' ORDER BY id DESC LIMIT 2",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        queued.push(kinds);
    }
    assert_eq!(seen[0].status, 303);
    assert_eq!(seen[0], seen[1]);
    assert_eq!(queued[0], queued[1]);
}

#[tokio::test]
async fn the_email_step_is_no_directory_of_accounts_for_a_holder_of_codes() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let invite = app.emails_to(OTHER_CONTACT).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    let r = app
        .post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    assert_eq!(r.url().path(), "/inscription/email");

    // Ten addresses are answered, as a person correcting typos needs.
    for n in 0..10 {
        let email = format!("essai{n}@example.org");
        let r = app.post("/inscription/email", &[("email", &email)]).await;
        assert_eq!(r.url().path(), "/inscription/certification", "{email}");
    }
    // Then an address with an account and one without get one answer.
    let known = post_seen(&app, "/inscription/email", &[("email", OWNER)], OWNER).await;
    let unknown = "inconnu@example.org";
    let other = post_seen(&app, "/inscription/email", &[("email", unknown)], unknown).await;
    assert_eq!(known.status, 429);
    assert_eq!(known, other);

    // A new draft with the same codes changes nothing; an hour later, it works.
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    let (status, _) = app
        .post_text("/inscription/email", &[("email", OWNER)])
        .await;
    assert_eq!(status, 429);
    app.clock.advance(chrono::Duration::minutes(61));
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    let r = app.post("/inscription/email", &[("email", OWNER)]).await;
    assert_eq!(r.url().path(), "/inscription/compte-existant");
}
