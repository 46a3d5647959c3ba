//! Crash safety (INV-5): `import` and `serve` killed (`kill -9`) at seeded
//! random points; after each restart no batch is half there, no email is
//! lost or sent twice, and the last runs finish the work.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{TestApp, generated_batch};

/// A small deterministic generator, so that a failing run can be replayed.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

struct Portal<'a> {
    app: &'a TestApp,
    data: PathBuf,
}

impl Portal<'_> {
    fn run(&self, args: &[&Path]) -> Child {
        let config = &self.app.app.state.config;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Command::new(env!("CARGO_BIN_EXE_dosiport"))
            .args(args)
            .env("DOSIPORT_DATA_DIR", &self.data)
            .env("DOSIPORT_DATABASE_URL", &config.database_url)
            .env("DOSIPORT_STORAGE", &config.storage)
            .env("DOSIPORT_MAIL", format!("dir:{}", self.outbox().display()))
            .env("DOSIPORT_MAIL_LEASE_SECONDS", "1")
            .env("DOSIPORT_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn outbox(&self) -> PathBuf {
        self.data.join("outbox")
    }

    fn emails_written(&self) -> i64 {
        std::fs::read_dir(self.outbox()).map_or(0, |d| {
            let count = d
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "eml")
                })
                .count();
            i64::try_from(count).unwrap()
        })
    }

    /// The invariants that hold whenever the processes are dead.
    async fn check(&self, batches: &[(usize, String)], when: &str) {
        for (size, sequence) in batches {
            let sql =
                format!("SELECT COUNT(*) FROM reports WHERE substr(number, 10, 3) = '{sequence}'");
            let n = self.app.count(&sql).await;
            assert!(
                n == 0 || n == i64::try_from(*size).unwrap(),
                "{when}: {n} of {size} reports {sequence}…"
            );
        }
        let invites = self
            .app
            .count("SELECT COUNT(*) FROM outbox WHERE kind = 'invite'")
            .await;
        let recipients = self.app.count("SELECT COUNT(*) FROM recipients").await;
        assert_eq!(invites, recipients, "{when}: one invitation per recipient");
        let sent = self
            .app
            .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await;
        let written = self.emails_written();
        assert!(
            written >= sent,
            "{when}: an email marked sent was not written"
        );
        assert!(
            written <= invites,
            "{when}: more emails written than queued"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_serve_killed_at_random_points_lose_and_double_nothing() {
    let app = TestApp::spawn().await;
    let data = tempfile::tempdir().unwrap();
    let portal = Portal {
        app: &app,
        data: data.path().to_path_buf(),
    };
    let batches: Vec<_> = (0..4)
        .map(|i| {
            let first = format!("{}", 300_001 + i * 1000);
            let code = format!("{}", 2_000_001 + i * 100);
            generated_batch(&[
                "--reports",
                "400",
                "--recipients",
                "60",
                "--first-number",
                &first,
                "--first-code",
                &code,
                "--seed",
                &(i + 1).to_string(),
            ])
        })
        .collect();
    let manifests: Vec<PathBuf> = batches
        .iter()
        .map(|b| b.path().join("batch/manifest.csv"))
        .collect();
    // Report numbers are RDC-YYYY-NNNNNN; each batch has its own NNN….
    let prefixes: Vec<(usize, String)> = (0..4).map(|i| (400, format!("{}", 300 + i))).collect();

    let mut seeded = Seeded(20_261_204);
    for round in 0..24 {
        let delay = Duration::from_millis(30 + seeded.next(1200));
        let manifest = &manifests[seeded.next(4) as usize];
        let serve = Path::new("serve");
        let import = Path::new("import");
        let mut child = if seeded.next(2) == 0 {
            portal.run(&[serve])
        } else {
            portal.run(&[import, manifest])
        };
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();
        portal
            .check(&prefixes, &format!("round {round} after {delay:?}"))
            .await;
    }

    for manifest in &manifests {
        assert!(
            portal
                .run(&[Path::new("import"), manifest])
                .wait()
                .unwrap()
                .success()
        );
    }
    let mut server = portal.run(&[Path::new("serve")]);
    let started = Instant::now();
    while app
        .count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .await
        > 0
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    portal.check(&prefixes, "at the end").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 1600);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .await,
        0
    );
    assert_eq!(
        portal.emails_written(),
        app.count("SELECT COUNT(*) FROM outbox").await,
        "each email written once"
    );
}
