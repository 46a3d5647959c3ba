//! Registration steps and their errors (REG-2 to REG-6).

use crate::harness::TestApp;

const CONTACT: &str = "pcr.radiologie@example.org";

async fn codes(app: &TestApp) -> (String, String) {
    let invite = app.emails_to(CONTACT).await.remove(0);
    (
        invite.value_after("Code de sécurité :"),
        invite.value_after("Numéro de rapport :"),
    )
}

#[tokio::test]
async fn codes_step_names_each_problem_next_to_its_field() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let (code, number) = codes(&app).await;

    let (status, page) = app
        .post_text("/inscription", &[("code", ""), ("number", "")])
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Saisissez le code de sécurité"));
    assert!(
        page.contains("Saisissez le numéro d&#39;un rapport")
            || page.contains("Saisissez le numéro d'un rapport")
    );

    let (_, page) = app
        .post_text("/inscription", &[("code", "abc"), ("number", "RDC 2025")])
        .await;
    assert!(page.contains("16 lettres et chiffres"));
    assert!(page.contains("aria-invalid=\"true\""));

    // Wrong code and unknown report get the same message.
    let wrong_code = "ABCD-EFGH-JKMN-PQRS";
    let (_, wrong) = app
        .post_text("/inscription", &[("code", wrong_code), ("number", &number)])
        .await;
    let (_, unknown) = app
        .post_text(
            "/inscription",
            &[("code", &code), ("number", "RDC-2099-999999")],
        )
        .await;
    let message = "Ce code de sécurité ne correspond pas à ce numéro de rapport.";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_drafts").await,
        0
    );

    // A code of another recipient does not open this one.
    let other = app.emails_to("hse.cnd@example.com").await.remove(0);
    let other_code = other.value_after("Code de sécurité :");
    let (_, page) = app
        .post_text(
            "/inscription",
            &[("code", &other_code), ("number", &number)],
        )
        .await;
    assert!(page.contains(message));

    // Typed in lower case with spaces, the right pair works.
    let typed = code.to_lowercase().replace('-', " ");
    let r = app
        .post(
            "/inscription",
            &[("code", &typed), ("number", &number.to_lowercase())],
        )
        .await;
    assert_eq!(r.url().path(), "/inscription/email");
}

#[tokio::test]
async fn email_step_refuses_invalid_addresses_with_a_clear_message() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let (code, number) = codes(&app).await;
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;

    for (typed, expected) in [
        ("", "Saisissez votre adresse email."),
        ("jean.dupont@", "n&#39;est pas valide"),
        ("Jean <jean@example.com>", "sans nom ni chevrons"),
    ] {
        let (status, page) = app
            .post_text("/inscription/email", &[("email", typed)])
            .await;
        assert_eq!(status, 422);
        let unescaped = page.replace("&#39;", "'");
        assert!(
            page.contains(expected) || unescaped.contains(&expected.replace("&#39;", "'")),
            "{typed}: {page}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registration_drafts WHERE email IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn steps_without_codes_send_back_to_the_first_step() {
    let app = TestApp::spawn().await;
    let (_, page) = app.get_text("/inscription/certification").await;
    assert!(page.contains("href=\"/inscription\""));
    let (_, page) = app
        .post_text("/inscription/email", &[("email", "x@example.com")])
        .await;
    assert!(page.contains("Saisissez de nouveau vos codes"));
}

#[tokio::test]
async fn certification_is_required_and_recorded() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let (code, number) = codes(&app).await;
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    app.post("/inscription/email", &[("email", "pcr@example.org")])
        .await;

    let (_, page) = app.post_text("/inscription/certification", &[]).await;
    assert!(page.contains("Cochez la case"));
    assert_eq!(app.count("SELECT COUNT(*) FROM tokens").await, 0);
    assert!(app.emails_to("pcr@example.org").await.is_empty());

    let r = app
        .post("/inscription/certification", &[("certify", "oui")])
        .await;
    let page = r.text().await.unwrap();
    assert!(
        page.contains("48 heures")
            && page.contains("spam")
            && page.contains("service-client@example.com")
    );
    let audit = "SELECT COUNT(*) FROM audit WHERE event = 'registration_certified'
                 AND detail LIKE 'pcr@example.org%' AND client_addr = '127.0.0.1'";
    assert_eq!(app.count(audit).await, 1);
    assert_eq!(app.emails_to("pcr@example.org").await.len(), 1);
}

#[tokio::test]
async fn opening_the_confirmation_link_changes_nothing_until_the_button() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;

    // A mail scanner opens the link, twice, without cookies.
    let scanner = reqwest::Client::new();
    for _ in 0..2 {
        let r = scanner.get(&link).send().await.unwrap();
        assert_eq!(
            r.status(),
            400,
            "without cookies the token cannot be carried"
        );
    }
    assert_eq!(
        r#"0"#,
        app.count("SELECT COUNT(*) FROM accounts").await.to_string()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tokens WHERE used_at IS NOT NULL")
            .await,
        0
    );

    let r = app.get(&link).await;
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("votre compte est créé"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'pcr@example.org'")
            .await,
        1
    );
    let owners = "SELECT COUNT(*) FROM recipients WHERE owner_account_id IS NOT NULL";
    assert_eq!(app.count(owners).await, 1);
}

#[tokio::test]
async fn an_existing_account_is_told_and_gets_the_recipient_added() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let password = "une phrase de passe solide";
    app.register_owner(CONTACT, "pcr@example.org", password)
        .await;

    // The same person registers a second recipient with the same email.
    let invite = app.emails_to("hse.cnd@example.com").await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    let r = app
        .post("/inscription/email", &[("email", "PCR@example.org")])
        .await;
    assert_eq!(r.url().path(), "/inscription/compte-existant");
    let page = r.text().await.unwrap();
    assert!(page.contains("a déjà un compte") && page.contains("/inscription/certification"));
    app.post("/inscription/certification", &[("certify", "oui")])
        .await;
    let link = app.emails_to("pcr@example.org").await.pop().unwrap();
    app.get(&link.link(&format!("{}/inscription/confirmer", app.base)))
        .await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("ajoutés à votre compte"));

    let r = app.get("/rapports").await;
    let list = r.text().await.unwrap();
    assert!(list.contains("RDC-2025-001001") && list.contains("RDC-2025-001002"));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

#[tokio::test]
async fn registering_again_as_the_owner_points_to_sign_in() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "pcr@example.org", "une phrase de passe solide")
        .await;
    let (code, number) = codes(&app).await;

    let (browser, jar) = app.new_browser();
    let url = |p: &str| app.url(p);
    crate::harness::post_with(
        &browser,
        &jar,
        &url("/inscription"),
        &[("code", &code), ("number", &number)],
    )
    .await;
    let r = crate::harness::post_with(
        &browser,
        &jar,
        &url("/inscription/email"),
        &[("email", "pcr@example.org")],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("déjà terminée") && page.contains("/connexion"));

    let r = crate::harness::post_with(
        &browser,
        &jar,
        &url("/inscription/email"),
        &[("email", "autre@example.org")],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("déjà un titulaire"));
    assert!(
        !page.contains("pcr@example.org"),
        "the owner's email is revealed"
    );
}

#[tokio::test]
async fn forms_posted_without_cookies_get_the_cookies_page() {
    let app = TestApp::spawn().await;
    let no_cookies = reqwest::Client::new();
    for path in ["/connexion", "/premiere-connexion", "/inscription"] {
        let r = no_cookies
            .post(app.url(path))
            .form(&[("csrf", "x"), ("email", "a@example.com"), ("password", "p")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let page = r.text().await.unwrap();
        assert!(page.contains("Activez les cookies"), "{path}");
    }
}

#[tokio::test]
async fn forged_forms_change_nothing() {
    let app = TestApp::spawn().await;
    app.get("/").await;
    let r = app
        .client
        .post(app.url("/connexion"))
        .form(&[
            ("csrf", "forged"),
            ("email", "a@example.com"),
            ("password", "p"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Formulaire expiré"));
}

#[tokio::test]
async fn a_confirmation_link_dies_after_48_hours() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let link = app
        .register_until_confirmation(CONTACT, "pcr@example.org")
        .await;
    app.clock
        .advance(chrono::Duration::hours(48) + chrono::Duration::seconds(1));
    app.get(&link).await;
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("Lien expiré") && page.contains("href=\"/inscription\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}
