//! Cross-site request forgery: every state-changing request is a POST whose
//! anti-forgery token must match this browser's cookie; a GET of the same
//! address with the same fields changes nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::Client;
use reqwest::cookie::Jar;

use super::{CONTACT, NEW_PASSWORD, OWNER, PASSWORD, csrf_of, fingerprint, last_link, post_routes};
use dosiport::clock::Clock;
use dosiport::domain::second_factor::app_code_at;
use webauthn_authenticator_rs::WebauthnAuthenticator;

use crate::harness::{TestApp, post_with};

/// One browser attacked, with the token another browser holds.
struct Target<'a> {
    app: &'a TestApp,
    browser: &'a Client,
    jar: &'a Arc<Jar>,
    foreign_token: String,
    attacked: BTreeSet<String>,
}

impl Target<'_> {
    /// Tries `path` with `fields` every way a forger could, then as the
    /// page's own form: only the last may change anything.
    async fn attack(&mut self, path: &str, fields: &[(&str, &str)]) {
        let app = self.app;
        let own = csrf_of(app, self.browser, self.jar).await;
        let mut altered = own.clone();
        altered.replace_range(..1, if own.starts_with('A') { "B" } else { "A" });
        let before = fingerprint(app).await;

        // A GET with the same fields, even with the right token, changes nothing.
        let mut query: Vec<(&str, &str)> = vec![("csrf", own.as_str())];
        query.extend_from_slice(fields);
        let r = self
            .browser
            .get(app.url(path))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "GET {path}: {}", r.status());
        assert_eq!(
            fingerprint(app).await,
            before,
            "GET {path} changed something"
        );

        let forged: [(&str, Option<&str>); 5] = [
            ("no token", None),
            ("an invented token", Some("forged")),
            ("another browser's token", Some(self.foreign_token.as_str())),
            ("an altered token", Some(altered.as_str())),
            ("an empty token", Some("")),
        ];
        for (how, token) in forged {
            let mut form: Vec<(&str, &str)> = token.map(|t| ("csrf", t)).into_iter().collect();
            form.extend_from_slice(fields);
            let r = self
                .browser
                .post(app.url(path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "POST {path} with {how}");
            assert_eq!(fingerprint(app).await, before, "POST {path} with {how}");
        }
        // The token as a second value of the field does not pass either.
        let mut form = vec![("csrf", "forged"), ("csrf", own.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .browser
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "POST {path} with two tokens");
        assert_eq!(
            fingerprint(app).await,
            before,
            "POST {path} with two tokens"
        );

        let r = post_with(self.browser, self.jar, &app.url(path), fields).await;
        assert!(r.status().as_u16() < 500, "POST {path}: {}", r.status());
        assert_ne!(
            fingerprint(app).await,
            before,
            "the genuine POST {path} changed nothing: the forgeries proved nothing"
        );
        self.attacked.insert(path.to_owned());
    }
}

/// The passkey question a page holds, as JSON.
fn data_options(page: &str) -> String {
    let at = page.find("data-options=\"").unwrap() + 14;
    page[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn every_state_changing_request_needs_this_browsers_token_and_no_get_changes_state() {
    // A host name, not an address: passkeys are offered.
    let app = TestApp::spawn_with(|config| {
        config.public_url.set_host(Some("localhost")).unwrap();
    })
    .await;
    app.import_ok("basic/manifest.csv").await;
    let (other, other_jar) = app.new_browser();
    let foreign_token = csrf_of(&app, &other, &other_jar).await;
    let (delegate, delegate_jar) = app.new_browser();
    let mut victim = Target {
        app: &app,
        browser: &app.client,
        jar: &app.jar,
        foreign_token: foreign_token.clone(),
        attacked: BTreeSet::new(),
    };

    // Registration, step by step.
    let invite = app.emails_to(CONTACT).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    victim
        .attack("/inscription", &[("code", &code), ("number", &number)])
        .await;
    victim
        .attack("/inscription/email", &[("email", OWNER)])
        .await;
    victim
        .attack("/inscription/certification", &[("certify", "oui")])
        .await;
    victim.attack("/inscription/en-cours", &[]).await;
    let link = last_link(&app, OWNER, "/inscription/confirmer").await;
    app.get(&link).await;
    victim.attack("/inscription/confirmer", &[]).await;
    let password = [("password", PASSWORD), ("confirmation", PASSWORD)];
    victim.attack("/premiere-connexion", &password).await;

    // "Mon compte".
    victim
        .attack("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let (_, page) = app.get_text("/compte").await;
    let at = page.find("/compte/delegues/retirer?cle=").unwrap();
    let key = page[at..]
        .split('"')
        .next()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap();
    let key = key.to_owned();
    app.post("/compte/delegues", &[("email", "aide@example.org")])
        .await;
    let invitation = last_link(&app, "aide@example.org", "/invitation").await;
    victim
        .attack("/compte/delegues/retirer", &[("cle", &key)])
        .await;
    victim
        .attack(
            "/compte/mot-de-passe",
            &[
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    victim
        .attack(
            "/compte/email",
            &[
                ("email", "nouvelle@example.org"),
                ("confirmation", "nouvelle@example.org"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    let link = last_link(&app, "nouvelle@example.org", "/compte/email/confirmer").await;
    app.get(&link).await;
    victim.attack("/compte/email/confirmer", &[]).await;
    victim
        .attack("/langue", &[("langue", "en"), ("page", "/compte")])
        .await;
    victim.attack("/deconnexion", &[]).await;
    victim
        .attack(
            "/connexion",
            &[
                ("email", "nouvelle@example.org"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;

    // A forgotten password.
    victim
        .attack("/mot-de-passe-oublie", &[("email", "nouvelle@example.org")])
        .await;
    let link = last_link(&app, "nouvelle@example.org", "/mot-de-passe-oublie/nouveau").await;
    app.get(&link).await;
    victim
        .attack(
            "/mot-de-passe-oublie/nouveau",
            &[("password", PASSWORD), ("confirmation", PASSWORD)],
        )
        .await;

    // Two-step sign-in: setting up an app, new recovery codes.
    victim
        .attack("/compte/securite/application", &[("password", PASSWORD)])
        .await;
    let (_, page) = app.get_text("/compte/securite/application").await;
    let at = page.find("<code class=\"secret\">").unwrap() + 21;
    let secret: String = page[at..].split('<').next().unwrap().replace(' ', "");
    let code = app_code_at(&secret, app.clock.now().timestamp()).unwrap();
    victim
        .attack("/compte/securite/application/confirmer", &[("code", &code)])
        .await;
    victim
        .attack("/compte/securite/codes", &[("password", PASSWORD)])
        .await;
    // The second step of a sign-in, with the app's code.
    app.post("/deconnexion", &[]).await;
    let signin = [("email", "nouvelle@example.org"), ("password", PASSWORD)];
    let r = app.post("/connexion", &signin).await;
    assert_eq!(r.url().path(), "/connexion/verification");
    app.clock.advance(chrono::Duration::seconds(30));
    let code = app_code_at(&secret, app.clock.now().timestamp()).unwrap();
    victim
        .attack("/connexion/verification", &[("code", &code)])
        .await;
    // A passkey, made by a software authenticator.
    let origin = webauthn_rs::prelude::Url::parse(&app.base).unwrap();
    let mut authenticator = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    victim
        .attack(
            "/compte/securite/cle",
            &[("name", "Clé"), ("password", PASSWORD)],
        )
        .await;
    let r = app
        .post(
            "/compte/securite/cle",
            &[("name", "Clé"), ("password", PASSWORD)],
        )
        .await;
    let options = data_options(&r.text().await.unwrap());
    let created = authenticator
        .do_registration(origin.clone(), serde_json::from_str(&options).unwrap())
        .unwrap();
    let created = serde_json::to_string(&created).unwrap();
    victim
        .attack(
            "/compte/securite/cle/confirmer",
            &[("credential", &created)],
        )
        .await;
    app.post("/deconnexion", &[]).await;
    app.post("/connexion", &signin).await;
    let (_, page) = app.get_text("/connexion/verification").await;
    let asserted = authenticator
        .do_authentication(origin, serde_json::from_str(&data_options(&page)).unwrap())
        .unwrap();
    let asserted = serde_json::to_string(&asserted).unwrap();
    victim
        .attack("/connexion/verification/cle", &[("credential", &asserted)])
        .await;
    victim
        .attack(
            "/compte/securite/retirer",
            &[("facteur", "application"), ("password", PASSWORD)],
        )
        .await;

    // A delegate's invitation, in the delegate's browser.
    delegate.get(&invitation).send().await.unwrap();
    let mut invited = Target {
        app: &app,
        browser: &delegate,
        jar: &delegate_jar,
        foreign_token,
        attacked: BTreeSet::new(),
    };
    invited.attack("/invitation", &password).await;

    let mut attacked = victim.attacked;
    attacked.extend(invited.attacked);
    let routes: BTreeSet<String> = post_routes().into_iter().collect();
    assert_eq!(attacked, routes, "every POST route is attacked");
}
