//! Sessions: the id is always new at sign-in (a planted id is never the
//! one signed in), sign-out, a password change, a reset and the removal of
//! a delegate take effect in every open session, remembered or not, and the
//! session a confirmation link opens can only choose a password.

use std::sync::Arc;

use reqwest::Client;
use reqwest::cookie::Jar;

use super::{
    CONTACT, NEW_PASSWORD, OWNER, PASSWORD, fingerprint, last_link, no_redirect, owner, signed_in,
};
use crate::harness::{TestApp, cookie, post_with};

/// An id of the right shape that an attacker chose.
const PLANTED: &str = "AttackerChosenSessionIdAttackerChosenSessio";

fn plant(app: &TestApp, jar: &Jar, value: &str) {
    let url = app.base.parse().unwrap();
    jar.add_cookie_str(&format!("dosiport_session={value}; Path=/"), &url);
}

/// What a browser holding only this session id gets at `path`: the final
/// address after redirects.
async fn reached_with(app: &TestApp, session: &str, path: &str) -> String {
    let r = Client::new()
        .get(app.url(path))
        .header("cookie", format!("dosiport_session={session}"))
        .send()
        .await
        .unwrap();
    r.url().path().to_owned()
}

/// Signs in with "remember this browser"; the lasting session id.
async fn remembered(app: &TestApp, email: &str, password: &str) -> (Client, Arc<Jar>, String) {
    let (browser, jar) = app.new_browser();
    let fields = [
        ("email", email),
        ("password", password),
        ("remember", "oui"),
    ];
    let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    let id = cookie(&jar, &app.base, "dosiport_session").unwrap();
    (browser, jar, id)
}

#[tokio::test]
async fn a_planted_session_id_is_never_the_one_signed_in() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;

    // An invented id, then an attacker's own valid one.
    let (attacker, attacker_jar) = app.new_browser();
    app.register_owner(super::OTHER_CONTACT, "attaquant@example.com", PASSWORD)
        .await;
    app.post("/deconnexion", &[]).await;
    let fields = [("email", "attaquant@example.com"), ("password", PASSWORD)];
    post_with(&attacker, &attacker_jar, &app.url("/connexion"), &fields).await;
    let attackers = cookie(&attacker_jar, &app.base, "dosiport_session").unwrap();

    for planted in [PLANTED, attackers.as_str()] {
        let (victim, jar) = app.new_browser();
        plant(&app, &jar, planted);
        let fields = [("email", OWNER), ("password", PASSWORD)];
        let r = post_with(&victim, &jar, &app.url("/connexion"), &fields).await;
        assert_eq!(r.url().path(), "/rapports");
        let now = cookie(&jar, &app.base, "dosiport_session").unwrap();
        assert_ne!(now, planted, "the planted id was kept");
        let page = victim.get(app.url("/compte")).send().await.unwrap();
        assert!(page.text().await.unwrap().contains(OWNER));
        // Whoever planted it is not in the victim's account.
        let r = Client::new()
            .get(app.url("/compte"))
            .header("cookie", format!("dosiport_session={planted}"))
            .send()
            .await
            .unwrap();
        let page = r.text().await.unwrap();
        assert!(
            !page.contains(OWNER),
            "the planted id opens the victim's account"
        );
    }
}

#[tokio::test]
async fn every_page_that_signs_in_gives_a_new_id() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;

    // Confirming a registration, then choosing the first password.
    let link = app.register_until_confirmation(CONTACT, OWNER).await;
    plant(&app, &app.jar, PLANTED);
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    let restricted = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    assert_ne!(restricted, PLANTED, "confirmation kept a planted id");
    let password = [("password", PASSWORD), ("confirmation", PASSWORD)];
    app.post("/premiere-connexion", &password).await;
    let full = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    assert_ne!(
        full, restricted,
        "the first password kept the restricted id"
    );
    assert_eq!(
        reached_with(&app, &restricted, "/rapports").await,
        "/connexion"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);

    // A reset link, in a browser holding a planted id.
    let (browser, jar) = app.new_browser();
    post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie"),
        &[("email", OWNER)],
    )
    .await;
    let link = last_link(&app, OWNER, "/mot-de-passe-oublie/nouveau").await;
    plant(&app, &jar, PLANTED);
    browser.get(&link).send().await.unwrap();
    let new = [("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    let r = post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie/nouveau"),
        &new,
    )
    .await;
    assert_eq!(r.url().path(), "/rapports");
    assert_ne!(
        cookie(&jar, &app.base, "dosiport_session").unwrap(),
        PLANTED
    );

    // A delegate's invitation, in a browser holding a planted id.
    let (owner_browser, owner_jar) = signed_in(&app, OWNER, NEW_PASSWORD).await;
    let fields = [("email", "assistant@example.org")];
    post_with(
        &owner_browser,
        &owner_jar,
        &app.url("/compte/delegues"),
        &fields,
    )
    .await;
    let link = last_link(&app, "assistant@example.org", "/invitation").await;
    let (delegate, jar) = app.new_browser();
    plant(&app, &jar, PLANTED);
    delegate.get(&link).send().await.unwrap();
    let r = post_with(&delegate, &jar, &app.url("/invitation"), &password).await;
    assert_eq!(r.url().path(), "/rapports");
    assert_ne!(
        cookie(&jar, &app.base, "dosiport_session").unwrap(),
        PLANTED
    );
    assert_eq!(reached_with(&app, PLANTED, "/rapports").await, "/connexion");
}

#[tokio::test]
async fn a_remembered_browser_signed_out_is_signed_out_for_good() {
    let app = owner().await;
    let (browser, jar, id) = remembered(&app, OWNER, PASSWORD).await;
    assert_eq!(reached_with(&app, &id, "/rapports").await, "/rapports");
    let r = post_with(&browser, &jar, &app.url("/deconnexion"), &[]).await;
    assert!(r.status().is_success());
    assert_eq!(cookie(&jar, &app.base, "dosiport_session"), None);
    // The lasting cookie, copied before signing out, opens nothing.
    assert_eq!(reached_with(&app, &id, "/rapports").await, "/connexion");
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(reached_with(&app, &id, "/rapports").await, "/connexion");
}

#[tokio::test]
async fn a_password_change_or_a_reset_signs_out_remembered_browsers_too() {
    let app = owner().await;
    let (_, _, elsewhere) = remembered(&app, OWNER, PASSWORD).await;
    let fields = [
        ("current", PASSWORD),
        ("password", NEW_PASSWORD),
        ("confirmation", NEW_PASSWORD),
    ];
    app.post("/compte/mot-de-passe", &fields).await;
    assert_eq!(
        reached_with(&app, &elsewhere, "/rapports").await,
        "/connexion"
    );
    let here = cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    assert_eq!(reached_with(&app, &here, "/rapports").await, "/rapports");

    let (_, _, elsewhere) = remembered(&app, OWNER, NEW_PASSWORD).await;
    let (browser, jar) = app.new_browser();
    post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie"),
        &[("email", OWNER)],
    )
    .await;
    let link = last_link(&app, OWNER, "/mot-de-passe-oublie/nouveau").await;
    browser.get(&link).send().await.unwrap();
    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie/nouveau"),
        &fields,
    )
    .await;
    for id in [elsewhere, here] {
        assert_eq!(reached_with(&app, &id, "/rapports").await, "/connexion");
    }
}

#[tokio::test]
async fn a_removed_delegate_keeps_its_session_but_loses_the_access_at_once() {
    let app = owner().await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let link = last_link(&app, "assistant@example.org", "/invitation").await;
    let (delegate, jar) = app.new_browser();
    delegate.get(&link).send().await.unwrap();
    let fields = [("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    post_with(&delegate, &jar, &app.url("/invitation"), &fields).await;
    let (_, _, lasting) = remembered(&app, "assistant@example.org", NEW_PASSWORD).await;
    let list = delegate
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = crate::journey::report_id(&list, "RDC-2025-001001");

    let (_, page) = app.get_text("/compte").await;
    let at = page.find("/compte/delegues/retirer?cle=").unwrap();
    let key = page[at..]
        .split('"')
        .next()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap();
    app.post("/compte/delegues/retirer", &[("cle", key)]).await;

    for session in [
        cookie(&jar, &app.base, "dosiport_session").unwrap(),
        lasting,
    ] {
        let client = Client::new();
        let with = |path: &str| {
            client
                .get(app.url(path))
                .header("cookie", format!("dosiport_session={session}"))
        };
        let r = with(&format!("/rapports/{id}/telecharger"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let list = with("/rapports")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!list.contains("RDC-2025-001001"));
        let account = with("/compte").send().await.unwrap().text().await.unwrap();
        assert!(
            !account.contains(OWNER),
            "the delegate still sees who granted it"
        );
    }
}

#[tokio::test]
async fn the_session_a_confirmation_opens_can_only_choose_a_password() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app.register_until_confirmation(CONTACT, OWNER).await;
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    let id = app
        .count("SELECT id FROM reports WHERE number = 'RDC-2025-001001'")
        .await;
    let browser = no_redirect(&app.jar);
    let before = fingerprint(&app).await;

    for path in [
        "/rapports".to_owned(),
        format!("/rapports/{id}/telecharger"),
        "/rapports?page=2&destinataire=1".to_owned(),
        "/compte".to_owned(),
        "/compte/mot-de-passe".to_owned(),
        "/compte/email".to_owned(),
        "/compte/delegues/retirer?cle=a1".to_owned(),
    ] {
        let r = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/premiere-connexion", "{path}");
    }
    let csrf = cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    for (path, fields) in [
        ("/compte/delegues", vec![("email", "complice@example.org")]),
        (
            "/compte/email",
            vec![
                ("email", "complice@example.org"),
                ("confirmation", "complice@example.org"),
                ("password", ""),
            ],
        ),
        (
            "/compte/mot-de-passe",
            vec![
                ("current", ""),
                ("password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        ),
        ("/compte/delegues/retirer", vec![("cle", "a1")]),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let r = browser
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/premiere-connexion", "{path}");
    }
    assert_eq!(fingerprint(&app).await, before);
}
