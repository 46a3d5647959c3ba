//! Import: a manifest cannot make the portal read or publish a file outside
//! its folder (`..`, absolute paths, links, devices, pipes), files that are
//! not PDFs are refused, and names holding markup or spreadsheet formulas
//! are stored as given and shown as plain text.

use std::os::unix::fs::symlink;
use std::path::Path;

use dosiport::import::{Problem, ProblemKind, read_batch};

use super::PASSWORD;
use crate::harness::{TestApp, corpus};

const HEADER: &str = "report_number,recipient_code,recipient_name,recipient_email,\
                      period_start,period_end,kind,issued_on,file\n";

/// A manifest line for report `n` whose file is `file`.
fn row(n: usize, file: &str) -> String {
    format!(
        "RDC-2026-0099{n:02},D00999{n:02},Destinataire {n},dest{n}@example.org,\
         2026-01-01,2026-01-31,periodique,2026-02-05,\"{}\"\n",
        file.replace('"', "\"\"")
    )
}

fn sample_pdf(n: usize) -> std::path::PathBuf {
    let names = [
        "RDC-2025-001001_D0012001.pdf",
        "RDC-2025-001002_D0012005.pdf",
        "RDC-2025-001003_D0012004.pdf",
    ];
    corpus(&format!("basic/pdf/{}", names[n % names.len()]))
}

/// Writes a batch whose rows name `files`, in a new folder; the folder.
fn batch(files: &[&str], prepare: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pdf")).unwrap();
    std::fs::copy(sample_pdf(0), dir.path().join("pdf/valid.pdf")).unwrap();
    prepare(dir.path());
    let mut manifest = HEADER.to_owned();
    for (n, file) in files.iter().enumerate() {
        manifest.push_str(&row(n + 1, file));
    }
    std::fs::write(dir.path().join("manifest.csv"), manifest).unwrap();
    dir
}

/// The rows refused for their `file`, and why.
fn refused_files(problems: &[Problem]) -> Vec<(usize, ProblemKind)> {
    problems
        .iter()
        .filter(|p| p.field == Some("file"))
        .map(|p| (p.row.unwrap(), p.kind.clone()))
        .collect()
}

#[tokio::test]
async fn no_path_in_a_manifest_reaches_a_file_outside_its_folder() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(sample_pdf(1), outside.path().join("secret.pdf")).unwrap();
    let secret = outside.path().join("secret.pdf");
    let files = [
        "pdf/valid.pdf",
        "pdf/link.pdf",
        "linked-folder/secret.pdf",
        "pdf/../linked-folder/secret.pdf",
        "loop.pdf",
        "zero.pdf",
        "pipe.pdf",
        "../outside/secret.pdf",
        secret.to_str().unwrap(),
        "pdf/../../secret.pdf",
        "pdf\\..\\..\\secret.pdf",
        "file:///etc/passwd",
        "pdf",
    ];
    let dir = batch(&files, |dir| {
        symlink(&secret, dir.join("pdf/link.pdf")).unwrap();
        symlink(outside.path(), dir.join("linked-folder")).unwrap();
        symlink(dir.join("loop.pdf"), dir.join("loop.pdf")).unwrap();
        symlink("/dev/zero", dir.join("zero.pdf")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe.pdf"))
            .status()
            .unwrap();
        assert!(made.success());
    });
    let manifest = dir.path().join("manifest.csv");

    // Checked in a thread: reading the pipe would never end.
    let checked = std::thread::spawn(move || read_batch(&manifest));
    let started = std::time::Instant::now();
    while !checked.is_finished() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the check hangs on a file"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let problems = checked.join().unwrap().unwrap_err();
    let refused = refused_files(&problems);
    let rows: Vec<usize> = refused.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, (2..=files.len()).collect::<Vec<_>>(), "{refused:?}");
    for (row, kind) in &refused[..3] {
        assert!(
            matches!(kind, ProblemKind::LeavesFolder(_)),
            "row {row}: {kind:?}"
        );
    }

    // The same import through the portal changes nothing.
    let app = TestApp::spawn().await;
    let result = app.import(&dir.path().join("manifest.csv")).await;
    assert!(result.is_err());
    assert_eq!(app.stored_files().await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 0);
}

#[tokio::test]
async fn a_link_that_stays_inside_the_folder_is_followed() {
    let dir = batch(&["pdf/valid.pdf", "pdf/alias.pdf"], |dir| {
        symlink(dir.join("pdf/other.pdf"), dir.join("pdf/alias.pdf")).unwrap();
        std::fs::copy(sample_pdf(2), dir.join("pdf/other.pdf")).unwrap();
    });
    let app = TestApp::spawn().await;
    app.import(&dir.path().join("manifest.csv")).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 2);
}

#[tokio::test]
async fn files_that_are_not_whole_pdfs_are_refused() {
    let contents: [(&str, Vec<u8>); 7] = [
        (
            "page.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
        ),
        (
            "header-only.pdf",
            b"%PDF-1.7\n<script>alert(1)</script>\n".to_vec(),
        ),
        (
            "no-objects.pdf",
            b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec(),
        ),
        (
            "archive.pdf",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00".repeat(20),
        ),
        ("program.pdf", std::fs::read("/bin/true").unwrap()),
        ("text.pdf", "Rapport de contrôle\n".repeat(100).into_bytes()),
        ("nul.pdf", vec![0; 4096]),
    ];
    let mut files: Vec<String> = vec!["pdf/valid.pdf".to_owned()];
    files.extend(contents.iter().map(|(name, _)| format!("pdf/{name}")));
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let dir = batch(&names, |dir| {
        for (name, bytes) in &contents {
            std::fs::write(dir.join("pdf").join(name), bytes).unwrap();
        }
    });
    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    let rows: Vec<usize> = refused_files(&problems).iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, (2..=files.len()).collect::<Vec<_>>(), "{problems:?}");
}

#[tokio::test]
async fn markup_and_formulas_in_names_are_shown_as_text_and_files_keep_safe_names() {
    let app = TestApp::spawn().await;
    app.import_ok("bad/formula-injection/manifest.csv").await;
    let dir = batch(&["pdf/=HYPERLINK(\"http:x\");\r\"a\".pdf"], |dir| {
        let name = dir.join("pdf/=HYPERLINK(\"http:x\");\r\"a\".pdf");
        std::fs::copy(sample_pdf(0), name).unwrap();
    });
    // A control character in a path is refused like in any cell.
    assert!(read_batch(&dir.path().join("manifest.csv")).is_err());
    let dir = batch(&["pdf/=HYPERLINK(\"http:x\");'a'.pdf"], |dir| {
        let name = dir.join("pdf/=HYPERLINK(\"http:x\");'a'.pdf");
        std::fs::copy(sample_pdf(0), name).unwrap();
    });
    app.import(&dir.path().join("manifest.csv")).await.unwrap();

    // The invitation with the scripted name, in its HTML part.
    let invite = app.emails_to("formule3@example.com").await.remove(0);
    assert!(invite.html.contains("alert(1)"), "the name is shown");
    assert!(
        !invite.html.to_lowercase().contains("<script"),
        "{}",
        invite.html
    );
    let formula = app.emails_to("formule1@example.com").await.remove(0);
    assert!(
        !formula
            .html
            .contains("href=\"http://example.com/hameconnage")
    );

    // The owner's list shows the names as text.
    for contact in ["formule1@example.com", "formule3@example.com"] {
        let owner = contact.replace("formule", "titulaire");
        app.register_owner(contact, &owner, PASSWORD).await;
        let (_, list) = app.get_text("/rapports").await;
        assert!(
            list.contains("alert(1)") || list.contains("HYPERLINK"),
            "{list}"
        );
        assert!(!list.to_lowercase().contains("<script>alert"), "{list}");
        assert!(!list.contains("href=\"http://example.com"), "{list}");
        app.post("/deconnexion", &[]).await;
    }
    app.register_owner("dest1@example.org", "dest@example.org", PASSWORD)
        .await;
    let (_, list) = app.get_text("/rapports").await;
    let id = crate::journey::report_id(&list, "RDC-2026-009901");
    let r = app.get(&format!("/rapports/{id}/telecharger")).await;
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let (plain, encoded) = disposition.split_once("; filename*=UTF-8''").unwrap();
    let plain = plain
        .strip_prefix("attachment; filename=\"")
        .and_then(|p| p.strip_suffix('"'))
        .unwrap();
    assert!(
        plain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "{disposition}"
    );
    assert!(!plain.starts_with('='), "{disposition}");
    assert!(
        encoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.%*".contains(c)),
        "{disposition}"
    );
}
