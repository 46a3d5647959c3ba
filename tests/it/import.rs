//! Importing batches (OPS-1): the good corpora land exactly, the broken ones
//! change nothing, re-imports are no-ops, owners are notified (NOT-1).

use std::path::{Path, PathBuf};
use std::process::Command;

use dosiport::domain::Lang;
use dosiport::import::commit::{ImportError, Imported, import_from};
use dosiport::import::progress::{Progress, Stage};
use serde_json::Value;

use crate::harness::{TestApp, corpus};

pub async fn assert_matches_expected(app: &TestApp, expected: &str) {
    let expected: Value =
        serde_json::from_slice(&std::fs::read(corpus(expected)).unwrap()).unwrap();
    let pool = app.db().await;
    for report in expected["reports"].as_array().unwrap() {
        let number = report["report_number"].as_str().unwrap();
        let row: (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            String,
        ) = sqlx::query_as(
            "SELECT rc.code, rc.name, rc.contact_email, r.period_start, r.period_end, r.kind,
                    r.issued_on, r.file_sha256, r.file_size, r.file_name
             FROM reports r JOIN recipients rc ON rc.id = r.recipient_id WHERE r.number = $1",
        )
        .bind(number)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{number}: {e}"));
        let field = |name: &str| report[name].as_str().unwrap().to_owned();
        assert_eq!(row.0, field("recipient_code"), "{number}");
        assert_eq!(row.1, field("recipient_name"), "{number}");
        assert_eq!(row.2, field("recipient_email"), "{number}");
        assert_eq!(row.3, field("period_start"), "{number}");
        assert_eq!(row.4, field("period_end"), "{number}");
        assert_eq!(row.5, field("kind"), "{number}");
        assert_eq!(row.6, field("issued_on"), "{number}");
        assert_eq!(row.7, field("sha256"), "{number}");
        assert_eq!(row.8, report["size"].as_i64().unwrap(), "{number}");
        assert_eq!(
            Some(row.9.as_str()),
            field("file").rsplit('/').next(),
            "{number}"
        );
        assert!(
            app.app.state.files.exists(&row.7).await.unwrap(),
            "{number} file stored"
        );
    }
    pool.close().await;
}

#[tokio::test]
async fn basic_batch_lands_exactly_with_one_invitation_per_recipient() {
    let app = TestApp::spawn().await;
    let Imported::Published(summary) = app.import_ok("basic/manifest.csv").await else {
        panic!("nothing imported");
    };
    assert_eq!((summary.reports, summary.recipients_created), (41, 10));
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 41);
    assert_eq!(app.count("SELECT COUNT(*) FROM recipients").await, 10);
    assert_eq!(app.stored_files().await, 41);
    assert_matches_expected(&app, "basic/expected.json").await;

    let emails = app.emails().await;
    assert_eq!(emails.len(), 10);
    assert!(emails.iter().all(|e| e.subject.contains("inscrivez-vous")));
    let secretariat = emails
        .iter()
        .find(|e| e.to == "Secretariat.Imagerie@Example.NET")
        .unwrap();
    assert!(
        secretariat
            .text
            .contains("Centre d'imagerie médicale des Hauts-de-Chênevières")
    );
    let hashes = "SELECT COUNT(*) FROM recipients WHERE length(security_code_hash) = 64";
    assert_eq!(app.count(hashes).await, 10, "codes stored hashed");
}

#[tokio::test]
async fn importing_the_same_batch_again_does_nothing() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let emails = app.emails().await.len();
    assert_eq!(
        app.import_ok("basic/manifest.csv").await,
        Imported::NothingNew
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 41);
    assert_eq!(app.count("SELECT COUNT(*) FROM batches").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 10);
    assert_eq!(app.emails().await.len(), emails);
}

#[tokio::test]
async fn excel_batches_keep_their_accents_in_both_encodings() {
    for (first, second) in [
        ("excel-fr/utf8-bom.csv", "excel-fr/manifest.csv"),
        ("excel-fr/manifest.csv", "excel-fr/utf8-bom.csv"),
    ] {
        let app = TestApp::spawn().await;
        app.import_ok("basic/manifest.csv").await;
        let Imported::Published(summary) = app.import_ok(first).await else {
            panic!("{first} imported nothing");
        };
        assert_eq!(summary.reports, 10, "{first}");
        assert_eq!(summary.recipients_created, 3, "{first}");
        assert_matches_expected(&app, "excel-fr/expected.json").await;
        assert_eq!(
            app.import_ok(second).await,
            Imported::NothingNew,
            "{second} after {first}"
        );
    }
}

#[tokio::test]
async fn formula_like_names_are_stored_verbatim() {
    let app = TestApp::spawn().await;
    app.import_ok("bad/formula-injection/manifest.csv").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 4);
    let scripted =
        "SELECT COUNT(*) FROM recipients WHERE name = '+33 Cabinet <script>alert(1)</script>'";
    assert_eq!(app.count(scripted).await, 1);
}

/// Every broken batch of the corpus: refused whole, naming row and field.
pub const BROKEN: [(&str, &[&str]); 18] = [
    ("png-renamed-pdf", &["rang 2", "file"]),
    ("truncated-pdf", &["rang 3", "file"]),
    ("empty-file", &["rang 1", "file"]),
    ("missing-file", &["rang 4", "file"]),
    ("path-traversal-relative", &["rang 2", "rang 3", "file"]),
    ("path-absolute", &["rang 1", "rang 3", "file"]),
    (
        "duplicate-report-number",
        &["rang 1", "rang 3", "report_number"],
    ),
    ("period-end-before-start", &["rang 2", "period_end"]),
    ("impossible-date", &["rang 2", "period_end"]),
    ("missing-column", &["kind"]),
    ("extra-column", &["commentaire"]),
    (
        "empty-required-cell",
        &["rang 2", "recipient_code", "rang 4", "issued_on"],
    ),
    (
        "invalid-email",
        &["rang 1", "rang 3", "rang 4", "recipient_email"],
    ),
    ("long-recipient-name", &["rang 2", "recipient_name"]),
    ("unbalanced-quote", &["4"]),
    ("nul-byte", &["rang 2", "recipient_name"]),
    ("manifest-is-pdf", &["CSV"]),
    ("conflict-with-basic", &["rang 1", "report_number"]),
];

pub async fn counts(app: &TestApp) -> [i64; 5] {
    let mut out = [0; 5];
    for (slot, table) in
        out.iter_mut()
            .zip(["reports", "recipients", "outbox", "batches", "tokens"])
    {
        *slot = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
    }
    out
}

#[tokio::test]
async fn every_broken_batch_is_refused_and_changes_nothing() {
    for (case, expected) in BROKEN {
        let app = TestApp::spawn().await;
        if case == "conflict-with-basic" {
            app.import_ok("basic/manifest.csv").await;
        }
        let before = counts(&app).await;
        let files_before = app.stored_files().await;
        let emails_before = app.emails().await.len();

        let result = app
            .import(&corpus(&format!("bad/{case}/manifest.csv")))
            .await;
        let Err(ImportError::Refused(problems)) = result else {
            panic!("{case}: not refused: {result:?}");
        };
        let lines: Vec<String> = problems.iter().map(|p| p.message(Lang::Fr)).collect();
        let all = lines.join("\n");
        for needle in expected {
            assert!(
                all.contains(needle),
                "{case}: {needle:?} missing in:\n{all}"
            );
        }
        assert!(all.len() < 4000, "{case}: message too long");
        assert!(!all.contains('\0'), "{case}: binary echoed");
        assert_eq!(counts(&app).await, before, "{case}: rows changed");
        assert_eq!(
            app.emails().await.len(),
            emails_before,
            "{case}: email sent"
        );
        assert_eq!(
            app.stored_files().await,
            files_before,
            "{case}: files stored"
        );
    }
}

#[tokio::test]
async fn the_conflicting_batch_imports_into_an_empty_portal() {
    let app = TestApp::spawn().await;
    app.import_ok("bad/conflict-with-basic/manifest.csv").await;
    assert!(app.count("SELECT COUNT(*) FROM reports").await > 0);
}

#[tokio::test]
async fn owners_get_one_email_per_batch_with_the_count_of_new_reports() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(
        "Secretariat.Imagerie@Example.NET",
        "imagerie@example.net",
        "une phrase de passe solide",
    )
    .await;
    let before = app.emails_to("imagerie@example.net").await.len();

    app.import_ok("excel-fr/utf8-bom.csv").await;
    let emails = app.emails_to("imagerie@example.net").await;
    assert_eq!(emails.len(), before + 1);
    let notice = emails.last().unwrap();
    assert!(
        notice.subject.starts_with("2 nouveaux rapports"),
        "{}",
        notice.subject
    );
    assert!(notice.text.contains(&format!("{}/rapports", app.base)));
    assert!(notice.html.contains("Télécharger mes rapports"));

    // Recipients without an owner get no notice, only their first invitation.
    assert_eq!(app.emails_to("Jean-Marc.Dupré@example.com").await.len(), 1);
    app.import_ok("excel-fr/manifest.csv").await;
    assert_eq!(
        app.emails_to("imagerie@example.net").await.len(),
        before + 1
    );
}

#[test]
fn the_command_exits_non_zero_with_one_line_per_bad_row() {
    let data = tempfile::tempdir().unwrap();
    let run = |manifest: &str| {
        Command::new(env!("CARGO_BIN_EXE_dosiport"))
            .arg("import")
            .arg(corpus(manifest))
            .env("DOSIPORT_DATA_DIR", data.path())
            .env("RUST_LOG", "warn")
            .current_dir(data.path())
            .output()
            .unwrap()
    };
    let refused = run("bad/invalid-email/manifest.csv");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("recipient_email"))
            .count(),
        3,
        "{stderr}"
    );

    let accepted = run("basic/manifest.csv");
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    assert!(String::from_utf8_lossy(&accepted.stdout).contains("Imported 41 reports"));
    assert_eq!(
        std::fs::read_dir(data.path().join("outbox"))
            .unwrap()
            .count(),
        10
    );

    let again = run("basic/manifest.csv");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("Nothing to import"));
}

#[test]
fn the_command_shows_progress_as_lines_in_a_pipe_and_as_a_bar_on_a_terminal() {
    let manifest = corpus("basic/manifest.csv");
    let data = tempfile::tempdir().unwrap();
    let piped = Command::new(env!("CARGO_BIN_EXE_dosiport"))
        .arg("import")
        .arg(&manifest)
        .env("DOSIPORT_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .current_dir(data.path())
        .output()
        .unwrap();
    assert!(piped.status.success());
    let stderr = String::from_utf8_lossy(&piped.stderr);
    for line in [
        "Checking 41 files…",
        "  checked 41/41 files, 325.12 KiB, ",
        "Storing 41 files…",
        "  stored 41/41 files, 325.12 KiB, ",
        "Committing…",
        "  committed in ",
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(line)),
            "{line:?} in\n{stderr}"
        );
    }
    let stdout = String::from_utf8_lossy(&piped.stdout);
    assert!(
        stdout.starts_with(
            "Imported 41 reports (0 already present), 10 new recipients invited, \
             0 accounts to notify, in "
        ),
        "{stdout}"
    );

    // Among JSON logs, progress is logged as events: every line stays JSON.
    let data = tempfile::tempdir().unwrap();
    let logged = Command::new(env!("CARGO_BIN_EXE_dosiport"))
        .arg("import")
        .arg(&manifest)
        .env("DOSIPORT_DATA_DIR", data.path())
        .env("DOSIPORT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .current_dir(data.path())
        .output()
        .unwrap();
    assert!(logged.status.success());
    let events: Vec<Value> = String::from_utf8_lossy(&logged.stderr)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let progress = events
        .iter()
        .filter(|e| e["fields"]["message"] == "import progress")
        .count();
    assert!(progress >= 3, "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| e["fields"]["message"] == "batch imported" && e["fields"]["reports"] == 41)
    );

    // script(1) runs the command on a pseudo-terminal: a bar is drawn
    // instead of the lines.
    let data = tempfile::tempdir().unwrap();
    let command = format!(
        "{} import {}",
        env!("CARGO_BIN_EXE_dosiport"),
        manifest.display()
    );
    let on_terminal = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("DOSIPORT_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .current_dir(data.path())
        .output()
        .unwrap();
    assert!(on_terminal.status.success());
    let shown = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(
        shown.contains("/41 files") && shown.contains("Checking "),
        "{shown}"
    );
    assert!(!shown.contains("Checking 41 files…"), "{shown}");
    assert!(shown.contains("Imported 41 reports"), "{shown}");
}

/// Rewrites a file of the batch as soon as its files start being stored.
struct RewriteWhenStoring(PathBuf);

impl Progress for RewriteWhenStoring {
    fn stage(&self, stage: Stage, _files: usize) {
        if stage == Stage::Storing {
            std::fs::write(&self.0, b"%PDF-1.4 not what was checked").unwrap();
        }
    }

    fn advance(&self, _bytes: u64) {}
}

/// The basic batch plus, as its last row, a report of more than 16 MiB:
/// too large for the check to keep its bytes, so it is copied only when
/// the files are stored. Returns the manifest and the large file.
fn basic_batch_with_a_large_report(folder: &Path) -> (PathBuf, PathBuf) {
    let source = corpus("basic");
    std::fs::create_dir_all(folder.join("pdf")).unwrap();
    for entry in std::fs::read_dir(source.join("pdf")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.join("pdf").join(path.file_name().unwrap())).unwrap();
    }

    let large = folder.join("pdf/RDC-2025-009999_D0012001.pdf");
    let mut pdf = lopdf::Document::load(source.join("pdf/RDC-2025-001001_D0012001.pdf")).unwrap();
    let filler = lopdf::Stream::new(lopdf::Dictionary::new(), vec![7u8; 17 << 20]);
    pdf.add_object(filler);
    pdf.save(&large).unwrap();

    let mut manifest = std::fs::read_to_string(source.join("manifest.csv")).unwrap();
    if !manifest.ends_with('\n') {
        manifest.push('\n');
    }
    manifest.push_str(
        "RDC-2025-009999,D0012001,Centre hospitalier de Saint-Étienne-du-Rouvray,\
         pcr.radiologie@example.org,2024-12-01,2024-12-31,periodique,2025-01-08,\
         pdf/RDC-2025-009999_D0012001.pdf\n",
    );
    std::fs::write(folder.join("manifest.csv"), manifest).unwrap();
    (folder.join("manifest.csv"), large)
}

#[tokio::test]
async fn a_file_changed_before_it_is_stored_refuses_the_batch_and_stores_no_file() {
    let app = TestApp::spawn().await;
    let batch = tempfile::tempdir().unwrap();
    let (manifest, large) = basic_batch_with_a_large_report(batch.path());
    let target = app.app.import_target();

    let result = import_from(&manifest, "test", &target, &RewriteWhenStoring(large)).await;

    let Err(ImportError::Refused(problems)) = result else {
        panic!("not refused: {result:?}");
    };
    let message = problems[0].message(Lang::Fr);
    assert!(message.contains("changé"), "{message}");
    assert_eq!(counts(&app).await, [0, 0, 0, 0, 0]);
    assert_eq!(app.stored_files().await, 0, "no file of the batch is left");
}

#[tokio::test]
async fn a_batch_with_a_large_report_stores_every_file() {
    let app = TestApp::spawn().await;
    let batch = tempfile::tempdir().unwrap();
    let (manifest, _) = basic_batch_with_a_large_report(batch.path());

    app.import(&manifest).await.unwrap();

    let reports = app.count("SELECT COUNT(*) FROM reports").await;
    let files = app
        .count("SELECT COUNT(DISTINCT file_sha256) FROM reports")
        .await;
    assert_eq!(reports, 42);
    assert_eq!(app.stored_files().await, usize::try_from(files).unwrap());
}
