//! The outbox sender: claims due emails with a lease, renders and sends them,
//! and schedules another attempt when the transport fails.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::render::{MailContext, render};
use super::transport::{OutgoingEmail, SMTP_CONNECTIONS, SendError, Sender, Transport};
use crate::clock::Clock;
use crate::db::{DbError, OutboxItem, Store};
use crate::metrics::Metrics;

/// Emails claimed at once.
const BATCH: i64 = 50;
/// Emails of a batch sent at once, each on its own connection of the
/// transport's pool: a relay answers each command of an email only after a
/// round trip, so one email at a time leaves the sender idle most of the
/// time.
const PARALLEL_SENDS: usize = SMTP_CONNECTIONS as usize;
/// An email the relay accepted, to be marked sent: its outbox id and kind.
type Accepted = (i64, &'static str);

/// Longest wait between two attempts of one email.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Pause between polls when nothing is due.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// What the sender needs.
#[derive(Clone)]
pub struct Mailer {
    /// Rows.
    pub store: Arc<dyn Store>,
    /// How emails leave.
    pub transport: Arc<Transport>,
    /// The `From` of every email.
    pub sender: Arc<Sender>,
    /// The lab's details and links.
    pub context: Arc<MailContext>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Woken when an email is queued.
    pub wake: Arc<Notify>,
    /// Seconds a claimed email is reserved for this sender; after a crash,
    /// another sender (or this one restarted) takes it once they are over.
    pub lease_secs: i64,
    /// Counts emails sent, deferred and given up.
    pub metrics: Metrics,
}

/// What one pass over the due emails did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Emails sent.
    pub sent: usize,
    /// Emails to try again later.
    pub deferred: usize,
}

impl Mailer {
    /// Sends every email due now, once each; returns what it did.
    pub async fn deliver_due(&self) -> Result<Pass, DbError> {
        let mut pass = Pass::default();
        loop {
            let now = self.clock.now();
            let lease = now + chrono::Duration::seconds(self.lease_secs);
            let items = self.store.claim_outbox(now, lease, BATCH).await?;
            if items.is_empty() {
                return Ok(pass);
            }

            // Emails the relay accepted are marked sent together, in one
            // write per group that finished meanwhile, while the next ones
            // go out. Until then a crash sends them again: as many as were
            // in flight, as before.
            let (accepted, marks) = unbounded_channel();
            let sending = async move {
                let outcomes: Vec<Result<bool, DbError>> = stream::iter(items)
                    .map(|item| self.deliver(item, &accepted))
                    .buffer_unordered(PARALLEL_SENDS)
                    .collect()
                    .await;
                outcomes
            };
            let (delivered, marked) = tokio::join!(sending, self.mark_sent(marks));
            marked?;
            for outcome in delivered {
                if outcome? {
                    pass.sent += 1;
                } else {
                    pass.deferred += 1;
                }
            }
        }
    }

    /// Runs forever: sends what is due, then waits for new emails or a poll.
    pub async fn run(self) {
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::error!(error = %e, "outbox pass failed");
            }
            let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
        }
    }

    /// Marks sent the emails `marks` brings, a group at a time, until the
    /// sending side is done.
    async fn mark_sent(&self, mut marks: UnboundedReceiver<Accepted>) -> Result<(), DbError> {
        let mut group = Vec::with_capacity(PARALLEL_SENDS);
        let mut ids = Vec::with_capacity(PARALLEL_SENDS);
        while marks.recv_many(&mut group, PARALLEL_SENDS).await > 0 {
            ids.clear();
            ids.extend(group.iter().map(|(id, _)| *id));
            self.store.outbox_sent(&ids, self.clock.now()).await?;
            for (id, kind) in group.drain(..) {
                self.metrics.email_sent(kind);
                tracing::info!(outbox_id = id, kind, "email sent");
            }
        }
        Ok(())
    }

    /// Sends one email; true when the relay accepted it, which `accepted`
    /// is then told.
    async fn deliver(
        &self,
        item: OutboxItem,
        accepted: &UnboundedSender<Accepted>,
    ) -> Result<bool, DbError> {
        let rendered = match render(&item.mail, item.lang, &self.context) {
            Ok(r) => r,
            Err(e) => {
                self.defer(&item, &format!("render: {e}")).await?;
                return Ok(false);
            }
        };
        let email = OutgoingEmail {
            id: item.id,
            created_at: item.created_at,
            to: item.to.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        };
        match self.transport.send(&self.sender, &email).await {
            Ok(()) => {
                // Only gone if marking failed, which the pass reports.
                let _ = accepted.send((item.id, item.mail.kind()));
                Ok(true)
            }
            Err(SendError::Transient(reason)) => {
                self.defer(&item, &reason).await?;
                Ok(false)
            }
            Err(SendError::Permanent(reason)) => {
                tracing::error!(outbox_id = item.id, kind = item.mail.kind(), %reason, "email refused for good");
                self.store
                    .outbox_failed(item.id, &reason, self.clock.now())
                    .await?;
                self.metrics.email_failed(item.mail.kind());
                Ok(false)
            }
        }
    }

    async fn defer(&self, item: &OutboxItem, reason: &str) -> Result<(), DbError> {
        let next = next_attempt(self.clock.now(), item.attempts);
        tracing::warn!(outbox_id = item.id, attempts = item.attempts + 1, %reason, "email deferred");
        self.metrics.email_deferred(item.mail.kind());
        self.store.outbox_retry(item.id, reason, next).await
    }
}

/// Exponential backoff: 30 s, 1 min, 2 min… up to an hour.
fn next_attempt(now: DateTime<Utc>, attempts: i64) -> DateTime<Utc> {
    let exponent = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    let delay = (30_i64 << exponent).min(MAX_BACKOFF_SECS);
    now + chrono::Duration::seconds(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_caps_at_an_hour() {
        let now = Utc::now();
        assert_eq!((next_attempt(now, 0) - now).num_seconds(), 30);
        assert_eq!((next_attempt(now, 2) - now).num_seconds(), 120);
        assert_eq!((next_attempt(now, 40) - now).num_seconds(), 3600);
    }
}
