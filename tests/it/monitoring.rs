//! Monitoring (OPS-4): health checks on the portal's address, Prometheus
//! metrics on the metrics address only, labelled by route template.

use chrono::Duration;
use serde_json::Value;

use crate::harness::TestApp;
use crate::journey::report_id;

const PASSWORD: &str = "une phrase de passe solide";

async fn scrape(app: &TestApp) -> String {
    let response = reqwest::get(format!("{}/metrics", app.metrics_base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.unwrap()
}

/// The value of one sample, by its name and labels as written.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}

/// Every line is a comment or a sample `name{labels} value`, and every
/// family sampled has its `# HELP` and `# TYPE`.
fn assert_text_format(text: &str) {
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|f| typed.contains(*f)))
            .unwrap_or(name);
        assert!(typed.contains(family), "{line} has no # TYPE");
        if let Some(labels) = series.strip_prefix(name) {
            assert!(labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')));
        }
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_emails_imports_downloads_and_throttling() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;

    // Ten invitations wait, queued 90 seconds ago.
    app.clock.advance(Duration::seconds(90));
    let text = scrape(&app).await;
    assert_text_format(&text);
    assert_eq!(sample(&text, "dosiport_outbox_pending_emails"), 10.0);
    assert_eq!(
        sample(&text, "dosiport_outbox_oldest_pending_age_seconds"),
        90.0
    );
    assert_eq!(sample(&text, "dosiport_reports"), 41.0);
    assert_eq!(sample(&text, "dosiport_database_up"), 1.0);
    assert_eq!(
        sample(&text, "dosiport_imports_total{outcome=\"published\"}"),
        1.0
    );
    assert_eq!(sample(&text, "dosiport_imported_reports_total"), 41.0);

    // An owner downloads a report; someone else guesses a password.
    app.register_owner("pcr.radiologie@example.org", "pcr@example.org", PASSWORD)
        .await;
    let (_, list) = app.get_text("/rapports").await;
    let id = report_id(&list, "RDC-2025-001001");
    let download = app.get(&format!("/rapports/{id}/telecharger")).await;
    assert_eq!(download.status(), 200);
    let (browser, jar) = app.new_browser();
    for _ in 0..11 {
        let fields = [("email", "pcr@example.org"), ("password", "pas le bon mot")];
        crate::harness::post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    }

    let text = scrape(&app).await;
    assert_text_format(&text);
    let downloads = "dosiport_http_requests_total{method=\"GET\",route=\"/rapports/{id}/telecharger\",status=\"200\"}";
    assert_eq!(sample(&text, downloads), 1.0);
    assert_eq!(sample(&text, "dosiport_downloads_total"), 1.0);
    let latency = "dosiport_http_request_duration_seconds_count{method=\"GET\",route=\"/rapports/{id}/telecharger\"}";
    assert_eq!(sample(&text, latency), 1.0);
    let all = "dosiport_http_request_duration_seconds_bucket{method=\"GET\",route=\"/rapports/{id}/telecharger\",le=\"+Inf\"}";
    assert_eq!(sample(&text, all), 1.0);
    assert!(
        !text.contains(&format!("/rapports/{id}/")),
        "a raw path in a label"
    );
    assert!(!text.contains("pcr@example.org"), "an email in a label");
    assert_eq!(
        sample(
            &text,
            "dosiport_throttled_attempts_total{limit=\"signin-account\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&text, "dosiport_emails_sent_total{kind=\"invite\"}"),
        10.0
    );
    assert_eq!(
        sample(
            &text,
            "dosiport_emails_sent_total{kind=\"confirm_registration\"}"
        ),
        1.0
    );
    assert_eq!(sample(&text, "dosiport_outbox_pending_emails"), 0.0);
    assert_eq!(
        sample(&text, "dosiport_outbox_oldest_pending_age_seconds"),
        0.0
    );

    // Made-up methods and unknown paths cannot add labels.
    let client = reqwest::Client::new();
    for n in 0..3 {
        let method = reqwest::Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        client
            .request(method, app.url(&format!("/nowhere/{n}")))
            .send()
            .await
            .unwrap();
    }
    let text = scrape(&app).await;
    let unmatched =
        "dosiport_http_requests_total{method=\"OTHER\",route=\"(unmatched)\",status=\"404\"}";
    assert_eq!(sample(&text, unmatched), 3.0);
    assert!(!text.contains("BREW") && !text.contains("/nowhere"));
}

#[tokio::test]
async fn metrics_are_not_served_on_the_portals_address() {
    let app = TestApp::spawn().await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 404);
    assert!(!response.text().await.unwrap().contains("dosiport_"));
}

#[tokio::test]
async fn health_checks_say_up_and_ready_then_what_does_not_answer() {
    let app = TestApp::spawn().await;
    for base in [&app.base, &app.metrics_base] {
        let health: Value = reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        let response = reqwest::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(response.status(), 200);
        let ready: Value = response.json().await.unwrap();
        assert_eq!(
            ready,
            serde_json::json!({"status": "ready", "database": "ok", "storage": "ok"})
        );
    }

    if app.app.state.config.storage.starts_with("s3://") {
        return;
    }
    // The storage folder is replaced by a file: it cannot hold reports.
    let folder = std::path::PathBuf::from(&app.app.state.config.storage);
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let ready: Value = response.json().await.unwrap();
    assert_eq!(ready["status"], "not_ready");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["storage"], "unreachable");
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200, "the process itself is up");
}

#[tokio::test]
async fn a_postgresql_database_that_goes_away_makes_the_portal_unready() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let url = app.app.state.config.database_url.clone();
    // A SQLite file cannot stop answering the process that holds it open:
    // this runs when the suite runs on PostgreSQL, as CI does.
    if !url.starts_with("postgres") {
        return;
    }
    let (server, name) = url.rsplit_once('/').unwrap();
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let ready: Value = response.json().await.unwrap();
    assert_eq!(ready["database"], "unreachable");
    assert_eq!(ready["storage"], "ok");
    let text = scrape(&app).await;
    assert_eq!(sample(&text, "dosiport_database_up"), 0.0);
}
