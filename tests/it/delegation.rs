//! Delegation (DEL-1 to DEL-3, INV-3): owners share their reports, delegates
//! cannot share them further, removal takes effect at once.

use crate::harness::{TestApp, post_with};
use crate::journey::report_id;

const OWNER_CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(OWNER_CONTACT, "owner@example.org", PASSWORD)
        .await;
    app
}

/// Accepts the latest invitation sent to `email` in a new browser.
async fn accept(
    app: &TestApp,
    email: &str,
) -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let mail = app.emails_to(email).await.pop().unwrap();
    assert!(mail.text.contains("owner@example.org"));
    let link = mail.link(&format!("{}/invitation?jeton=", app.base));
    let (browser, jar) = app.new_browser();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.url().as_str(), app.url("/invitation"));
    assert!(r.text().await.unwrap().contains("owner@example.org"));
    let fields = [
        ("password", "le mot de passe du délégué"),
        ("confirmation", "le mot de passe du délégué"),
    ];
    let r = post_with(&browser, &jar, &app.url("/invitation"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    (browser, jar)
}

#[tokio::test]
async fn an_invited_delegate_creates_an_account_and_sees_the_owners_reports_only() {
    let app = owner().await;
    let r = app
        .post("/compte/delegues", &[("email", "Assistant@Example.org")])
        .await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=delegue-invite"));
    let page = r.text().await.unwrap();
    assert!(page.contains("assistant@example.org") && page.contains("invitation envoyée"));

    let (browser, jar) = accept(&app, "assistant@example.org").await;
    let list = browser
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("RDC-2025-001001"));
    assert!(
        !list.contains("RDC-2025-001002"),
        "another recipient's report"
    );

    // DEL-2: the delegate sees who granted access and cannot share it.
    let account = browser
        .get(app.url("/compte"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        account.contains("Accès qui vous ont été délégués")
            && account.contains("owner@example.org")
    );
    assert!(!account.contains("action=\"/compte/delegues\""));
    let r = post_with(
        &browser,
        &jar,
        &app.url("/compte/delegues"),
        &[("email", "third@example.org")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Seul le titulaire"));
    assert!(app.emails_to("third@example.org").await.is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM delegations").await, 1);
}

#[tokio::test]
async fn an_existing_account_gets_the_access_at_once() {
    let app = owner().await;
    let (other, other_jar) = app.new_browser();
    // The owner of another recipient, in another browser.
    let invite = app.emails_to("hse.cnd@example.com").await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    post_with(
        &other,
        &other_jar,
        &app.url("/inscription"),
        &[("code", &code), ("number", &number)],
    )
    .await;
    post_with(
        &other,
        &other_jar,
        &app.url("/inscription/email"),
        &[("email", "cnd@example.com")],
    )
    .await;
    post_with(
        &other,
        &other_jar,
        &app.url("/inscription/certification"),
        &[("certify", "oui")],
    )
    .await;
    let confirm = app.emails_to("cnd@example.com").await.pop().unwrap();
    other
        .get(confirm.link(&format!("{}/inscription/confirmer", app.base)))
        .send()
        .await
        .unwrap();
    post_with(&other, &other_jar, &app.url("/inscription/confirmer"), &[]).await;
    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    post_with(&other, &other_jar, &app.url("/premiere-connexion"), &fields).await;

    let r = app
        .post("/compte/delegues", &[("email", "cnd@example.com")])
        .await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=delegue-ajoute"));
    let mail = app.emails_to("cnd@example.com").await.pop().unwrap();
    assert!(mail.text.contains("owner@example.org") && !mail.text.contains("jeton"));
    let list = other
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("RDC-2025-001001") && list.contains("RDC-2025-001002"));

    // INV-3: the delegate, also an owner, shares only its own reports.
    post_with(
        &other,
        &other_jar,
        &app.url("/compte/delegues"),
        &[("email", "second-level@example.com")],
    )
    .await;
    let (browser, _) = accept_from(&app, "second-level@example.com", "cnd@example.com").await;
    let list = browser
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("RDC-2025-001002") && !list.contains("RDC-2025-001001"));
}

async fn accept_from(
    app: &TestApp,
    email: &str,
    owner: &str,
) -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let mail = app.emails_to(email).await.pop().unwrap();
    assert!(mail.text.contains(owner));
    let link = mail.link(&format!("{}/invitation?jeton=", app.base));
    let (browser, jar) = app.new_browser();
    browser.get(&link).send().await.unwrap();
    let fields = [
        ("password", "le mot de passe du délégué"),
        ("confirmation", "le mot de passe du délégué"),
    ];
    post_with(&browser, &jar, &app.url("/invitation"), &fields).await;
    (browser, jar)
}

#[tokio::test]
async fn removing_a_delegate_ends_its_access_at_once_after_a_confirmation_step() {
    let app = owner().await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let (browser, _) = accept(&app, "assistant@example.org").await;
    let list = browser
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = report_id(&list, "RDC-2025-001001");
    let download = app.url(&format!("/rapports/{id}/telecharger"));
    assert_eq!(browser.get(&download).send().await.unwrap().status(), 200);

    let account = app.get("/compte").await.text().await.unwrap();
    let at = account.find("/compte/delegues/retirer?cle=").unwrap();
    let link = account[at..].split('"').next().unwrap().to_owned();
    let confirm = app.get(&link).await.text().await.unwrap();
    assert!(confirm.contains("assistant@example.org") && confirm.contains("Annuler"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delegations").await,
        1,
        "a GET removes nothing"
    );
    let key = link.rsplit('=').next().unwrap();
    let r = app.post("/compte/delegues/retirer", &[("cle", key)]).await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=delegue-retire"));

    // The delegate's open session has lost the access on its next request.
    assert_eq!(browser.get(&download).send().await.unwrap().status(), 404);
    let list = browser
        .get(app.url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("RDC-2025-001001"));
}

#[tokio::test]
async fn a_withdrawn_invitation_dies_and_limits_hold() {
    let app = TestApp::spawn_with(|c| c.max_delegates = 2).await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(OWNER_CONTACT, "owner@example.org", PASSWORD)
        .await;

    for (email, expected) in [
        ("one@example.org", "/compte?fait=delegue-invite"),
        ("two@example.org", "/compte?fait=delegue-invite"),
    ] {
        let r = app.post("/compte/delegues", &[("email", email)]).await;
        assert_eq!(r.url().as_str(), app.url(expected));
    }
    for (email, message) in [
        ("three@example.org", "nombre maximal"),
        ("ONE@example.org", "déjà accès"),
        ("owner@example.org", "propre compte"),
        ("pas une adresse", "adresse email valide"),
    ] {
        let (status, page) = app.post_text("/compte/delegues", &[("email", email)]).await;
        assert_eq!(status, 422, "{email}");
        assert!(page.contains(message), "{email}");
    }

    let account = app.get("/compte").await.text().await.unwrap();
    let at = account.find("/compte/delegues/retirer?cle=i").unwrap();
    let key = account[at..]
        .split('"')
        .next()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    app.post("/compte/delegues/retirer", &[("cle", &key)]).await;
    let mail = app.emails_to("one@example.org").await.pop().unwrap();
    let (browser, _) = app.new_browser();
    let r = browser
        .get(mail.link(&format!("{}/invitation?jeton=", app.base)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a withdrawn invitation is dead");

    let (status, _) = app
        .post_text("/compte/delegues/retirer", &[("cle", "a999")])
        .await;
    assert_eq!(status, 404);
    let r = app
        .post("/compte/delegues", &[("email", "three@example.org")])
        .await;
    assert_eq!(
        r.url().as_str(),
        app.url("/compte?fait=delegue-invite"),
        "room again"
    );
}

#[tokio::test]
async fn an_owners_password_change_keeps_its_invitations_alive() {
    let app = owner().await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let fields = [
        ("current", PASSWORD),
        ("password", "un tout autre secret bien long"),
        ("confirmation", "un tout autre secret bien long"),
    ];
    let r = app.post("/compte/mot-de-passe", &fields).await;
    assert_eq!(r.url().as_str(), app.url("/compte?fait=mot-de-passe"));
    let page = r.text().await.unwrap();
    assert!(
        page.contains("assistant@example.org"),
        "the invitation is still listed"
    );
    accept(&app, "assistant@example.org").await;
}

#[tokio::test]
async fn an_address_with_an_account_accepts_an_invitation_without_a_new_password() {
    let app = owner().await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let first = app.emails_to("assistant@example.org").await.pop().unwrap();
    let first = first.link(&format!("{}/invitation?jeton=", app.base));

    // A second owner invites the same address, which accepts that one first.
    app.register_owner("hse.cnd@example.com", "cnd@example.com", PASSWORD)
        .await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    accept_from(&app, "assistant@example.org", "cnd@example.com").await;

    // The first invitation now only adds the access.
    let (browser, jar) = app.new_browser();
    let page = browser
        .get(&first)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Accepter l&#39;accès") || page.contains("Accepter l'accès"),
        "{page}"
    );
    assert!(!page.contains("name=\"password\""));
    let r = post_with(&browser, &jar, &app.url("/invitation"), &[]).await;
    assert!(r.text().await.unwrap().contains("mot de passe habituel"));

    let fields = [
        ("email", "assistant@example.org"),
        ("password", "le mot de passe du délégué"),
    ];
    let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports", "the password is unchanged");
    let list = r.text().await.unwrap();
    assert!(
        list.contains("RDC-2025-001001") && list.contains("RDC-2025-001002"),
        "both owners' reports"
    );
}
