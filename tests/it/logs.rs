//! Logs: the real server with `DOSIPORT_LOG_FORMAT=json`, at the most
//! talkative level, through a whole journey (a batch sent to the API, a
//! registration, a download, a wrong password, a reset). Every line is
//! JSON, requests are named by their route template, domain events are
//! there, and no key, code, token, password or session id is.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::api::batch_form;
use crate::harness::{Email, TestApp, cookie, corpus, parse_email, post_with};
use crate::journey::report_id;

const FIRST_PASSWORD: &str = "une phrase de passe solide";
const WRONG_PASSWORD: &str = "un essai qui ne passe pas";
const NEW_PASSWORD: &str = "une autre phrase encore plus longue";

/// The real binary on the test's database, logging to `log`.
fn command(app: &TestApp, data: &Path, log: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dosiport"));
    command
        .env("DOSIPORT_DATA_DIR", data)
        .env("DOSIPORT_DATABASE_URL", &app.app.state.config.database_url)
        .env("DOSIPORT_STORAGE", &app.app.state.config.storage)
        .env("DOSIPORT_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .stderr(std::fs::File::create(log).unwrap());
    command
}

/// Waits for the server to answer, or for an email to arrive: the server
/// works on its own, so the test gives it time rather than a deadline to
/// meet.
async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The newest email to `to` whose text holds `needle`.
async fn email(outbox: &Path, to: &str, needle: &str) -> Email {
    eventually(needle, async || {
        let mut files: Vec<_> = std::fs::read_dir(outbox)
            .ok()?
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .rev()
            .map(|f| parse_email(f))
            .find(|e| e.to.eq_ignore_ascii_case(to) && e.text.contains(needle))
    })
    .await
}

fn token(link: &str) -> String {
    link.split("jeton=").nth(1).unwrap().to_owned()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_name_requests_and_events_and_hold_no_secret() {
    let app = TestApp::spawn().await;
    let data = tempfile::tempdir().unwrap();
    let (admin_log, server_log) = (data.path().join("admin.log"), data.path().join("serve.log"));

    let created = command(&app, data.path(), &admin_log)
        .args(["admin", "--json", "api-key", "create", "logs"])
        .output()
        .unwrap();
    assert!(created.status.success());
    let key: Value = serde_json::from_slice(&created.stdout).unwrap();
    let key = key["key"].as_str().unwrap().to_owned();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let server = command(&app, data.path(), &server_log)
        .arg("serve")
        .env("DOSIPORT_LISTEN", format!("127.0.0.1:{port}"))
        .env("DOSIPORT_PUBLIC_URL", &base)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(server);
    let outbox = data.path().join("outbox");
    let (client, jar) = app.new_browser();
    eventually("server", async || {
        let answer = client.get(format!("{base}/healthz")).send().await;
        answer.ok().filter(|r| r.status() == 200)
    })
    .await;

    // The lab's system sends a batch.
    let sent = client
        .post(format!("{base}/api/v1/batches"))
        .bearer_auth(&key)
        .multipart(batch_form(&corpus("basic/manifest.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);

    // A recipient registers, chooses a password and downloads a report.
    let invitation = email(&outbox, "pcr.radiologie@example.org", "/inscription").await;
    let code = invitation.value_after("Code de sécurité :");
    let number = invitation.value_after("Numéro de rapport :");
    let url = |path: &str| format!("{base}{path}");
    let fields = [("code", code.as_str()), ("number", number.as_str())];
    post_with(&client, &jar, &url("/inscription"), &fields).await;
    let fields = [("email", "pcr@example.org")];
    post_with(&client, &jar, &url("/inscription/email"), &fields).await;
    let fields = [("certify", "oui")];
    let r = post_with(&client, &jar, &url("/inscription/certification"), &fields).await;
    assert_eq!(r.url().path(), "/inscription/envoyee");
    let confirmation = email(&outbox, "pcr@example.org", "/inscription/confirmer").await;
    let confirm_link = confirmation.link(&url("/inscription/confirmer"));
    client.get(&confirm_link).send().await.unwrap();
    post_with(&client, &jar, &url("/inscription/confirmer"), &[]).await;
    let fields = [
        ("password", FIRST_PASSWORD),
        ("confirmation", FIRST_PASSWORD),
    ];
    let r = post_with(&client, &jar, &url("/premiere-connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    let list = r.text().await.unwrap();
    let id = report_id(&list, "RDC-2025-001001");
    let download = client
        .get(url(&format!("/rapports/{id}/telecharger")))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let first_session = cookie(&jar, &base, "dosiport_session").unwrap();
    let csrf = cookie(&jar, &base, "dosiport_csrf").unwrap();

    // Signed out, a wrong password, then a reset by email.
    post_with(&client, &jar, &url("/deconnexion"), &[]).await;
    let fields = [("email", "pcr@example.org"), ("password", WRONG_PASSWORD)];
    post_with(&client, &jar, &url("/connexion"), &fields).await;
    let fields = [("email", "pcr@example.org")];
    post_with(&client, &jar, &url("/mot-de-passe-oublie"), &fields).await;
    let reset = email(&outbox, "pcr@example.org", "/mot-de-passe-oublie/nouveau").await;
    let reset_link = reset.link(&url("/mot-de-passe-oublie/nouveau"));
    client.get(&reset_link).send().await.unwrap();
    let fields = [("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    let r = post_with(&client, &jar, &url("/mot-de-passe-oublie/nouveau"), &fields).await;
    assert_eq!(r.url().path(), "/rapports");
    let second_session = cookie(&jar, &base, "dosiport_session").unwrap();
    drop(server);

    let logs = std::fs::read_to_string(&server_log).unwrap()
        + &std::fs::read_to_string(&admin_log).unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["fields"].is_object())
    );

    let requests: Vec<&Value> = lines
        .iter()
        .map(|l| &l["fields"])
        .filter(|f| f["message"] == "request")
        .collect();
    let downloads: Vec<&&Value> = requests
        .iter()
        .filter(|f| f["route"] == "/rapports/{id}/telecharger")
        .collect();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0]["method"], "GET");
    assert_eq!(downloads[0]["status"], 200);
    assert!(downloads[0]["duration_ms"].is_u64());
    let raw = format!("/rapports/{id}/");
    assert!(
        requests
            .iter()
            .all(|f| !f["route"].as_str().unwrap().contains(&raw))
    );
    for event in [
        "API key created",
        "batch imported through the API",
        "email sent",
        "registration confirmed, account created",
        "report downloaded",
        "sign-in refused",
        "password reset",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l["fields"]["message"] == event && l["level"] == "INFO"),
            "no {event:?} event"
        );
    }

    let compact_code = code.replace('-', "");
    let (confirm_token, reset_token) = (token(&confirm_link), token(&reset_link));
    let secrets = [
        ("API key", key.as_str()),
        ("API key's token", &key[4..]),
        ("security code", code.as_str()),
        ("security code, ungrouped", compact_code.as_str()),
        ("confirmation token", confirm_token.as_str()),
        ("reset token", reset_token.as_str()),
        ("first password", FIRST_PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("new password", NEW_PASSWORD),
        ("session id", first_session.as_str()),
        ("later session id", second_session.as_str()),
        ("anti-forgery token", csrf.as_str()),
    ];
    for (what, secret) in secrets {
        assert!(secret.len() >= 12, "{what} too short to search");
        assert!(!logs.contains(secret), "the logs hold the {what}");
    }
}
