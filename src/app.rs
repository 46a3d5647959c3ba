//! Assembles the portal from its configuration: database, files, mail, web
//! state, background jobs.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::auth::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::import::commit::ImportTarget;
use crate::mail::render::MailContext;
use crate::mail::sender::Mailer;
use crate::mail::transport::{Sender, Transport};
use crate::metrics::Metrics;
use crate::storage::FileStore;
use crate::web::{self, AppState};

/// The running parts of the portal.
#[derive(Clone)]
pub struct App {
    /// What handlers use.
    pub state: AppState,
    /// The outbox sender.
    pub mailer: Mailer,
}

impl App {
    /// Opens everything the configuration names.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
        let store = db::open(&config.database_url)
            .await
            .with_context(|| format!("opening the database {}", config.database_url))?;
        let files = FileStore::open(&config.storage).context("opening the report storage")?;
        let transport =
            Transport::from_setting(&config.mail).context("reading the mail setting")?;
        let mail_wake = Arc::new(Notify::new());
        let metrics = Metrics::new()?;

        let mailer = Mailer {
            store: store.clone(),
            transport: Arc::new(transport),
            sender: Arc::new(Sender {
                from: config.mail_from.clone(),
            }),
            context: Arc::new(MailContext::from_config(&config)),
            clock: clock.clone(),
            wake: mail_wake.clone(),
            lease_secs: config.mail_lease_seconds,
            metrics: metrics.clone(),
        };
        let passkeys = crate::web::passkey_verifier(&config).map(Arc::new);
        let state = AppState {
            config: Arc::new(config),
            store,
            files,
            clock,
            hasher: PasswordHasher::new(crate::auth::hashing_slots(cores()))?,
            mail_wake,
            metrics,
            passkeys,
        };
        Ok(Self { state, mailer })
    }

    /// Where an import run now goes.
    pub fn import_target(&self) -> ImportTarget<'_> {
        import_target(&self.state)
    }

    /// The retention work, as of the application's clock.
    pub fn retention(&self) -> crate::jobs::retention::Retention<'_> {
        crate::jobs::retention::Retention {
            store: self.state.store.as_ref(),
            files: &self.state.files,
            clock: self.state.clock.as_ref(),
            config: &self.state.config,
        }
    }

    /// Serves the portal on a bound listener, with the outbox sender running
    /// beside it, until the future is dropped or the process is stopped.
    /// The metrics address, if set, is served too.
    pub async fn serve(self, listener: TcpListener) -> anyhow::Result<()> {
        if let Some(address) = self.state.config.metrics_listen {
            let metrics = TcpListener::bind(address)
                .await
                .with_context(|| format!("listening for metrics on {address}"))?;
            let service = web::metrics_router(self.state.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(metrics, service).await {
                    tracing::error!(error = %e, "metrics address stopped");
                }
            });
        }
        let uploads = self.state.config.data_dir.join("uploads");
        tokio::task::spawn_blocking(move || crate::api::remove_stale_uploads(&uploads));
        tokio::spawn(self.mailer.clone().run());
        let wake = self.state.mail_wake.clone();
        tokio::spawn(crate::jobs::retention::run_forever(
            self.state.clone(),
            wake,
        ));
        let service = web::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving HTTP")
    }
}

/// Where an import run now goes, with what handlers use.
pub fn import_target(state: &AppState) -> ImportTarget<'_> {
    ImportTarget {
        store: state.store.as_ref(),
        files: &state.files,
        now: state.clock.now(),
        timezone: state.config.timezone,
        retention_months: state.config.retention_months,
        first_connection_days: state.config.first_connection_days,
        metrics: &state.metrics,
    }
}

/// The cores this process may use.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Ctrl-C or SIGTERM (what systemd sends): requests under way finish, new
/// ones are refused. Queued emails stay in the outbox for the next start.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
