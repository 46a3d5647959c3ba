//! The lab's support commands (OPS-2) on a portal with owners, delegates, a
//! registration under way and a recipient only invited: what they show,
//! what they change, the audit trail they leave, and that running them
//! twice is harmless.

use dosiport::admin::{self, Status};
use serde_json::Value;

use crate::harness::{Email, TestApp, post_with};
use crate::mail::start_smtp_server;

const PASSWORD: &str = "une phrase de passe solide";
/// D0012001, registered by `owner@example.org`, who has a delegate.
const OWNED_CONTACT: &str = "pcr.radiologie@example.org";
/// D0012005, whose registration by `cnd@example.com` waits for its link.
const PENDING_CONTACT: &str = "hse.cnd@example.com";

/// Runs `dosiport admin ARGS…` against the test's portal; its status and
/// its output (parsed when `--json` is among the arguments).
async fn admin(app: &TestApp, args: &[&str]) -> (Status, String) {
    let parsed = admin::parse(args).unwrap();
    let mut out = Vec::new();
    let status = admin::run(&app.app, parsed, &mut out).await.unwrap();
    (status, String::from_utf8(out).unwrap())
}

async fn admin_json(app: &TestApp, args: &[&str]) -> (Status, Value) {
    let mut args = args.to_vec();
    args.push("--json");
    let (status, out) = admin(app, &args).await;
    (status, serde_json::from_str(&out).unwrap())
}

/// The portal of these tests, with the delegate's browser.
async fn portal() -> (TestApp, reqwest::Client) {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_until_confirmation(PENDING_CONTACT, "cnd@example.com")
        .await;
    app.register_owner(OWNED_CONTACT, "owner@example.org", PASSWORD)
        .await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let invitation = app.emails_to("assistant@example.org").await.pop().unwrap();
    let link = invitation.link(&format!("{}/invitation?jeton=", app.base));
    let (delegate, jar) = app.new_browser();
    delegate.get(&link).send().await.unwrap();
    let fields = [("password", PASSWORD), ("confirmation", PASSWORD)];
    let r = post_with(&delegate, &jar, &app.url("/invitation"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    (app, delegate)
}

/// Whether the codes of an invitation open the registration's next step.
async fn codes_accepted(app: &TestApp, invitation: &Email) -> bool {
    let code = invitation.value_after("Code de sécurité :");
    let number = invitation.value_after("Numéro de rapport :");
    let (browser, jar) = app.new_browser();
    let fields = [("code", code.as_str()), ("number", number.as_str())];
    let r = post_with(&browser, &jar, &app.url("/inscription"), &fields).await;
    r.url().path().starts_with("/inscription/email")
}

async fn audit_rows(app: &TestApp, event: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit WHERE event = '{event}'"
    ))
    .await
}

#[tokio::test]
async fn find_matches_emails_names_codes_and_report_numbers() {
    let (app, _) = portal().await;

    let (status, found) = admin_json(&app, &["find", "OWNER@example"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(found["accounts"][0]["email"], "owner@example.org");
    assert_eq!(found["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(found["recipients"][0]["code"], "D0012001", "found by owner");

    for term in ["d0012001", "rdc-2025-001001"] {
        let (_, found) = admin_json(&app, &["find", term]).await;
        assert_eq!(found["recipients"][0]["code"], "D0012001", "{term}");
        assert_eq!(found["recipients"][0]["owner_email"], "owner@example.org");
        assert_eq!(found["accounts"][0]["email"], "owner@example.org", "{term}");
    }

    let (_, found) = admin_json(&app, &["find", "imagerie"]).await;
    assert_eq!(found["recipients"][0]["code"], "D0012004");
    assert_eq!(found["recipients"][0]["reports"], 6);
    assert!(found["recipients"][0]["owner_email"].is_null());

    // LIKE wildcards typed by support match themselves only.
    let (status, found) = admin_json(&app, &["find", "%"]).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(found["recipients"].as_array().unwrap().len(), 0);
    let (status, _) = admin(&app, &["find", "  "]).await;
    assert_eq!(status, Status::Refused);

    let (_, text) = admin(&app, &["find", "owner@"]).await;
    assert!(text.contains("owner@example.org  password set"), "{text}");
}

#[tokio::test]
async fn recipient_shows_invited_pending_and_owned_states() {
    let (app, _) = portal().await;

    let (status, owned) = admin_json(&app, &["recipient", "D0012001"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(owned["state"], "owned");
    assert_eq!(owned["recipient"]["owner_email"], "owner@example.org");
    assert_eq!(owned["delegates"][0]["email"], "assistant@example.org");
    assert_eq!(owned["delegates"][0]["pending"], false);
    let events: Vec<&str> = owned["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["registration_confirmed", "registration_certified"]);
    assert!(owned["recipient"]["invitations"][0]["sent_at"].is_string());

    let (_, pending) = admin_json(&app, &["recipient", "rdc-2025-001002"]).await;
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["recipient"]["code"], "D0012005");
    assert_eq!(
        pending["recipient"]["pending"][0]["email"],
        "cnd@example.com"
    );

    let (_, invited) = admin_json(&app, &["recipient", "D0012004"]).await;
    assert_eq!(invited["state"], "invited");
    assert_eq!(invited["recipient"]["latest_report"], "RDC-2026-001036");

    let (status, text) = admin(&app, &["recipient", "D0012001"]).await;
    assert_eq!(status, Status::Done);
    assert!(
        text.contains("owned by owner@example.org since 2026-12-01"),
        "{text}"
    );
    assert!(
        text.contains("delegates:    assistant@example.org"),
        "{text}"
    );
    let (status, _) = admin(&app, &["recipient", "D9999999"]).await;
    assert_eq!(status, Status::NotFound);
}

#[tokio::test]
async fn account_shows_access_delegates_activity_and_audit_trail() {
    let (app, _) = portal().await;

    let (status, owner) = admin_json(&app, &["account", "Owner@Example.org"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(owner["account"]["email"], "owner@example.org");
    assert_eq!(owner["account"]["has_password"], true);
    assert_eq!(owner["account"]["live_sessions"], 1);
    assert_eq!(owner["access"][0]["code"], "D0012001");
    assert_eq!(owner["access"][0]["owned"], true);
    assert_eq!(owner["delegates"][0]["email"], "assistant@example.org");
    let events: Vec<&str> = owner["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "delegate_added",
            "signed_in",
            "password_set",
            "registration_confirmed"
        ]
    );

    let (_, delegate) = admin_json(&app, &["account", "assistant@example.org"]).await;
    assert_eq!(delegate["access"][0]["owned"], false);
    assert_eq!(delegate["granted_by"][0], "owner@example.org");

    let (status, _) = admin(&app, &["account", "nobody@example.org"]).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = admin(&app, &["account", "not an email"]).await;
    assert_eq!(status, Status::Refused);
}

#[tokio::test]
async fn a_resent_invitation_holds_a_new_code_and_the_old_one_dies() {
    let (app, _) = portal().await;
    let contact = "Secretariat.Imagerie@Example.NET";
    let first = app.emails_to(contact).await.remove(0);
    assert!(codes_accepted(&app, &first).await);

    let (status, done) = admin_json(&app, &["resend-invitation", "D0012004"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(done["invited"], contact);
    assert_eq!(done["emails"]["sent"], 1);
    let invitations = app.emails_to(contact).await;
    assert_eq!(invitations.len(), 2);
    let second = invitations.last().unwrap();
    assert!(
        !codes_accepted(&app, &first).await,
        "the old code still works"
    );
    assert!(codes_accepted(&app, second).await);
    assert_eq!(audit_rows(&app, "invitation_resent").await, 1);

    // An owned recipient has nothing to be invited to: nothing changes.
    let hash = "SELECT security_code_hash FROM recipients WHERE code = 'D0012001'";
    let before = app.text(hash).await;
    let (status, refused) = admin_json(&app, &["resend-invitation", "D0012001"]).await;
    assert_eq!(status, Status::Refused);
    assert_eq!(refused["error"], "has_owner");
    assert_eq!(app.text(hash).await, before);
    assert_eq!(app.emails_to(OWNED_CONTACT).await.len(), 1);
    let (status, _) = admin(&app, &["resend-invitation", "D0000000"]).await;
    assert_eq!(status, Status::NotFound);
}

#[tokio::test]
async fn a_rotated_code_kills_the_old_code_and_the_registrations_begun_with_it() {
    let (app, _) = portal().await;
    let first = app.emails_to(PENDING_CONTACT).await.remove(0);
    let confirmation = app.emails_to("cnd@example.com").await.pop().unwrap();
    let link = confirmation.link(&format!("{}/inscription/confirmer", app.base));

    let (status, done) = admin_json(&app, &["rotate-code", "D0012005"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(done["links_ended"], 1);
    assert_eq!(done["invited"], PENDING_CONTACT);
    assert!(
        !codes_accepted(&app, &first).await,
        "the old code still works"
    );
    let second = app.emails_to(PENDING_CONTACT).await.pop().unwrap();
    assert!(codes_accepted(&app, &second).await);

    // The confirmation link sent before the rotation no longer registers.
    let (browser, jar) = app.new_browser();
    browser.get(&link).send().await.unwrap();
    let confirm = app.url("/inscription/confirmer");
    post_with(&browser, &jar, &confirm, &[]).await;
    let (_, record) = admin_json(&app, &["recipient", "D0012005"]).await;
    assert_eq!(record["state"], "invited");
    let owners = "SELECT COUNT(*) FROM recipients WHERE owner_account_id IS NOT NULL";
    assert_eq!(app.count(owners).await, 1);

    // An owned recipient's code is replaced without any invitation.
    let hash = "SELECT security_code_hash FROM recipients WHERE code = 'D0012001'";
    let before = app.text(hash).await;
    let (status, done) = admin_json(&app, &["rotate-code", "D0012001"]).await;
    assert_eq!(status, Status::Done);
    assert!(done["invited"].is_null());
    assert_ne!(app.text(hash).await, before);
    assert_eq!(app.emails_to(OWNED_CONTACT).await.len(), 1);
    assert_eq!(audit_rows(&app, "security_code_rotated").await, 2);
}

#[tokio::test]
async fn revoking_an_account_ends_its_access_sessions_and_delegations_once() {
    let (app, delegate) = portal().await;
    let list = |client: reqwest::Client, app: &TestApp| {
        let url = app.url("/rapports");
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(
        list(delegate.clone(), &app)
            .await
            .contains("RDC-2025-001001")
    );

    let (status, done) = admin_json(&app, &["revoke", "owner@example.org"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(done["changed"], true);
    assert_eq!(done["revoked"]["released"][0], "D0012001");
    assert_eq!(done["revoked"]["delegations_ended"], 1);
    assert_eq!(done["revoked"]["sessions_ended"], 1);

    // The owner is signed out, the delegate sees nothing any more.
    let r = app.get("/rapports").await;
    assert_eq!(r.url().path(), "/connexion");
    assert!(
        !list(delegate.clone(), &app)
            .await
            .contains("RDC-2025-001001")
    );
    let (_, record) = admin_json(&app, &["recipient", "D0012001"]).await;
    assert_eq!(record["state"], "invited");

    // The codes the owner registered with no longer work.
    let invitation = app.emails_to(OWNED_CONTACT).await.remove(0);
    assert!(!codes_accepted(&app, &invitation).await);

    // Revoking again changes nothing and records nothing.
    let trail = app.count("SELECT COUNT(*) FROM audit").await;
    let (status, again) = admin_json(&app, &["revoke", "owner@example.org"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(again["changed"], false);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit").await, trail);
    let (_, owner) = admin_json(&app, &["account", "owner@example.org"]).await;
    assert_eq!(owner["audit"][0]["event"], "access_revoked");
    assert_eq!(owner["access"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn stuck_and_failed_emails_are_listed_then_sent_again_once() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let app = TestApp::spawn_with(|c| c.mail = format!("smtp://127.0.0.1:{port}")).await;
    app.import_ok("basic/manifest.csv").await;

    // The relay is down: every invitation waits after one attempt.
    app.app.mailer.deliver_due().await.unwrap();
    let (_, listed) = admin_json(&app, &["emails"]).await;
    let stuck = listed["emails"].as_array().unwrap();
    assert_eq!(stuck.len(), 10);
    assert!(
        stuck
            .iter()
            .all(|e| e["attempts"] == 1 && e["kind"] == "invite")
    );
    assert!(
        !listed.to_string().contains("security_code"),
        "content shown"
    );

    // The relay is back (without SMTPUTF8): retrying sends all but one,
    // which is given up.
    let messages = start_smtp_server(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    let (status, retried) = admin_json(&app, &["emails", "retry", "--all"]).await;
    assert_eq!(status, Status::Done);
    assert_eq!(retried["retried"].as_array().unwrap().len(), 10);
    assert_eq!(retried["emails"]["sent"], 9);
    assert_eq!(messages.lock().unwrap().len(), 9);
    let (_, listed) = admin_json(&app, &["emails"]).await;
    let failed = &listed["emails"][0];
    assert_eq!(listed["emails"].as_array().unwrap().len(), 1);
    assert_eq!(failed["to"], "Jean-Marc.Dupré@example.com");
    assert!(failed["failed_at"].is_string());
    let id = failed["id"].as_i64().unwrap().to_string();

    // Retrying it by id tries it once more; sent emails are left alone.
    let sent_id = "SELECT MIN(id) FROM outbox WHERE sent_at IS NOT NULL";
    let sent_id = app.count(sent_id).await.to_string();
    let (_, retried) = admin_json(&app, &["emails", "retry", &id, &sent_id]).await;
    assert_eq!(retried["retried"][0].as_i64().unwrap().to_string(), id);
    assert_eq!(retried["skipped"][0].as_i64().unwrap().to_string(), sent_id);
    assert_eq!(messages.lock().unwrap().len(), 9, "an email left twice");
    let attempts = format!("SELECT attempts FROM outbox WHERE id = {id}");
    assert_eq!(app.count(&attempts).await, 3);
    assert_eq!(audit_rows(&app, "emails_retried").await, 2);

    let (_, text) = admin(&app, &["emails"]).await;
    assert!(text.contains("given up"), "{text}");
    assert!(
        admin::parse(["emails", "retry"]).is_err(),
        "retry of nothing"
    );
}

#[tokio::test]
async fn api_keys_are_shown_once_stored_hashed_listed_and_revoked() {
    let app = TestApp::spawn().await;
    let (status, created) = admin_json(&app, &["api-key", "create", "erp-export"]).await;
    assert_eq!(status, Status::Done);
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("dpk_"));
    let stored = app.text("SELECT hash FROM api_keys").await;
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains(&key[4..]));

    let (status, taken) = admin_json(&app, &["api-key", "create", "erp-export"]).await;
    assert_eq!(
        (status, taken["error"].as_str()),
        (Status::Refused, Some("name_taken"))
    );
    let (status, _) = admin(&app, &["api-key", "create", "bad name"]).await;
    assert_eq!(status, Status::Refused);

    let (_, list) = admin(&app, &["api-key", "list"]).await;
    assert!(list.contains("erp-export  scope ingest") && list.contains("never used"));
    assert!(!list.contains(&key[4..]), "a key shown twice");

    let (status, _) = admin(&app, &["api-key", "revoke", "erp-export"]).await;
    assert_eq!(status, Status::Done);
    let (status, again) = admin_json(&app, &["api-key", "revoke", "erp-export"]).await;
    assert_eq!(
        (status, again["revoked"].as_bool()),
        (Status::Done, Some(false))
    );
    let (status, _) = admin(&app, &["api-key", "revoke", "other"]).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(audit_rows(&app, "api_key_created").await, 1);
    assert_eq!(audit_rows(&app, "api_key_revoked").await, 1);

    // A revoked name can be given to a new key.
    let (status, _) = admin(&app, &["api-key", "create", "erp-export"]).await;
    assert_eq!(status, Status::Done);
}

#[tokio::test]
async fn the_admin_command_prints_json_and_exits_with_its_status() {
    let (app, _) = portal().await;
    let config = &app.app.state.config;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dosiport"))
            .arg("admin")
            .args(args)
            .env("DOSIPORT_DATA_DIR", app.dir.path())
            .env("DOSIPORT_DATABASE_URL", &config.database_url)
            .env("DOSIPORT_STORAGE", &config.storage)
            .env("RUST_LOG", "warn")
            .current_dir(app.dir.path())
            .output()
            .unwrap()
    };
    let found = run(&["find", "owner@example.org", "--json"]);
    assert!(found.status.success());
    let found: Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(found["accounts"][0]["email"], "owner@example.org");

    let missing = run(&["recipient", "D0000000"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("No recipient"));
    let refused = run(&["--json", "resend-invitation", "D0012001"]);
    assert_eq!(refused.status.code(), Some(2));
    let refused: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(refused["error"], "has_owner");
}
