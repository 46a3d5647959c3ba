//! Two-step sign-in: an authenticator app, passkeys (driven by a software
//! authenticator), recovery codes, throttling, the lab's requirement, and
//! the journeys that must keep working with it.

use chrono::Duration;
use dosiport::admin::{self, Status};
use dosiport::clock::Clock;
use dosiport::domain::second_factor::app_code_at;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

use crate::harness::{TestApp, post_with};

const CONTACT: &str = "pcr.radiologie@example.org";
const OWNER: &str = "pcr@example.org";
const PASSWORD: &str = "une phrase de passe solide";
const FACTOR_SUBJECT: &str = "connexion en deux étapes";

async fn owner() -> TestApp {
    owner_with(|_| {}).await
}

async fn owner_with(adjust: impl FnOnce(&mut dosiport::config::Config)) -> TestApp {
    let app = TestApp::spawn_with(adjust).await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, OWNER, PASSWORD).await;
    app
}

/// An owner registered where the lab requires a second factor: right after
/// its first password, it may only set one up.
async fn required_owner(adjust: impl FnOnce(&mut dosiport::config::Config)) -> TestApp {
    let app = TestApp::spawn_with(|config| {
        config.require_second_factor = true;
        adjust(config);
    })
    .await;
    app.import_ok("basic/manifest.csv").await;
    let link = app.register_until_confirmation(CONTACT, OWNER).await;
    app.get(&link).await;
    app.post("/inscription/confirmer", &[]).await;
    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    let r = app.post("/premiere-connexion", &fields).await;
    assert_eq!(r.url().path(), "/compte/securite");
    app
}

/// Sets up an app in a session that may only do that (no password asked).
async fn set_up_app_at_once(app: &TestApp) {
    let (_, page) = app.get_text("/compte/securite/application").await;
    let secret = between(&page, "<code class=\"secret\">", "<").replace(' ', "");
    let code = app_code_at(&secret, now(app)).unwrap();
    let r = app
        .post("/compte/securite/application/confirmer", &[("code", &code)])
        .await;
    assert_eq!(r.status(), 200);
}

fn now(app: &TestApp) -> i64 {
    app.clock.now().timestamp()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {page}"))
        + start.len();
    let len = page[from..].find(end).unwrap();
    &page[from..from + len]
}

fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The recovery codes a page shows.
fn codes_of(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect()
}

/// Sets up an authenticator app from "Mon compte": its secret and the
/// recovery codes shown once.
async fn set_up_app(app: &TestApp) -> (String, Vec<String>) {
    let (status, page) = app
        .post_text("/compte/securite/application", &[("password", PASSWORD)])
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<svg role=\"img\""), "a QR code: {page}");
    let secret = between(&page, "<code class=\"secret\">", "<").replace(' ', "");
    let code = app_code_at(&secret, now(app)).unwrap();
    let (status, page) = app
        .post_text("/compte/securite/application/confirmer", &[("code", &code)])
        .await;
    assert_eq!(status, 200, "{page}");
    let codes = codes_of(&page);
    assert_eq!(codes.len(), 10, "{page}");
    (secret, codes)
}

/// Signs in with the password in a new browser: the page it lands on.
async fn password_step(
    app: &TestApp,
) -> (
    reqwest::Client,
    std::sync::Arc<reqwest::cookie::Jar>,
    String,
) {
    let (browser, jar) = app.new_browser();
    let r = post_with(
        &browser,
        &jar,
        &app.url("/connexion"),
        &[("email", OWNER), ("password", PASSWORD)],
    )
    .await;
    let path = r.url().path().to_owned();
    (browser, jar, path)
}

async fn second_step(
    app: &TestApp,
    browser: &reqwest::Client,
    jar: &reqwest::cookie::Jar,
    code: &str,
) -> (u16, String) {
    let r = post_with(
        browser,
        jar,
        &app.url("/connexion/verification"),
        &[("code", code), ("retour", "/rapports")],
    )
    .await;
    let status = r.status().as_u16();
    let path = r.url().path().to_owned();
    let _ = r.text().await;
    (status, path)
}

#[tokio::test]
async fn an_app_is_asked_after_the_password_and_each_code_works_once() {
    let app = owner().await;
    let (_, page) = app.get_text("/compte/securite").await;
    assert!(page.contains("Désactivée"), "{page}");

    // Setting up needs the password again.
    let (status, page) = app
        .post_text(
            "/compte/securite/application",
            &[("password", "pas le bon")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Le mot de passe actuel n&#39;est pas celui-ci")
            || page.contains("Le mot de passe actuel n'est pas celui-ci")
    );

    // A wrong first code turns nothing on.
    let (status, page) = app
        .post_text("/compte/securite/application", &[("password", PASSWORD)])
        .await;
    assert_eq!(status, 200);
    let secret = between(&page, "<code class=\"secret\">", "<").replace(' ', "");
    let right = app_code_at(&secret, now(&app)).unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let (status, _) = app
        .post_text(
            "/compte/securite/application/confirmer",
            &[("code", &wrong)],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);

    let (status, page) = app
        .post_text(
            "/compte/securite/application/confirmer",
            &[("code", &right)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(codes_of(&page).len(), 10);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
    let stored = app
        .text("SELECT code_hash FROM recovery_codes LIMIT 1")
        .await;
    assert!(
        !codes_of(&page).iter().any(|c| stored.contains(c.as_str())),
        "only hashes kept"
    );
    let told = app.emails_to(OWNER).await;
    assert!(told.iter().any(|e| {
        e.subject.contains(FACTOR_SUBJECT)
            && e.text
                .contains("application d'authentification a été associée")
    }));
    // Once the codes are kept, the overview says the app is on.
    let next = between(&page, "<a class=\"button\" href=\"", "\"");
    assert_eq!(next, "/compte/securite?fait=application");
    let (_, page) = app.get_text(next).await;
    assert!(page.contains("Activée :"), "{page}");
    assert!(page.contains("authentification est activée"), "{page}");

    // The password alone no longer opens the reports.
    let (browser, jar, path) = password_step(&app).await;
    assert_eq!(path, "/connexion/verification");
    let r = browser.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(r.url().path(), "/connexion/verification");
    let r = browser.get(app.url("/compte")).send().await.unwrap();
    assert_eq!(r.url().path(), "/connexion/verification");

    // The code that turned the app on was used: it cannot sign in.
    let (status, _) = second_step(&app, &browser, &jar, &right).await;
    assert_eq!(status, 422);
    // The next one does, once.
    app.clock.advance(Duration::seconds(30));
    let next = app_code_at(&secret, now(&app)).unwrap();
    let (status, path) = second_step(&app, &browser, &jar, &next).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
    let r = browser.get(app.url("/compte")).send().await.unwrap();
    assert_eq!(r.url().path(), "/compte");

    let (other, other_jar, _) = password_step(&app).await;
    let (status, _) = second_step(&app, &other, &other_jar, &next).await;
    assert_eq!(status, 422, "a replayed code is refused");
    // A code of a step too far away is refused; the one before is accepted.
    app.clock.advance(Duration::seconds(30));
    let late = app_code_at(&secret, now(&app) - 90).unwrap();
    assert_ne!(late, next);
    let (status, _) = second_step(&app, &other, &other_jar, &late).await;
    assert_eq!(status, 422);
    let previous = app_code_at(&secret, now(&app) - 30).unwrap();
    if previous != next {
        let (status, path) = second_step(&app, &other, &other_jar, &previous).await;
        assert_eq!(
            (status, path.as_str()),
            (200, "/rapports"),
            "one step of drift"
        );
    }
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each_and_are_told() {
    let app = owner().await;
    let (_, codes) = set_up_app(&app).await;

    let (browser, jar, _) = password_step(&app).await;
    let (status, path) = second_step(&app, &browser, &jar, &codes[0]).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
    let told = app.emails_to(OWNER).await;
    assert!(
        told.iter()
            .any(|e| e.html.contains("code de secours vient de servir")
                && e.html.contains("Il en reste 9")),
        "{told:?}"
    );

    let (browser, jar, _) = password_step(&app).await;
    let (status, _) = second_step(&app, &browser, &jar, &codes[0]).await;
    assert_eq!(status, 422, "a used code is refused");
    // Typed loosely: lower case, spaces for dashes.
    let loose = codes[1].to_lowercase().replace('-', " ");
    let (status, path) = second_step(&app, &browser, &jar, &loose).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        8
    );

    // New codes replace the old ones, after the password.
    let (status, _) = app
        .post_text("/compte/securite/codes", &[("password", "pas le bon")])
        .await;
    assert_eq!(status, 422);
    let (status, page) = app
        .post_text("/compte/securite/codes", &[("password", PASSWORD)])
        .await;
    assert_eq!(status, 200);
    let renewed = codes_of(&page);
    assert_eq!(renewed.len(), 10);
    let next = between(&page, "<a class=\"button\" href=\"", "\"");
    let (_, page) = app.get_text(next).await;
    assert!(
        page.contains("Vos nouveaux codes de secours sont actifs"),
        "{page}"
    );
    let (browser, jar, _) = password_step(&app).await;
    let (status, _) = second_step(&app, &browser, &jar, &codes[2]).await;
    assert_eq!(status, 422, "old codes died");
    let (status, _) = second_step(&app, &browser, &jar, &renewed[0]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_account() {
    let app = owner().await;
    let (secret, _) = set_up_app(&app).await;
    app.clock.advance(Duration::minutes(1));
    let (browser, jar, _) = password_step(&app).await;
    let right = app_code_at(&secret, now(&app)).unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 7) % 1_000_000);
    for _ in 0..5 {
        let (status, _) = second_step(&app, &browser, &jar, &wrong).await;
        assert_eq!(status, 422);
    }
    // Even the right code waits now, from another browser too.
    let (status, _) = second_step(&app, &browser, &jar, &right).await;
    assert_eq!(status, 429);
    let (other, other_jar, _) = password_step(&app).await;
    let (status, _) = second_step(&app, &other, &other_jar, &right).await;
    assert_eq!(status, 429);

    app.clock.advance(Duration::minutes(16));
    let (browser, jar, _) = password_step(&app).await;
    let code = app_code_at(&secret, now(&app)).unwrap();
    let (status, path) = second_step(&app, &browser, &jar, &code).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
}

#[tokio::test]
async fn a_password_reset_still_asks_for_the_second_factor() {
    let app = owner().await;
    let (secret, _) = set_up_app(&app).await;
    let (browser, jar) = app.new_browser();
    post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie"),
        &[("email", OWNER)],
    )
    .await;
    let link = app
        .emails_to(OWNER)
        .await
        .iter()
        .rev()
        .find(|e| e.subject.contains("nouveau mot de passe"))
        .unwrap()
        .link(&format!("{}/mot-de-passe-oublie/nouveau?jeton=", app.base));
    browser.get(&link).send().await.unwrap();
    let new = "un tout nouveau mot de passe";
    let r = post_with(
        &browser,
        &jar,
        &app.url("/mot-de-passe-oublie/nouveau"),
        &[("password", new), ("confirmation", new)],
    )
    .await;
    assert_eq!(r.url().path(), "/connexion/verification");
    let r = browser.get(app.url("/rapports")).send().await.unwrap();
    assert_eq!(r.url().path(), "/connexion/verification");
    app.clock.advance(Duration::seconds(30));
    let code = app_code_at(&secret, now(&app)).unwrap();
    let (status, path) = second_step(&app, &browser, &jar, &code).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
}

#[tokio::test]
async fn removing_the_app_needs_the_password_and_is_told() {
    let app = owner().await;
    set_up_app(&app).await;
    let (status, page) = app
        .get_text("/compte/securite/retirer?facteur=application")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("dernier moyen"), "{page}");
    let (status, _) = app
        .post_text(
            "/compte/securite/retirer",
            &[("facteur", "application"), ("password", "pas le bon")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 1);
    let r = app
        .post(
            "/compte/securite/retirer",
            &[("facteur", "application"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().as_str(), app.url("/compte/securite?fait=retire"));
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
    let told = app.emails_to(OWNER).await;
    assert!(told.iter().any(|e| {
        e.text
            .contains("application d'authentification de votre compte a été retirée")
    }));
    let (_, _, path) = password_step(&app).await;
    assert_eq!(path, "/rapports");
    // A factor of nobody, or of another account, is not found.
    let (status, _) = app
        .get_text("/compte/securite/retirer?facteur=cle-999")
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_passkey_registers_and_signs_in_with_a_software_authenticator() {
    let app = owner_with(|config| {
        config.public_url.set_host(Some("localhost")).unwrap();
    })
    .await;
    let origin = Url::parse(&app.base).unwrap();
    let mut authenticator = SoftPasskey::new(true);

    let (status, page) = app
        .post_text(
            "/compte/securite/cle",
            &[("name", "Clé du bureau"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let options = unescape(between(&page, "data-options=\"", "\""));
    let options: CreationChallengeResponse = serde_json::from_str(&options).unwrap();
    let created = authenticator
        .do_registration(origin.clone(), options)
        .unwrap();
    let created = serde_json::to_string(&created).unwrap();
    let (status, page) = app
        .post_text(
            "/compte/securite/cle/confirmer",
            &[("credential", &created)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(codes_of(&page).len(), 10, "first factor: recovery codes");
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 1);
    // The same answer cannot add it twice.
    let (status, _) = app
        .post_text(
            "/compte/securite/cle/confirmer",
            &[("credential", &created)],
        )
        .await;
    assert_eq!(status, 409);
    let told = app.emails_to(OWNER).await;
    assert!(
        told.iter()
            .any(|e| e.text.contains("« Clé du bureau » a été ajoutée"))
    );

    // Sign-in: the password, then the passkey's answer to a fresh challenge.
    let (browser, jar, path) = password_step(&app).await;
    assert_eq!(path, "/connexion/verification");
    let page = browser
        .get(app.url("/connexion/verification"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let options = unescape(between(&page, "data-options=\"", "\""));
    let options: RequestChallengeResponse = serde_json::from_str(&options).unwrap();
    let answer = authenticator
        .do_authentication(origin.clone(), options)
        .unwrap();
    let answer = serde_json::to_string(&answer).unwrap();
    let r = post_with(
        &browser,
        &jar,
        &app.url("/connexion/verification/cle"),
        &[("credential", &answer), ("retour", "/rapports")],
    )
    .await;
    assert_eq!(r.url().path(), "/rapports");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM passkeys WHERE last_used_at IS NOT NULL")
            .await,
        1
    );

    // The answer is good for its challenge only.
    let (other, other_jar, _) = password_step(&app).await;
    other
        .get(app.url("/connexion/verification"))
        .send()
        .await
        .unwrap();
    let r = post_with(
        &other,
        &other_jar,
        &app.url("/connexion/verification/cle"),
        &[("credential", &answer), ("retour", "/rapports")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.url().path(), "/connexion/verification/cle");

    // Removing it, after the password.
    let id = app.count("SELECT id FROM passkeys").await.to_string();
    let r = app
        .post(
            "/compte/securite/retirer",
            &[("facteur", &format!("cle-{id}")), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.url().path(), "/compte/securite");
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 0);
}

#[tokio::test]
async fn passkeys_are_not_offered_on_a_bare_address() {
    let app = owner().await;
    let (_, page) = app.get_text("/compte/securite").await;
    assert!(!page.contains("/compte/securite/cle"), "{page}");
    let r = app.get("/compte/securite/cle").await;
    assert_eq!(r.url().path(), "/compte/securite");
}

#[tokio::test]
async fn the_lab_can_require_a_second_factor() {
    let app = required_owner(|_| {}).await;
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/compte/securite");

    // Just after the password, setting up asks for it no more.
    let (status, page) = app.get_text("/compte/securite/application").await;
    assert_eq!(status, 200);
    let secret = between(&page, "<code class=\"secret\">", "<").replace(' ', "");
    let code = app_code_at(&secret, now(&app)).unwrap();
    let (status, page) = app
        .post_text("/compte/securite/application/confirmer", &[("code", &code)])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/rapports\""), "{page}");
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/rapports");

    // The last factor stays.
    let (status, _) = app
        .get_text("/compte/securite/retirer?facteur=application")
        .await;
    assert_eq!(status, 409);
    let (status, _) = app
        .post_text(
            "/compte/securite/retirer",
            &[("facteur", "application"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 1);
}

#[tokio::test]
async fn parallel_removals_cannot_take_the_last_required_factor() {
    let app = required_owner(|config| {
        config.public_url.set_host(Some("localhost")).unwrap();
    })
    .await;
    set_up_app_at_once(&app).await;
    let (_, page) = app
        .post_text(
            "/compte/securite/cle",
            &[("name", "Clé"), ("password", PASSWORD)],
        )
        .await;
    let options = unescape(between(&page, "data-options=\"", "\""));
    let created = SoftPasskey::new(true)
        .do_registration(
            Url::parse(&app.base).unwrap(),
            serde_json::from_str(&options).unwrap(),
        )
        .unwrap();
    let created = serde_json::to_string(&created).unwrap();
    app.post(
        "/compte/securite/cle/confirmer",
        &[("credential", &created)],
    )
    .await;
    let id = app.count("SELECT id FROM passkeys").await;
    let passkey = format!("cle-{id}");

    let app_removal = [("facteur", "application"), ("password", PASSWORD)];
    let passkey_removal = [("facteur", passkey.as_str()), ("password", PASSWORD)];
    let (first, second) = tokio::join!(
        app.post("/compte/securite/retirer", &app_removal),
        app.post("/compte/securite/retirer", &passkey_removal),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let left = app.count("SELECT COUNT(*) FROM totp_factors").await
        + app.count("SELECT COUNT(*) FROM passkeys").await;
    assert_eq!(left, 1);
}

#[tokio::test]
async fn a_session_without_a_factor_sets_one_up_once_the_lab_requires_it() {
    let app = required_owner(|_| {}).await;
    set_up_app_at_once(&app).await;
    assert_eq!(app.get("/rapports").await.url().path(), "/rapports");
    // Its factor gone by other means (an older portal, the database), the
    // open session may only set one up again.
    let pool = app.db().await;
    sqlx::query("DELETE FROM totp_factors")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(app.get("/rapports").await.url().path(), "/compte/securite");
    assert_eq!(
        app.get("/compte/historique.csv").await.url().path(),
        "/compte/securite"
    );
}

#[tokio::test]
async fn delegation_and_email_change_keep_working_with_two_steps() {
    let app = owner().await;
    let (secret, _) = set_up_app(&app).await;

    // The owner shares its reports; the delegate creates its account.
    let r = app
        .post("/compte/delegues", &[("email", "adjoint@example.org")])
        .await;
    assert_eq!(r.url().query(), Some("fait=delegue-invite"));
    let invitation = app
        .emails_to("adjoint@example.org")
        .await
        .pop()
        .unwrap()
        .link(&format!("{}/invitation?jeton=", app.base));
    let (delegate, delegate_jar) = app.new_browser();
    delegate.get(&invitation).send().await.unwrap();
    let chosen = "une autre phrase bien solide";
    let r = post_with(
        &delegate,
        &delegate_jar,
        &app.url("/invitation"),
        &[("password", chosen), ("confirmation", chosen)],
    )
    .await;
    assert_eq!(r.url().path(), "/rapports");

    // The owner changes its login; the new address confirms.
    let r = app
        .post(
            "/compte/email",
            &[
                ("email", "nouveau.pcr@example.org"),
                ("confirmation", "nouveau.pcr@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.url().query(), Some("fait=email-demande"));
    let confirm = app
        .emails_to("nouveau.pcr@example.org")
        .await
        .pop()
        .unwrap()
        .link(&format!("{}/compte/email/confirmer?jeton=", app.base));
    app.get(&confirm).await;
    app.post("/compte/email/confirmer", &[]).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'nouveau.pcr@example.org'")
            .await,
        1
    );

    // The new login still asks for the app.
    let (browser, jar) = app.new_browser();
    let r = post_with(
        &browser,
        &jar,
        &app.url("/connexion"),
        &[("email", "nouveau.pcr@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.url().path(), "/connexion/verification");
    app.clock.advance(Duration::seconds(30));
    let code = app_code_at(&secret, now(&app)).unwrap();
    let (status, path) = second_step(&app, &browser, &jar, &code).await;
    assert_eq!((status, path.as_str()), (200, "/rapports"));
}

#[tokio::test]
async fn the_lab_turns_two_steps_off_for_someone_who_lost_everything() {
    let app = owner().await;
    set_up_app(&app).await;
    let args = admin::parse(["account", OWNER]).unwrap();
    let mut out = Vec::new();
    admin::run(&app.app, args, &mut out).await.unwrap();
    let shown = String::from_utf8(out).unwrap();
    assert!(
        shown.contains("two-step:     authenticator app (10 recovery code(s) left)"),
        "{shown}"
    );
    let args = admin::parse(["second-factor-off", OWNER]).unwrap();
    let mut out = Vec::new();
    let status = admin::run(&app.app, args, &mut out).await.unwrap();
    assert_eq!(status, Status::Done);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("Two-step sign-in is off")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
    // Its sessions ended; the password alone signs in again.
    let r = app.get("/compte").await;
    assert_eq!(r.url().path(), "/connexion");
    let (_, _, path) = password_step(&app).await;
    assert_eq!(path, "/rapports");
    let told = app.emails_to(OWNER).await;
    assert!(
        told.iter()
            .any(|e| e.text.contains("notre service client a retiré"))
    );

    let args = admin::parse(["second-factor-off", OWNER]).unwrap();
    let mut out = Vec::new();
    admin::run(&app.app, args, &mut out).await.unwrap();
    assert!(String::from_utf8(out).unwrap().contains("nothing to do"));
}
