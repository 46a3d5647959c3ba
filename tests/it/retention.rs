//! Retention (RPT-3, OPS-3): a reminder before reports leave, once per
//! account and batch, then the reports and their files are gone.

use chrono::Duration;

use crate::harness::TestApp;
use crate::journey::report_id;

const CONTACT: &str = "pcr.radiologie@example.org";
const PASSWORD: &str = "une phrase de passe solide";

async fn reminders(app: &TestApp, to: &str) -> Vec<crate::harness::Email> {
    let all = app.emails_to(to).await;
    all.into_iter()
        .filter(|e| e.subject.contains("retirés du portail"))
        .collect()
}

#[tokio::test]
async fn readers_are_reminded_once_then_reports_and_files_leave() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "owner@example.org", PASSWORD)
        .await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let (_, list) = app.get_text("/rapports").await;
    let id = report_id(&list, "RDC-2025-001001");
    let files_before = app.stored_files().await;

    // Published 2026-12-01, kept 24 months: nothing to do yet.
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!((run.reminders, run.reports_purged), (0, 0));

    // 30 days before: one reminder to the owner (the invitation is pending,
    // so the delegate has no account yet).
    app.clock.advance(Duration::days(731 - 30));
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!(run.reminders, 1);
    let sent = reminders(&app, "owner@example.org").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("1 décembre 2028"), "{}", sent[0].text);
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!(run.reminders, 0, "once per account and batch");

    // The day after the last day: the reports and their files are gone.
    app.clock.advance(Duration::days(31));
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!(run.reports_purged, 41);
    assert_eq!(run.files_deleted, files_before);
    assert_eq!(app.stored_files().await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 0);
    app.post(
        "/connexion",
        &[("email", "owner@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        app.get(&format!("/rapports/{id}/telecharger"))
            .await
            .status(),
        404
    );
    assert_eq!(reminders(&app, "owner@example.org").await.len(), 1);
}

#[tokio::test]
async fn a_file_shared_by_a_report_still_kept_stays() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.clock.advance(Duration::days(400));
    let kept_sha = app
        .text("SELECT file_sha256 FROM reports ORDER BY id LIMIT 1")
        .await;
    // A second batch reusing the first report's file under another number.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pdf")).unwrap();
    std::fs::copy(
        crate::harness::corpus("basic/pdf/RDC-2025-001001_D0012001.pdf"),
        dir.path().join("pdf/a.pdf"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("manifest.csv"),
        "report_number,recipient_code,recipient_name,recipient_email,period_start,period_end,kind,issued_on,file\n\
         RDC-2026-900001,D0012001,Centre hospitalier de Saint-Étienne-du-Rouvray,pcr.radiologie@example.org,2024-12-01,2024-12-31,rectificatif,2025-01-20,pdf/a.pdf\n",
    )
    .unwrap();
    app.import(&dir.path().join("manifest.csv")).await.unwrap();

    app.clock.advance(Duration::days(731 - 400 + 1));
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!(run.reports_purged, 41);
    assert!(
        app.app.state.files.exists(&kept_sha).await.unwrap(),
        "still used by the later report"
    );
    assert_eq!(app.stored_files().await, 1);
}

#[tokio::test]
async fn reminders_can_be_turned_off() {
    let app = TestApp::spawn_with(|c| c.reminder_days = 0).await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "owner@example.org", PASSWORD)
        .await;
    app.clock.advance(Duration::days(720));
    let run = app.app.retention().run_once().await.unwrap();
    assert_eq!(run.reminders, 0);
    assert!(reminders(&app, "owner@example.org").await.is_empty());
}

#[test]
fn the_purge_command_runs_on_demand() {
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dosiport"))
        .arg("purge")
        .env("DOSIPORT_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .current_dir(data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Reminders queued: 0; reports deleted: 0; files deleted: 0."),
        "{stdout}"
    );
}
