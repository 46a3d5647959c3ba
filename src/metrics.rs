//! Prometheus metrics of one portal process: requests by route template
//! and status, their latency, emails, imports, downloads and throttled
//! attempts as counters; the outbox and the reports as gauges read from the
//! database at each scrape. Labels only ever hold bounded values (route
//! templates, statuses, kinds of email, names of limits), never an id, an
//! address or a token.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::db::Store;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Why metrics could not be set up or written.
#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

/// The metrics of this process; clones share them.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    emails_sent: IntCounterVec,
    emails_deferred: IntCounterVec,
    emails_failed: IntCounterVec,
    imports: IntCounterVec,
    imported_reports: IntCounter,
    downloads: IntCounter,
    throttled: IntCounterVec,
    outbox_pending: IntGauge,
    outbox_oldest_age: IntGauge,
    outbox_failed: IntGauge,
    reports: IntGauge,
    database_up: IntGauge,
}

/// How an import ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportResult {
    /// New reports were published.
    Published,
    /// Every report was there already.
    NothingNew,
    /// The batch was refused for its content.
    Refused,
    /// The database or the storage failed.
    Failed,
}

impl ImportResult {
    fn label(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::NothingNew => "nothing_new",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

/// Registers a new metric with the registry.
fn register<M>(
    registry: &Registry,
    metric: Result<M, prometheus::Error>,
) -> Result<M, prometheus::Error>
where
    M: prometheus::core::Collector + Clone + 'static,
{
    let metric = metric?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

impl Metrics {
    /// A fresh set of metrics, all at zero.
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let counters = |name, help, labels| {
            register(&registry, IntCounterVec::new(Opts::new(name, help), labels))
        };
        let counter = |name, help| register(&registry, IntCounter::new(name, help));
        let gauge = |name, help| register(&registry, IntGauge::new(name, help));
        let latency = register(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "dosiport_http_request_duration_seconds",
                    "Time to answer HTTP requests, by method and route template.",
                ),
                &["method", "route"],
            ),
        )?;

        let inner = Inner {
            requests: counters(
                "dosiport_http_requests_total",
                "HTTP requests answered, by method, route template and status.",
                &["method", "route", "status"],
            )?,
            latency,
            emails_sent: counters(
                "dosiport_emails_sent_total",
                "Emails handed to the mail server, by kind.",
                &["kind"],
            )?,
            emails_deferred: counters(
                "dosiport_emails_deferred_total",
                "Attempts to send an email that failed and will be retried, by kind.",
                &["kind"],
            )?,
            emails_failed: counters(
                "dosiport_emails_failed_total",
                "Emails the mail server refused for good, by kind.",
                &["kind"],
            )?,
            imports: counters(
                "dosiport_imports_total",
                "Batches imported by this process, by outcome.",
                &["outcome"],
            )?,
            imported_reports: counter(
                "dosiport_imported_reports_total",
                "Reports published by imports of this process.",
            )?,
            downloads: counter("dosiport_downloads_total", "Reports downloaded whole.")?,
            throttled: counters(
                "dosiport_throttled_attempts_total",
                "Attempts refused because a limit was reached, by limit.",
                &["limit"],
            )?,
            outbox_pending: gauge(
                "dosiport_outbox_pending_emails",
                "Emails waiting in the outbox.",
            )?,
            outbox_oldest_age: gauge(
                "dosiport_outbox_oldest_pending_age_seconds",
                "Age of the oldest email waiting in the outbox (0 when none waits).",
            )?,
            outbox_failed: gauge(
                "dosiport_outbox_failed_emails",
                "Emails given up, until sent again with `dosiport admin emails retry`.",
            )?,
            reports: gauge("dosiport_reports", "Reports published and not purged.")?,
            database_up: gauge(
                "dosiport_database_up",
                "Whether the database answered the last scrape (1) or not (0).",
            )?,
            registry,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Counts one answered request under its route template.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        self.inner
            .requests
            .with_label_values(&[method, route, &status])
            .inc();
        self.inner
            .latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts an email handed to the mail server.
    pub fn email_sent(&self, kind: &str) {
        self.inner.emails_sent.with_label_values(&[kind]).inc();
    }

    /// Counts a failed attempt that will be retried.
    pub fn email_deferred(&self, kind: &str) {
        self.inner.emails_deferred.with_label_values(&[kind]).inc();
    }

    /// Counts an email refused for good.
    pub fn email_failed(&self, kind: &str) {
        self.inner.emails_failed.with_label_values(&[kind]).inc();
    }

    /// Counts an import and the reports it published.
    pub fn import(&self, result: ImportResult, reports: usize) {
        self.inner
            .imports
            .with_label_values(&[result.label()])
            .inc();
        self.inner
            .imported_reports
            .inc_by(u64::try_from(reports).unwrap_or(u64::MAX));
    }

    /// Counts a whole download.
    pub fn download(&self) {
        self.inner.downloads.inc();
    }

    /// Counts an attempt refused by a limit.
    pub fn throttled(&self, limit: &'static str) {
        self.inner.throttled.with_label_values(&[limit]).inc();
    }

    /// Reads the gauges from the database, then writes every metric in the
    /// text format. A database that does not answer leaves the gauges as
    /// they were and sets `dosiport_database_up` to 0.
    pub async fn render(
        &self,
        store: &dyn Store,
        now: DateTime<Utc>,
    ) -> Result<String, MetricsError> {
        match (store.outbox_stats().await, store.count_reports().await) {
            (Ok(outbox), Ok(reports)) => {
                let age = outbox
                    .oldest_pending
                    .map_or(0, |queued| (now - queued).num_seconds().max(0));
                self.inner.outbox_pending.set(outbox.pending);
                self.inner.outbox_oldest_age.set(age);
                self.inner.outbox_failed.set(outbox.failed);
                self.inner.reports.set(reports);
                self.inner.database_up.set(1);
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "metrics: database unreachable");
                self.inner.database_up.set(0);
            }
        }
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.inner.registry.gather(), &mut text)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}
