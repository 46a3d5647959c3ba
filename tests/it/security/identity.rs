//! Email identity: spellings of one address (case, spaces, an IDN domain in
//! any form) reach its one account; look-alikes (dotless i, dotted capital
//! I, full-width or Cyrillic letters) are other addresses that reach no
//! one else's account and get no one else's mail.

use super::{CONTACT, OTHER_CONTACT, PASSWORD, signed_in};
use crate::harness::{TestApp, post_with};

const LOGIN: &str = "ines@example.org";

/// Other spellings of `LOGIN`: the same mailbox.
const SAME: [&str; 5] = [
    "INES@EXAMPLE.ORG",
    "  Ines@Example.Org\t",
    "ines@EXAMPLE.org",
    "ines@ｅｘａｍｐｌｅ.ｏｒｇ",
    "ines@example.ORG ",
];

/// Addresses that look like `LOGIN` but are others, or are not addresses.
const LOOKALIKES: [&str; 10] = [
    "ınes@example.org",
    "İNES@example.org",
    "ｉｎｅｓ@example.org",
    "іnes@example.org",
    "ines@exаmple.org",
    "ines@examp1e.org",
    "ines\u{200B}@example.org",
    "ines@example.org\u{0}",
    "ines@example.org.",
    "ine s@example.org",
];

async fn portal() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, LOGIN, PASSWORD).await;
    app.post("/deconnexion", &[]).await;
    app
}

async fn sessions_of(app: &TestApp, login: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE a.email = '{login}'"
    ))
    .await
}

#[tokio::test]
async fn sign_in_reaches_the_one_account_whatever_the_spelling_and_no_lookalike_does() {
    let app = portal().await;
    for (n, typed) in SAME.iter().enumerate() {
        let (browser, jar) = app.new_browser();
        let fields = [("email", *typed), ("password", PASSWORD)];
        let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
        assert_eq!(r.url().path(), "/rapports", "{typed:?}");
        assert_eq!(sessions_of(&app, LOGIN).await, n as i64 + 1, "{typed:?}");
    }
    for typed in LOOKALIKES {
        let (browser, jar) = app.new_browser();
        let fields = [("email", typed), ("password", PASSWORD)];
        let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
        assert_eq!(r.status(), 422, "{typed:?} signed in");
    }
    let total = app.count("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(total, SAME.len() as i64, "a look-alike opened a session");
}

#[tokio::test]
async fn reset_mail_goes_to_the_stored_address_and_never_to_a_lookalike() {
    let app = portal().await;
    let before = app.emails().await.len();
    for typed in &SAME[..4] {
        app.post("/mot-de-passe-oublie", &[("email", typed)]).await;
    }
    let emails = app.emails().await;
    let new = &emails[before..];
    assert_eq!(new.len(), 4);
    assert!(new.iter().all(|e| e.to == LOGIN), "{new:?}");

    for typed in LOOKALIKES {
        let (status, _) = app
            .post_text("/mot-de-passe-oublie", &[("email", typed)])
            .await;
        assert!(status == 200 || status == 422, "{typed:?}: {status}");
    }
    assert_eq!(
        app.emails().await.len(),
        emails.len(),
        "mail for a look-alike"
    );
}

#[tokio::test]
async fn a_lookalike_registers_its_own_account_which_sees_nothing_of_the_original() {
    let app = portal().await;
    let original_reports = app
        .count(
            "SELECT COUNT(*) FROM reports r JOIN recipients rc ON rc.id = r.recipient_id
             JOIN accounts a ON a.id = rc.owner_account_id WHERE a.email = 'ines@example.org'",
        )
        .await;
    assert!(original_reports > 0);

    // A second recipient registered with a look-alike: mail to the typed
    // address only, and a separate account.
    let link = app
        .register_until_confirmation(OTHER_CONTACT, "ınes@example.org")
        .await;
    let token = super::tokens_in(&link).remove(0);
    let mails = app.emails_to(LOGIN).await;
    assert!(
        mails.iter().all(|e| !e.text.contains(&token)),
        "the original got the look-alike's link"
    );
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    let r = app
        .post(
            "/premiere-connexion",
            &[("password", PASSWORD), ("confirmation", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 2);
    let (_, list) = app.get_text("/rapports").await;
    assert!(list.contains("RDC-2025-001002"), "its own reports");
    assert!(!list.contains("RDC-2025-001001"), "the original's reports");

    // A spelling of the original's address adds to the original's account.
    app.post("/deconnexion", &[]).await;
    let link = app
        .register_until_confirmation("physique.medicale@example.org", "INES@Example.ORG")
        .await;
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 2);
    let owned = "SELECT COUNT(*) FROM recipients rc JOIN accounts a ON a.id = rc.owner_account_id
                 WHERE a.email = 'ines@example.org'";
    assert_eq!(app.count(owned).await, 2);
}

#[tokio::test]
async fn delegating_to_a_spelling_of_ones_own_address_is_refused_and_a_lookalike_is_another_person()
{
    let app = portal().await;
    let (browser, jar) = signed_in(&app, LOGIN, PASSWORD).await;
    let before = app.emails().await.len();
    for typed in ["INES@example.org", " ines@EXAMPLE.ORG "] {
        let r = post_with(
            &browser,
            &jar,
            &app.url("/compte/delegues"),
            &[("email", typed)],
        )
        .await;
        assert_eq!(r.status(), 422, "{typed:?}");
    }
    assert_eq!(app.emails().await.len(), before);

    let r = post_with(
        &browser,
        &jar,
        &app.url("/compte/delegues"),
        &[("email", "ınes@example.org")],
    )
    .await;
    assert!(r.status().is_success());
    let emails = app.emails().await;
    let invitation = emails.last().unwrap();
    assert_eq!(invitation.to, "ınes@example.org");
    assert_eq!(app.count("SELECT COUNT(*) FROM delegations").await, 0);
}

#[tokio::test]
async fn a_login_change_to_a_spelling_of_a_taken_address_never_completes() {
    let app = portal().await;
    app.register_owner(OTHER_CONTACT, "hse@example.com", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;
    let (browser, jar) = signed_in(&app, LOGIN, PASSWORD).await;

    let own = [
        ("email", " INES@example.org"),
        ("confirmation", "ines@EXAMPLE.org"),
        ("password", PASSWORD),
    ];
    let r = post_with(&browser, &jar, &app.url("/compte/email"), &own).await;
    assert_eq!(r.status(), 422, "the account's own address");

    let taken = [
        ("email", "HSE@Example.COM"),
        ("confirmation", "hse@example.com "),
        ("password", PASSWORD),
    ];
    let r = post_with(&browser, &jar, &app.url("/compte/email"), &taken).await;
    assert!(r.status().is_success());
    let link = super::last_link(&app, "hse@example.com", "/compte/email/confirmer").await;
    browser.get(&link).send().await.unwrap();
    let r = post_with(&browser, &jar, &app.url("/compte/email/confirmer"), &[]).await;
    assert_eq!(r.status(), 409);
    let logins =
        "SELECT COUNT(*) FROM accounts WHERE email IN ('ines@example.org', 'hse@example.com')";
    assert_eq!(app.count(logins).await, 2, "a login changed");
}
