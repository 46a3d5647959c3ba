//! Crash safety (INV-5): `kill -9` of an import at any point leaves the
//! batch whole or absent, and the next run finishes the work.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::generated_batch;

fn count(db: &std::path::Path, sql: &str) -> i64 {
    if !db.exists() {
        return 0;
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])")
        .arg(db)
        .arg(sql)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[test]
fn an_import_killed_at_any_point_is_whole_or_absent_and_the_next_run_finishes() {
    let batch = generated_batch(&["--reports", "2000", "--recipients", "300"]);
    let manifest = batch.path().join("batch/manifest.csv");
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("dosiport.db");
    let import = || {
        Command::new(env!("CARGO_BIN_EXE_dosiport"))
            .arg("import")
            .arg(&manifest)
            .env("DOSIPORT_DATA_DIR", data.path())
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };

    let mut outcomes = Vec::new();
    for delay_ms in [30, 120, 250, 400, 600, 900, 1300] {
        let mut child = import();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let reports = count(&db, "SELECT COUNT(*) FROM reports");
        assert!(
            reports == 0 || reports == 2000,
            "half a batch after {delay_ms} ms: {reports}"
        );
        let invites = count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'invite'");
        assert_eq!(
            invites,
            if reports == 0 { 0 } else { 300 },
            "after {delay_ms} ms"
        );
        outcomes.push(reports);
    }

    let status = import().wait().unwrap();
    assert!(status.success());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reports"), 2000);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'invite'"),
        300,
        "one invitation per recipient"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM batches"), 1);
    let stored = walk(&data.path().join("reports"));
    assert!(stored >= 2000, "every report's file is stored ({stored})");
    // An email being sent when the process died waits for its lease to end
    // (another instance may be sending it); none is ever written twice.
    let files = std::fs::read_dir(data.path().join("outbox"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(files <= 300, "an invitation written twice: {outcomes:?}");
    let unsent = count(&db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    assert!(
        files + usize::try_from(unsent).unwrap() >= 300,
        "an invitation lost"
    );
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| {
                    if p.is_dir() {
                        walk(&p)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == "pdf"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
