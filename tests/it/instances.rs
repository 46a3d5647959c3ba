//! Several `dosiport serve` on one database: every email leaves exactly
//! once, whichever instance sends it.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{TestApp, generated_batch};
use crate::mail::start_smtp_server;

fn serve(app: &TestApp, mail: &str, data: &std::path::Path) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_dosiport"))
        .arg("serve")
        .env("DOSIPORT_DATA_DIR", data)
        .env("DOSIPORT_DATABASE_URL", &app.app.state.config.database_url)
        .env("DOSIPORT_STORAGE", &app.app.state.config.storage)
        .env("DOSIPORT_MAIL", mail)
        .env("DOSIPORT_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_deliver_a_thousand_emails_exactly_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mail = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let received = start_smtp_server(listener);
    let batch = generated_batch(&["--reports", "1000", "--recipients", "1000"]);
    let app = TestApp::spawn_with(|c| c.mail = mail.clone()).await;
    app.import(&batch.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1000);

    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut servers = [serve(&app, &mail, a.path()), serve(&app, &mail, b.path())];
    let started = Instant::now();
    while received.lock().unwrap().len() < 1000 && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A little longer, so that a duplicate would have time to arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for server in &mut servers {
        server.kill().unwrap();
        server.wait().unwrap();
    }

    let messages = received.lock().unwrap().clone();
    let ids: HashSet<String> = messages
        .iter()
        .filter_map(|(_, data)| {
            data.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(messages.len(), 1000, "every email delivered once");
    assert_eq!(ids.len(), 1000, "no email delivered twice");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await,
        0
    );
}
