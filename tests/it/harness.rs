//! The test application: a fresh data folder and database per test, a server
//! on 127.0.0.1 with a random port, a clock the test moves.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use dosiport::app::App;
use dosiport::clock::ManualClock;
use dosiport::config::Config;
use dosiport::import::commit::{ImportError, Imported, import_manifest};
use dosiport::web;
use reqwest::cookie::CookieStore;
use reqwest::redirect::Policy;

/// The shared test corpus.
pub fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(relative)
}

/// One email read from the outbox folder.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Email {
    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with(prefix))
            .unwrap_or_else(|| panic!("no link {prefix} in {}", self.text))
            .to_owned()
    }

    /// The value following `label` on its line of the text part.
    pub fn value_after(&self, label: &str) -> String {
        let line = self
            .text
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} in {}", self.text));
        line.split(label).nth(1).unwrap().trim().to_owned()
    }
}

pub struct TestApp {
    pub base: String,
    /// The metrics address (`/metrics`, `/healthz`, `/readyz`).
    pub metrics_base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    _database: Option<TestDatabase>,
}

/// A PostgreSQL database made for one test (when `DOSIPORT_TEST_POSTGRES`
/// names a server) and dropped after it.
pub struct TestDatabase {
    server: String,
    name: String,
}

impl TestDatabase {
    async fn create(config: &mut Config) -> Option<Self> {
        let server = std::env::var("DOSIPORT_TEST_POSTGRES").ok()?;
        let name = format!(
            "dosiport_test_{}",
            dosiport::domain::secret::Token::generate().hash()[..16].to_owned()
        );
        let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        config.database_url = format!("{server}/{name}");
        Some(Self { server, name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
                    .await
                    .unwrap();
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::query(&sql).execute(&admin).await.unwrap();
                admin.close().await;
            });
        });
        let _ = dropped.join();
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A test application whose configuration `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config::with_data_dir(dir.path()).unwrap();
        config.listen = addr;
        config.public_url = format!("http://{addr}").parse().unwrap();
        config.lab_name = "ATLAS Dosimétrie".to_owned();
        let database = TestDatabase::create(&mut config).await;
        if let Ok(bucket) = std::env::var("DOSIPORT_TEST_S3_BUCKET") {
            // Each test gets its own prefix in the shared test bucket.
            let prefix = dir
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            config.storage = format!("s3://{bucket}/{prefix}");
        }
        adjust(&mut config);
        // The address the test's browser uses: the one links in emails name.
        let base = match config.public_url.host_str() {
            Some("localhost") => config.public_url.as_str().trim_end_matches('/').to_owned(),
            _ => format!("http://{addr}"),
        };

        let start = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let app = App::open(config, clock.clone()).await.unwrap();
        let service =
            web::router(app.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
        let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics_base = format!("http://{}", metrics.local_addr().unwrap());
        let service = web::metrics_router(app.state.clone());
        tokio::spawn(async move { axum::serve(metrics, service).await });

        let (client, jar) = browser();
        Self {
            base,
            metrics_base,
            app,
            clock,
            dir,
            client,
            jar,
            _database: database,
        }
    }

    /// A second browser, with its own cookies.
    pub fn new_browser(&self) -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
        browser()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn import(&self, manifest: &Path) -> Result<Imported, ImportError> {
        import_manifest(manifest, &self.app.import_target()).await
    }

    pub async fn import_ok(&self, relative: &str) -> Imported {
        self.import(&corpus(relative)).await.unwrap()
    }

    /// Sends what the outbox holds, then reads every email written so far.
    pub async fn emails(&self) -> Vec<Email> {
        self.app.mailer.deliver_due().await.unwrap();
        let folder = self.dir.path().join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "eml"))
            .map(|f| parse_email(&f))
            .collect()
    }

    /// Emails to an address (case-insensitive).
    pub async fn emails_to(&self, address: &str) -> Vec<Email> {
        let wanted = address.to_lowercase();
        self.emails()
            .await
            .into_iter()
            .filter(|e| e.to.to_lowercase() == wanted)
            .collect()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, complete(response.text().await.unwrap()))
    }

    /// Posts a form with this browser's anti-forgery token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        post_with(&self.client, &self.jar, &self.url(path), fields).await
    }

    pub async fn post_text(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.post(path, fields).await;
        let status = response.status().as_u16();
        (status, complete(response.text().await.unwrap()))
    }

    /// A connection to the test's database, whichever it is.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.app.state.config.database_url)
            .await
            .unwrap()
    }

    /// Runs a SQL count on the database.
    pub async fn count(&self, sql: &str) -> i64 {
        let pool = self.db().await;
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    /// Runs a SQL query giving one text.
    pub async fn text(&self, sql: &str) -> String {
        let pool = self.db().await;
        let value: String = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        value
    }

    /// Files held by the report storage. In a folder, every file there,
    /// copies not yet moved into place included.
    pub async fn stored_files(&self) -> usize {
        let storage = &self.app.state.config.storage;
        if storage.starts_with("s3://") {
            return self.app.state.files.keys().await.unwrap().len();
        }
        files_below(Path::new(storage))
    }

    /// Registers the recipient invited at `contact` with `email`, up to the
    /// confirmation email; returns its link.
    pub async fn register_until_confirmation(&self, contact: &str, email: &str) -> String {
        let invite = self
            .emails_to(contact)
            .await
            .into_iter()
            .next()
            .expect("invitation");
        let code = invite.value_after("Code de sécurité :");
        let number = invite.value_after("Numéro de rapport :");
        let r = self
            .post("/inscription", &[("code", &code), ("number", &number)])
            .await;
        assert!(
            r.url().path().starts_with("/inscription/email"),
            "codes refused"
        );
        let r = self.post("/inscription/email", &[("email", email)]).await;
        assert!(r.url().path().starts_with("/inscription/"), "email refused");
        if r.url().path() == "/inscription/compte-existant" {
            self.get("/inscription/certification").await;
        }
        let r = self
            .post("/inscription/certification", &[("certify", "oui")])
            .await;
        assert_eq!(r.url().path(), "/inscription/envoyee");
        let confirm = self
            .emails_to(email)
            .await
            .into_iter()
            .last()
            .expect("confirmation email");
        confirm.link(&format!("{}/inscription/confirmer", self.base))
    }

    /// Registers, confirms and sets a password: a signed-in owner.
    pub async fn register_owner(&self, contact: &str, email: &str, password: &str) {
        let link = self.register_until_confirmation(contact, email).await;
        self.get(&link).await;
        let (_, page) = self.post_text("/inscription/confirmer", &[]).await;
        assert!(page.contains("/premiere-connexion"), "{page}");
        let r = self
            .post(
                "/premiere-connexion",
                &[("password", password), ("confirmation", password)],
            )
            .await;
        assert_eq!(r.url().path(), "/rapports");
    }
}

fn browser() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::limited(5))
        .build()
        .unwrap();
    (client, jar)
}

/// The value of a cookie the browser holds for `url`.
pub fn cookie(jar: &reqwest::cookie::Jar, url: &str, name: &str) -> Option<String> {
    let header = jar.cookies(&url.parse().unwrap())?;
    header
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// A page, once checked to hold no message missing from the catalogues.
pub fn complete(page: String) -> String {
    assert!(
        !page.contains(dosiport::i18n::MISSING),
        "a message is missing from the catalogues: {page}"
    );
    page
}

/// Posts a form the way a browser does: after getting a page so that the
/// anti-forgery cookie exists, with its value in the form.
pub async fn post_with(
    client: &reqwest::Client,
    jar: &reqwest::cookie::Jar,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let origin: String = url.split('/').take(3).collect::<Vec<_>>().join("/");
    if cookie(jar, &origin, "dosiport_csrf").is_none() {
        client.get(&origin).send().await.unwrap();
    }
    let csrf = cookie(jar, &origin, "dosiport_csrf").unwrap();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    client.post(url).form(&form).send().await.unwrap()
}

pub fn parse_email(file: &Path) -> Email {
    let raw = std::fs::read(file).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let to = match message.to().and_then(|a| a.first()) {
        Some(addr) => addr.address().unwrap_or_default().to_owned(),
        None => String::new(),
    };
    Email {
        to,
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
    }
}

/// A batch written by the corpus generator into a new temporary folder.
pub fn generated_batch(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/make_corpus.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "make_corpus.py failed");
    dir
}

/// Number of files in `folder` and its subfolders.
fn files_below(folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .map(|entry| entry.unwrap().path())
        .map(|path| if path.is_dir() { files_below(&path) } else { 1 })
        .sum()
}
