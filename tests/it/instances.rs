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

#[tokio::test]
async fn sessions_throttling_and_forms_work_whichever_instance_answers() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(
        "pcr.radiologie@example.org",
        "pcr@example.org",
        "une phrase de passe solide",
    )
    .await;

    // A second instance on the same database and storage.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let mut config = (*app.app.state.config).clone();
    let second_dir = tempfile::tempdir().unwrap();
    config.data_dir = second_dir.path().to_path_buf();
    let second = dosiport::app::App::open(config, app.clock.clone())
        .await
        .unwrap();
    let service = dosiport::web::router(second.state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });

    // The session opened on the first answers on the second.
    let session = crate::harness::cookie(&app.jar, &app.base, "dosiport_session").unwrap();
    let csrf = crate::harness::cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    let cookies = format!("dosiport_session={session}; dosiport_csrf={csrf}");
    let client = reqwest::Client::new();
    let list = client
        .get(format!("{other}/rapports"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(list.url().path(), "/rapports");
    assert!(list.text().await.unwrap().contains("RDC-2025-001001"));

    // A form of the first posted to the second, and its sign-out ends the
    // session on both.
    let r = client
        .post(format!("{other}/deconnexion"))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/connexion");
    assert_eq!(app.get("/rapports").await.url().path(), "/connexion");

    // Failed sign-ins on both count together.
    for base in [&app.base, &other].iter().cycle().take(10) {
        let fields = [
            ("csrf", csrf.as_str()),
            ("email", "pcr@example.org"),
            ("password", "mauvais mot de passe"),
        ];
        client
            .post(format!("{base}/connexion"))
            .header("cookie", format!("dosiport_csrf={csrf}"))
            .form(&fields)
            .send()
            .await
            .unwrap();
    }
    let fields = [
        ("csrf", csrf.as_str()),
        ("email", "pcr@example.org"),
        ("password", "une phrase de passe solide"),
    ];
    let r = client
        .post(format!("{other}/connexion"))
        .header("cookie", format!("dosiport_csrf={csrf}"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "the eleventh attempt, on either instance, waits"
    );
}
