//! Importing a checked batch: files first (content-addressed, so harmless if
//! the batch is then refused), then every row in one transaction.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use futures::StreamExt;
use futures::stream::FuturesOrdered;

use super::manifest::{BatchRow, FileEvent, Listeners, Problem, ProblemKind, read_batch_reporting};
use super::progress::{Progress, Silent, Stage};
use crate::db::{
    Conflict, DbError, ImportOutcome, ImportPlan, ImportSummary, NewCode, PlannedReport, Store,
};
use crate::domain::secret::SecurityCode;
use crate::import::pdf::PdfInfo;
use crate::metrics::{ImportResult, Metrics};
use crate::storage::{FileStore, Staging, StorageError, Stored};

/// Files copied into the storage at once. Each copy is a trip to a blocking
/// thread, so one at a time leaves the disk and the cores waiting on each
/// other.
const PARALLEL_PUTS: usize = 16;

/// Why a batch was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The batch is wrong: every problem, nothing imported.
    #[error("batch refused")]
    Refused(Vec<Problem>),
    /// The database failed; nothing imported.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be stored; nothing imported.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The checking task died.
    #[error("checking the batch failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// New reports were published.
    Published(ImportSummary),
    /// Every report was already there: nothing changed.
    NothingNew,
}

/// Where an import puts things and when it happens.
pub struct ImportTarget<'a> {
    /// Rows.
    pub store: &'a dyn Store,
    /// Files.
    pub files: &'a FileStore,
    /// Publication time.
    pub now: DateTime<Utc>,
    /// Time zone of the lab, for the publication date.
    pub timezone: chrono_tz::Tz,
    /// Months a report stays available.
    pub retention_months: u32,
    /// Days a first-connection link stays valid.
    pub first_connection_days: i64,
    /// Counts imports and the reports they publish.
    pub metrics: &'a Metrics,
}

/// Imports the batch described by a manifest, all or nothing.
pub async fn import_manifest(
    manifest: &Path,
    target: &ImportTarget<'_>,
) -> Result<Imported, ImportError> {
    let source = manifest.display().to_string();
    import_from(manifest, &source, target, &Silent).await
}

/// Imports a batch as [`import_manifest`] does, recording `source` as its
/// origin and telling `progress` how it goes.
pub async fn import_from(
    manifest: &Path,
    source: &str,
    target: &ImportTarget<'_>,
    progress: &dyn Progress,
) -> Result<Imported, ImportError> {
    let staging = target.files.staging();
    let result = import_checked(manifest, source, target, progress, staging.as_ref()).await;
    if let Some(staging) = staging {
        staging.discard_rest().await;
    }
    let (counted, reports) = match &result {
        Ok(Imported::Published(summary)) => (ImportResult::Published, summary.reports),
        Ok(Imported::NothingNew) => (ImportResult::NothingNew, 0),
        Err(ImportError::Refused(_)) => (ImportResult::Refused, 0),
        Err(_) => (ImportResult::Failed, 0),
    };
    target.metrics.import(counted, reports);
    result
}

async fn import_checked(
    manifest: &Path,
    source: &str,
    target: &ImportTarget<'_>,
    progress: &dyn Progress,
    staging: Option<&Arc<Staging>>,
) -> Result<Imported, ImportError> {
    let rows = read_batch_with(manifest, progress, staging).await?;

    let plan = plan(source, &rows, target);
    let check = target.store.check_batch(&plan).await?;
    if !check.conflicts.is_empty() {
        return Err(refused_conflicts(&check.conflicts, &rows));
    }
    let fresh: Vec<&BatchRow> = check.fresh.iter().map(|&i| &rows[i]).collect();
    progress.stage(Stage::Storing, fresh.len());
    // A window of copies in flight, kept in order so that progress and the
    // first refusal read as in the manifest.
    let mut waiting = fresh.into_iter();
    let mut stored = FuturesOrdered::new();
    let mut shared = Vec::new();
    let mut written = Vec::new();
    let mut failure = None;
    loop {
        while failure.is_none() && stored.len() < PARALLEL_PUTS {
            let Some(row) = waiting.next() else { break };
            stored.push_back(put(target.files, staging, row));
        }
        let Some((row, result)) = stored.next().await else {
            break;
        };
        match result {
            Ok(Stored::Written) => written.push(row),
            Ok(Stored::AlreadyThere) => shared.push(row),
            // The copies in flight finish first, so that all they wrote is
            // known.
            Err(e) => {
                failure.get_or_insert((row, e));
                continue;
            }
        }
        progress.advance(row.size);
    }
    if let Some((row, error)) = failure {
        // Copies held for the batch are removed with it; files an object
        // store took one by one are deleted. Another import that found one
        // of them there puts it back after its commit, as below.
        if staging.is_none() {
            for row in written {
                let _ = target.files.delete(&row.sha256).await;
            }
        }
        return Err(match error {
            StorageError::Changed(_) => {
                let problem = Problem::cell(row.row, row.line, "file", ProblemKind::FileChanged);
                ImportError::Refused(vec![problem])
            }
            e => e.into(),
        });
    }

    if let Some(staging) = staging {
        staging.promote_all().await?;
    }

    progress.stage(Stage::Committing, 0);
    let outcome = target.store.import_batch(&plan).await?;
    // A file shared with expired reports may have been purged between its
    // check and the commit: now that rows point to it, put it back.
    for row in shared {
        if !target.files.exists(&row.sha256).await? {
            target
                .files
                .put_file(&row.sha256, &row.file, row.size)
                .await?;
        }
    }
    match outcome {
        ImportOutcome::Imported(summary) => Ok(Imported::Published(summary)),
        ImportOutcome::NothingNew => Ok(Imported::NothingNew),
        ImportOutcome::Conflicts(conflicts) => Err(refused_conflicts(&conflicts, &rows)),
    }
}

/// Copies one row's file into the storage: into `staging` if there is one,
/// unless the check kept a copy already, or else into place.
async fn put<'a>(
    files: &FileStore,
    staging: Option<&Arc<Staging>>,
    row: &'a BatchRow,
) -> (&'a BatchRow, Result<Stored, StorageError>) {
    let stored = match staging {
        Some(staging) => staging.hold(&row.sha256, &row.file).await,
        None => files.put_file(&row.sha256, &row.file, row.size).await,
    };
    (row, stored)
}

/// Reads and checks the manifest and its files off the async threads,
/// leaving a copy of each file in `staging`.
async fn read_batch_with(
    manifest: &Path,
    progress: &dyn Progress,
    staging: Option<&Arc<Staging>>,
) -> Result<Vec<BatchRow>, ImportError> {
    let path = manifest.to_path_buf();
    let staging = staging.cloned();
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let reading = tokio::task::spawn_blocking(move || {
        let report = |event| {
            let _ = sender.send(event);
        };
        let keep = |info: &PdfInfo, bytes: &[u8]| {
            if let Some(staging) = &staging {
                staging.keep(&info.sha256, bytes);
            }
        };
        read_batch_reporting(
            &path,
            Listeners {
                report: &report,
                keep: &keep,
            },
        )
    });
    while let Some(event) = received.recv().await {
        match event {
            FileEvent::Total(files) => progress.stage(Stage::Checking, files),
            FileEvent::Checked(bytes) => progress.advance(bytes),
        }
    }
    reading.await?.map_err(ImportError::Refused)
}

fn refused_conflicts(conflicts: &[Conflict], rows: &[BatchRow]) -> ImportError {
    ImportError::Refused(conflicts.iter().map(|c| conflict(c, rows)).collect())
}

/// The problem of a report that exists with other content.
fn conflict(c: &Conflict, rows: &[BatchRow]) -> Problem {
    let line = rows
        .iter()
        .find(|r| r.row == c.row)
        .map_or(c.row + 1, |r| r.line);
    Problem::cell(
        c.row,
        line,
        "report_number",
        ProblemKind::NumberTaken(c.number.clone()),
    )
}

fn plan(source: &str, rows: &[BatchRow], target: &ImportTarget<'_>) -> ImportPlan {
    let mut codes: HashMap<&str, NewCode> = HashMap::new();
    let reports = rows
        .iter()
        .map(|row| {
            let new_code = codes
                .entry(row.recipient_code.as_str())
                .or_insert_with(|| {
                    let code = SecurityCode::generate();
                    NewCode {
                        hash: code.hash(),
                        display: code.display(),
                    }
                })
                .clone();
            PlannedReport {
                row: row.row,
                number: row.report_number.as_str().to_owned(),
                recipient_code: row.recipient_code.as_str().to_owned(),
                recipient_name: row.recipient_name.clone(),
                recipient_email: row.recipient_email.original().to_owned(),
                period_start: row.period_start,
                period_end: row.period_end,
                kind: row.kind.as_str(),
                issued_on: row.issued_on,
                sha256: row.sha256.clone(),
                size: row.size,
                file_name: row.file_name.clone(),
                new_code,
            }
        })
        .collect();
    ImportPlan {
        source: source.to_owned(),
        reports,
        now: target.now,
        available_until: available_until(target.now, target.timezone, target.retention_months),
        first_connection_expires_at: target.now + Duration::days(target.first_connection_days),
    }
}

/// Last day a report published at `now` stays available.
pub fn available_until(now: DateTime<Utc>, tz: chrono_tz::Tz, months: u32) -> NaiveDate {
    let today = now.with_timezone(&tz).date_naive();
    today
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}
