//! Secrets in logs: the real `dosiport` binary, logging everything it can
//! (`RUST_LOG=trace`), is driven through every flow that handles a secret;
//! no token, security code, password, session id or anti-forgery token
//! appears in what it wrote.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use reqwest::cookie::Jar;

use super::{CONTACT, NEW_PASSWORD, OWNER, PASSWORD, tokens_in};
use crate::harness::{Email, cookie, corpus, parse_email, post_with};

/// A `dosiport` process, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `dosiport` with these arguments on the data folder, its standard
/// error appended to `log`.
fn dosiport(data: &Path, listen: &str, log: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dosiport"));
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    command
        .args(args)
        .env("DOSIPORT_DATA_DIR", data)
        .env_remove("DOSIPORT_DATABASE_URL")
        .env_remove("DOSIPORT_STORAGE")
        .env_remove("DOSIPORT_MAIL")
        .env("DOSIPORT_LISTEN", listen)
        .env("DOSIPORT_PUBLIC_URL", format!("http://{listen}"))
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(stderr);
    command
}

/// Every email of the outbox folder so far.
fn outbox(data: &Path) -> Vec<Email> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("outbox"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "eml"))
        .map(|f| parse_email(f))
        .collect()
}

/// The last link to `path` mailed to `to`, waiting for the sender.
async fn mailed_link(data: &Path, to: &str, path: &str) -> String {
    let started = Instant::now();
    loop {
        let found = outbox(data)
            .into_iter()
            .rev()
            .find(|e| e.to.eq_ignore_ascii_case(to) && e.text.contains(&format!("{path}?jeton=")));
        if let Some(email) = found {
            let start = email.text.find("http://").unwrap();
            let link = email.text[start..]
                .split_whitespace()
                .find(|w| w.contains(&format!("{path}?jeton=")))
                .unwrap();
            return link.to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no {path} link to {to}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts a form of the portal at `base` from a browser.
async fn post(
    base: &str,
    client: &Client,
    jar: &Jar,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_with(client, jar, &format!("{base}{path}"), fields).await
}

fn browser() -> (Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    (client, jar)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_logs_even_at_trace_level() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("dosiport.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let base = format!("http://{listen}");
    let manifest = corpus("basic/manifest.csv");
    let status = dosiport(
        data.path(),
        &listen,
        &log,
        &["import", manifest.to_str().unwrap()],
    )
    .status()
    .unwrap();
    assert!(status.success());
    let _server = Running(
        dosiport(data.path(), &listen, &log, &["serve"])
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url = |path: &str| format!("{base}{path}");

    // Registration with the invitation's codes, then the first password.
    let invite = outbox(data.path())
        .into_iter()
        .find(|e| e.to == CONTACT)
        .unwrap();
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    let (owner, owner_jar) = browser();
    post(
        &base,
        &owner,
        &owner_jar,
        "/inscription",
        &[("code", &code), ("number", &number)],
    )
    .await;
    let draft = cookie(&owner_jar, &base, "dosiport_registration").unwrap();
    post(
        &base,
        &owner,
        &owner_jar,
        "/inscription/email",
        &[("email", OWNER)],
    )
    .await;
    post(
        &base,
        &owner,
        &owner_jar,
        "/inscription/certification",
        &[("certify", "oui")],
    )
    .await;
    let link = mailed_link(data.path(), OWNER, "/inscription/confirmer").await;
    owner.get(&link).send().await.unwrap();
    post(&base, &owner, &owner_jar, "/inscription/confirmer", &[]).await;
    let password = &[("password", PASSWORD), ("confirmation", PASSWORD)];
    let r = post(&base, &owner, &owner_jar, "/premiere-connexion", password).await;
    assert_eq!(r.url().path(), "/rapports");

    // A wrong password, the right one remembered, a download.
    let wrong = "mot de passe essayé par erreur";
    post(
        &base,
        &owner,
        &owner_jar,
        "/connexion",
        &[("email", OWNER), ("password", wrong)],
    )
    .await;
    let right = &[
        ("email", OWNER),
        ("password", PASSWORD),
        ("remember", "oui"),
    ];
    post(&base, &owner, &owner_jar, "/connexion", right).await;
    let list = owner
        .get(url("/rapports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = crate::journey::report_id(&list, "RDC-2025-001001");
    let pdf = owner
        .get(url(&format!("/rapports/{id}/telecharger")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);

    // A delegate invited and accepting.
    post(
        &base,
        &owner,
        &owner_jar,
        "/compte/delegues",
        &[("email", "assistant@example.org")],
    )
    .await;
    let link = mailed_link(data.path(), "assistant@example.org", "/invitation").await;
    let (delegate, delegate_jar) = browser();
    delegate.get(&link).send().await.unwrap();
    let fields = &[("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)];
    post(&base, &delegate, &delegate_jar, "/invitation", fields).await;

    // A login change, confirmed.
    let change = &[
        ("email", "nouvelle@example.org"),
        ("confirmation", "nouvelle@example.org"),
        ("password", PASSWORD),
    ];
    post(&base, &owner, &owner_jar, "/compte/email", change).await;
    let link = mailed_link(
        data.path(),
        "nouvelle@example.org",
        "/compte/email/confirmer",
    )
    .await;
    owner.get(&link).send().await.unwrap();
    post(&base, &owner, &owner_jar, "/compte/email/confirmer", &[]).await;
    let session = cookie(&owner_jar, &base, "dosiport_session").unwrap();
    let csrf = cookie(&owner_jar, &base, "dosiport_csrf").unwrap();

    // A forgotten password, from a fresh browser.
    let (stranger, stranger_jar) = browser();
    let ask = &[("email", "nouvelle@example.org")];
    post(&base, &stranger, &stranger_jar, "/mot-de-passe-oublie", ask).await;
    let link = mailed_link(
        data.path(),
        "nouvelle@example.org",
        "/mot-de-passe-oublie/nouveau",
    )
    .await;
    stranger.get(&link).send().await.unwrap();
    let reset = "encore un autre mot de passe";
    let fields = &[("password", reset), ("confirmation", reset)];
    let r = post(
        &base,
        &stranger,
        &stranger_jar,
        "/mot-de-passe-oublie/nouveau",
        fields,
    )
    .await;
    assert_eq!(r.url().path(), "/rapports");
    let reset_session = cookie(&stranger_jar, &base, "dosiport_session").unwrap();

    // What was written, with every secret that passed through.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(
        written.contains("/inscription/confirmer"),
        "requests are logged"
    );
    assert!(
        written.contains("TRACE") || written.contains("DEBUG"),
        "all levels on"
    );
    let mut secrets: Vec<String> = outbox(data.path())
        .iter()
        .flat_map(|e| tokens_in(&e.text))
        .collect();
    assert_eq!(secrets.len(), 4, "{secrets:?}");
    for invite in outbox(data.path())
        .iter()
        .filter(|e| e.text.contains("Code de sécurité"))
    {
        let code = invite.value_after("Code de sécurité :");
        secrets.push(code.replace('-', ""));
        secrets.push(code);
    }
    secrets.extend(
        [
            PASSWORD,
            NEW_PASSWORD,
            wrong,
            reset,
            &draft,
            &session,
            &csrf,
            &reset_session,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    for secret in &secrets {
        assert!(!written.contains(secret.as_str()), "{secret} is in the log");
    }
}
