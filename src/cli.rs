//! The command line: `dosiport serve`, `import`, `purge` and the support
//! commands under `admin`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::demo;
use crate::domain::Lang;
use crate::import::commit::{ImportError, Imported, import_from};
use crate::import::progress::{Bar, Events, Lines, Progress};

/// The dosimetry reports portal.
#[derive(Debug, Parser)]
#[command(name = "dosiport", version, about)]
struct Cli {
    /// Configuration file (default: ./dosiport.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the portal and its background jobs.
    Serve {
        /// Loads a small demo batch first if the database holds no report.
        #[arg(long)]
        demo: bool,
    },
    /// Reminds readers of reports about to leave, then deletes the reports
    /// past their last day (the server also does it every hour).
    Purge,
    /// Imports a batch of reports described by a manifest (CSV).
    Import {
        /// The manifest; PDF paths in it are relative to its folder.
        manifest: PathBuf,
    },
    /// Support commands: find people, see where they stand, re-send
    /// invitations, rotate codes, revoke access, retry emails, API keys.
    Admin(crate::admin::AdminArgs),
}

/// Runs the command line; the exit code says whether it worked.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dosiport: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    crate::telemetry::init();
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Import { manifest } => import(config, &manifest).await,
        Command::Purge => purge(config).await,
        Command::Admin(args) => admin(config, args).await,
    }
}

async fn admin(config: Config, args: crate::admin::AdminArgs) -> anyhow::Result<ExitCode> {
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let status = crate::admin::run(&app, args, &mut std::io::stdout().lock()).await?;
    Ok(ExitCode::from(status.code()))
}

async fn serve(config: Config, with_demo: bool) -> anyhow::Result<ExitCode> {
    let listen = config.listen;
    let app = App::open(config, Arc::new(SystemClock)).await?;
    if with_demo {
        demo::load(&app).await?;
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    println!(
        "dosiport listens on {listen}; its public address is {}",
        app.state.config.link("/")
    );
    app.serve(listener).await?;
    Ok(ExitCode::SUCCESS)
}

async fn purge(config: Config) -> anyhow::Result<ExitCode> {
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let run = app.retention().run_once().await?;
    println!(
        "Reminders queued: {}; reports deleted: {}; files deleted: {}.",
        run.reminders, run.reports_purged, run.files_deleted
    );
    let pass = app.mailer.deliver_due().await?;
    println!(
        "Emails sent: {}; to retry by the server: {}.",
        pass.sent, pass.deferred
    );
    Ok(ExitCode::SUCCESS)
}

async fn import(config: Config, manifest: &std::path::Path) -> anyhow::Result<ExitCode> {
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let started = std::time::Instant::now();
    // A bar on a terminal; plain lines in a pipe; events among JSON logs.
    let progress: Box<dyn Progress> = if std::io::stderr().is_terminal() {
        Box::new(Bar::on_stderr())
    } else if crate::telemetry::json_requested() {
        Box::new(Events::default())
    } else {
        Box::new(Lines::new(std::io::stderr()))
    };
    let source = manifest.display().to_string();
    let result = import_from(manifest, &source, &app.import_target(), progress.as_ref()).await;
    progress.finish();
    match result {
        Ok(Imported::Published(summary)) => {
            tracing::info!(
                batch_id = summary.batch_id,
                reports = summary.reports,
                recipients_invited = summary.recipients_created,
                accounts_to_notify = summary.accounts_notified,
                "batch imported"
            );
            println!(
                "Imported {} reports ({} already present), {} new recipients invited, {} accounts \
                 to notify, in {:.1} s.",
                summary.reports,
                summary.unchanged,
                summary.recipients_created,
                summary.accounts_notified,
                started.elapsed().as_secs_f64()
            );
        }
        Ok(Imported::NothingNew) => {
            println!("Nothing to import: every report of this batch is already published.");
        }
        Err(ImportError::Refused(lines)) => {
            eprintln!(
                "Batch refused, nothing was imported ({} problem(s)):",
                lines.len()
            );
            for problem in lines {
                eprintln!("  {}", problem.message(Lang::Fr));
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    }

    let pass = app.mailer.deliver_due().await?;
    println!(
        "Emails sent: {}; to retry by the server: {}.",
        pass.sent, pass.deferred
    );
    Ok(ExitCode::SUCCESS)
}
