//! The whole journey of a recipient, from the lab's import to a download.

use crate::harness::{TestApp, corpus, post_with};

#[tokio::test]
async fn recipient_goes_from_invitation_to_downloading_their_report() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;

    // The invitation reaches the contact address with both codes.
    let invites = app.emails_to("pcr.radiologie@example.org").await;
    assert_eq!(invites.len(), 1);
    let invite = &invites[0];
    assert!(invite.subject.contains("inscrivez-vous"));
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    assert!(invite.text.contains(&format!("{}/inscription", app.base)));

    // Steps 1 to 4.
    let r = app
        .post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    assert_eq!(r.url().path(), "/inscription/email");
    let r = app
        .post(
            "/inscription/email",
            &[("email", "PCR.Radiologie@Example.org")],
        )
        .await;
    assert_eq!(r.url().path(), "/inscription/certification");
    let r = app
        .post("/inscription/certification", &[("certify", "oui")])
        .await;
    assert_eq!(r.url().path(), "/inscription/envoyee");
    let pending = r.text().await.unwrap();
    assert!(pending.contains("48 heures"));

    // The confirmation email; its link shows a page, the button confirms.
    let confirm = app
        .emails_to("pcr.radiologie@example.org")
        .await
        .pop()
        .unwrap();
    let link = confirm.link(&format!("{}/inscription/confirmer?jeton=", app.base));
    let r = app.get(&link).await;
    assert_eq!(
        r.url().as_str(),
        app.url("/inscription/confirmer"),
        "token dropped from the URL"
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Confirmer mon inscription")
    );
    let (_, page) = app.post_text("/inscription/confirmer", &[]).await;
    assert!(page.contains("Choisir mon mot de passe"));

    // First connection: the password, then the reports.
    let password = "un cheval agrafe sur la pile";
    let r = app
        .post(
            "/premiere-connexion",
            &[("password", password), ("confirmation", password)],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    let list = r.text().await.unwrap();
    assert!(list.contains("RDC-2025-001001"));
    assert!(
        !list.contains("RDC-2025-001002"),
        "another recipient's report is listed"
    );

    // Sign out, sign in again, download.
    let r = app.post("/deconnexion", &[]).await;
    assert_eq!(r.url().path(), "/connexion");
    let r = app
        .post(
            "/connexion",
            &[
                ("email", "pcr.radiologie@example.org"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(r.url().path(), "/rapports");
    let list = r.text().await.unwrap();
    let id = report_id(&list, "RDC-2025-001001");
    let r = app.get(&format!("/rapports/{id}/telecharger")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let bytes = r.bytes().await.unwrap();
    let source = std::fs::read(corpus("basic/pdf/RDC-2025-001001_D0012001.pdf")).unwrap();
    assert_eq!(bytes.as_ref(), source.as_slice());

    // Another account, signed in, cannot download it.
    let (other, other_jar) = app.new_browser();
    register_second_owner(&app, &other, &other_jar).await;
    let r = other
        .get(app.url(&format!("/rapports/{id}/telecharger")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// Registers the owner of D0012005 in another browser and signs it in.
async fn register_second_owner(
    app: &TestApp,
    client: &reqwest::Client,
    jar: &reqwest::cookie::Jar,
) {
    {
        let invite = app.emails_to("hse.cnd@example.com").await.remove(0);
        let code = invite.value_after("Code de sécurité :");
        let number = invite.value_after("Numéro de rapport :");
        let post = |path: &str, fields: Vec<(&'static str, String)>| {
            let url = app.url(path);
            async move {
                let borrowed: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_with(client, jar, &url, &borrowed).await
            }
        };
        post("/inscription", vec![("code", code), ("number", number)]).await;
        post(
            "/inscription/email",
            vec![("email", "hse.cnd@example.com".into())],
        )
        .await;
        post(
            "/inscription/certification",
            vec![("certify", "oui".into())],
        )
        .await;
        let confirm = app.emails_to("hse.cnd@example.com").await.pop().unwrap();
        let link = confirm.link(&format!("{}/inscription/confirmer?jeton=", app.base));
        client.get(&link).send().await.unwrap();
        post("/inscription/confirmer", vec![]).await;
        let pw = "une autre phrase de passe";
        let r = post(
            "/premiere-connexion",
            vec![("password", pw.into()), ("confirmation", pw.into())],
        )
        .await;
        assert_eq!(r.url().path(), "/rapports");
        let list = r.text().await.unwrap();
        assert!(list.contains("RDC-2025-001002"));
    }
}

/// The id in the download link of a report number's row.
pub fn report_id(list: &str, number: &str) -> String {
    let row_start = list
        .find(number)
        .unwrap_or_else(|| panic!("{number} not listed"));
    let rest = &list[row_start..];
    let link = rest.find("/rapports/").unwrap();
    rest[link + "/rapports/".len()..]
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}
