//! Access control (INV-1, INV-3): report and account addresses tried with
//! another account's ids, with ids edited or encoded, without signing in,
//! and by a delegate; none reaches what is not in the account's access.

use reqwest::{Client, Method};

use super::{
    CONTACT, NEW_PASSWORD, OTHER_CONTACT, OWNER, PASSWORD, csrf_of, fingerprint, last_link,
    no_redirect, signed_in,
};
use crate::harness::{TestApp, post_with};

const OTHER: &str = "autre.titulaire@example.com";

/// Two owners, the second signed in with the test's browser; the id of a
/// report of each.
async fn two_owners() -> (TestApp, i64, i64) {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, OWNER, PASSWORD).await;
    app.post("/deconnexion", &[]).await;
    app.register_owner(OTHER_CONTACT, OTHER, PASSWORD).await;
    let id = |number: &str| format!("SELECT id FROM reports WHERE number = '{number}'");
    let first = app.count(&id("RDC-2025-001001")).await;
    let second = app.count(&id("RDC-2025-001002")).await;
    (app, first, second)
}

async fn fetch(client: &Client, method: Method, url: &str) -> (u16, Vec<u8>) {
    let r = client
        .request(method, url)
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn another_accounts_reports_are_not_found_however_their_id_is_written() {
    let (app, theirs, mine) = two_owners().await;
    let t = theirs.to_string();
    let encoded: String = t.chars().map(|c| format!("%{:02X}", c as u32)).collect();
    let paths = [
        format!("/rapports/{t}/telecharger"),
        format!("/rapports/{encoded}/telecharger"),
        format!("/rapports/+{t}/telecharger"),
        format!("/rapports/0{t}/telecharger"),
        format!("/rapports/{t}.0/telecharger"),
        format!("/rapports/{t}%00/telecharger"),
        format!("/rapports/{t}%20/telecharger"),
        format!("/rapports/{mine}%2f..%2f{t}/telecharger"),
        format!("/rapports/..%2f{t}/telecharger"),
        format!("/rapports/%2e%2e/{t}/telecharger"),
        format!("/rapports/{t}/telecharger/"),
        format!("/rapports//{t}/telecharger"),
        format!("//rapports/{t}/telecharger"),
        format!("/RAPPORTS/{t}/telecharger"),
        format!("/rapports/{t};{mine}/telecharger"),
        format!("/rapports/{}/telecharger", theirs + (1_i64 << 32)),
        format!("/rapports/{t}{}/telecharger", "0".repeat(30)),
        "/rapports/%2Fetc%2Fpasswd/telecharger".to_owned(),
        "/rapports/..%2f..%2f..%2fetc%2fpasswd/telecharger".to_owned(),
        "/static/..%2f..%2fCargo.toml".to_owned(),
        "/static/%2e%2e/%2e%2e/Cargo.toml".to_owned(),
        "/static/style.css/..%2f..%2fsrc%2fmain.rs".to_owned(),
        "/etc/passwd".to_owned(),
    ];
    for path in &paths {
        for method in [Method::GET, Method::HEAD] {
            let (status, body) = fetch(&app.client, method.clone(), &app.url(path)).await;
            assert_eq!(status, 404, "{method} {path}");
            assert!(!body.starts_with(b"%PDF"), "{method} {path}");
        }
    }
    // The account's own report, written plainly or in query tricks, works.
    let own = format!("/rapports/{mine}/telecharger?id={t}&rapport={t}");
    let (status, body) = fetch(&app.client, Method::GET, &app.url(&own)).await;
    assert_eq!((status, body.starts_with(b"%PDF")), (206, true));

    let recipient = app
        .count("SELECT recipient_id FROM reports WHERE number = 'RDC-2025-001001'")
        .await;
    for query in [
        format!("?destinataire={recipient}"),
        format!("?destinataire={recipient}&destinataire={recipient}"),
        format!("?destinataire=%2B{recipient}"),
    ] {
        let (_, page) = app.get_text(&format!("/rapports{query}")).await;
        assert!(!page.contains("RDC-2025-001001"), "{query}");
        assert!(
            !page.contains(&format!("/rapports/{t}/telecharger")),
            "{query}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);
}

#[tokio::test]
async fn without_signing_in_no_report_or_account_page_answers() {
    let (app, theirs, _) = two_owners().await;
    let (_, jar) = app.new_browser();
    let anonymous = no_redirect(&jar);
    for path in [
        "/rapports".to_owned(),
        format!("/rapports/{theirs}/telecharger"),
        "/compte".to_owned(),
        "/compte/mot-de-passe".to_owned(),
        "/compte/email".to_owned(),
        "/compte/delegues/retirer?cle=a1".to_owned(),
    ] {
        for method in [Method::GET, Method::HEAD] {
            let r = anonymous
                .request(method.clone(), app.url(&path))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{method} {path}");
            let location = r.headers()["location"].to_str().unwrap();
            assert!(
                location.starts_with("/connexion?retour="),
                "{path}: {location}"
            );
            assert!(!r.bytes().await.unwrap().starts_with(b"%PDF"));
        }
    }
    let csrf = csrf_of(&app, &anonymous, &jar).await;
    let before = fingerprint(&app).await;
    for (path, field) in [
        ("/compte/delegues", ("email", "complice@example.org")),
        ("/compte/delegues/retirer", ("cle", "a1")),
        ("/compte/email", ("email", "complice@example.org")),
        ("/compte/mot-de-passe", ("password", NEW_PASSWORD)),
    ] {
        let form = [("csrf", csrf.as_str()), field];
        let r = anonymous
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{path}");
    }
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn an_owner_cannot_see_or_remove_another_owners_delegates() {
    let (app, _, _) = two_owners().await;
    let (first, first_jar) = signed_in(&app, OWNER, PASSWORD).await;
    for email in ["assistant@example.org", OTHER] {
        let fields = [("email", email)];
        post_with(&first, &first_jar, &app.url("/compte/delegues"), &fields).await;
    }
    let page = first
        .get(app.url("/compte"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys: Vec<String> = page
        .split("/compte/delegues/retirer?cle=")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 2, "a pending invitation and a delegate");

    // The other owner, signed in with the test's browser, tries them.
    let before = fingerprint(&app).await;
    for key in &keys {
        let (kind, id) = key.split_at(1);
        for variant in [
            key.clone(),
            format!("{}{id}", kind.to_uppercase()),
            format!("{kind}+{id}"),
            format!("{kind}0{id}"),
            format!("{kind}{id} "),
            format!("{kind}{id}\0"),
            format!("{kind}-{id}"),
        ] {
            let (status, _) = app
                .get_text(&format!(
                    "/compte/delegues/retirer?cle={}",
                    url::form_urlencoded::byte_serialize(variant.as_bytes()).collect::<String>()
                ))
                .await;
            assert_eq!(status, 404, "GET {variant:?}");
            let (status, _) = app
                .post_text("/compte/delegues/retirer", &[("cle", &variant)])
                .await;
            assert!(status == 404 || status == 400, "POST {variant:?}: {status}");
        }
    }
    // Not even the audit trail records a removal that did not happen.
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn delegated_access_cannot_be_delegated_again() {
    let app = super::owner().await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let link = last_link(&app, "assistant@example.org", "/invitation").await;
    let (delegate, jar) = app.new_browser();
    delegate.get(&link).send().await.unwrap();
    let fields = [("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    let r = post_with(&delegate, &jar, &app.url("/invitation"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");

    let before = fingerprint(&app).await;
    let fields = [("email", "troisieme@example.org")];
    let r = post_with(&delegate, &jar, &app.url("/compte/delegues"), &fields).await;
    assert_eq!(r.status(), 422);
    assert_eq!(fingerprint(&app).await, before);
    assert!(app.emails_to("troisieme@example.org").await.is_empty());
}
