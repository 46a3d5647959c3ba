//! Retention (RPT-3, OPS-3): readers are reminded before reports leave, then
//! reports past their last day are deleted, rows first and files after.

use std::time::Duration;

use chrono::{Days, NaiveDate};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbError, Store};
use crate::storage::{FileStore, StorageError};

/// How often the server runs the retention work. It is idempotent, so
/// running it more often than daily only makes it timelier.
const PERIOD: Duration = Duration::from_secs(60 * 60);

/// Why the retention work stopped.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be deleted.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RetentionRun {
    /// Accounts reminded (one email per account and batch).
    pub reminders: usize,
    /// Reports deleted.
    pub reports_purged: usize,
    /// Files deleted.
    pub files_deleted: usize,
    /// Ended sessions, drafts, counters and old links deleted.
    pub rows_swept: u64,
}

/// Everything the retention work touches.
#[derive(Clone)]
pub struct Retention<'a> {
    /// Rows.
    pub store: &'a dyn Store,
    /// Files.
    pub files: &'a FileStore,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Settings.
    pub config: &'a Config,
}

impl Retention<'_> {
    /// Reminds, then purges, as of now.
    pub async fn run_once(&self) -> Result<RetentionRun, RetentionError> {
        let now = self.clock.now();
        let today = now.with_timezone(&self.config.timezone).date_naive();
        let mut run = RetentionRun::default();

        if self.config.reminder_days > 0 {
            let horizon = add_days(today, self.config.reminder_days);
            run.reminders = self
                .store
                .queue_expiry_reminders(today, horizon, now)
                .await?;
        }
        run.rows_swept = self.store.sweep(now).await?;
        let purged = self.store.purge_expired(today).await?;
        run.reports_purged = purged.reports;
        for sha in &purged.orphan_files {
            self.files.delete(sha).await?;
            run.files_deleted += 1;
        }
        if run.reminders + run.reports_purged > 0 {
            tracing::info!(?run, "retention work done");
        }
        Ok(run)
    }
}

fn add_days(day: NaiveDate, days: i64) -> NaiveDate {
    let days = u64::try_from(days).unwrap_or(0);
    day.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Runs the retention work at start and then every hour, for ever.
pub async fn run_forever(state: crate::web::AppState, wake: std::sync::Arc<tokio::sync::Notify>) {
    loop {
        let retention = Retention {
            store: state.store.as_ref(),
            files: &state.files,
            clock: state.clock.as_ref(),
            config: &state.config,
        };
        match retention.run_once().await {
            Ok(run) if run.reminders > 0 => wake.notify_one(),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "retention work failed"),
        }
        tokio::time::sleep(PERIOD).await;
    }
}
