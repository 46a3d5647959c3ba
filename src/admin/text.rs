//! Pieces of the text output: times in the lab's time zone, optional
//! values, the audit trail.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::db::AuditEntry;

/// A time as the lab reads it: `2026-12-01 09:00`, in its time zone.
pub(super) fn time(app: &App, at: DateTime<Utc>) -> String {
    at.with_timezone(&app.state.config.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A list joined by commas, or a dash when empty.
pub(super) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

/// The audit trail, newest first, one entry a line.
pub(super) fn audit(app: &App, out: &mut String, entries: &[AuditEntry]) {
    let _ = writeln!(out, "Audit trail (newest first):");
    if entries.is_empty() {
        let _ = writeln!(out, "  -");
    }
    for entry in entries {
        let from = entry
            .client_addr
            .as_deref()
            .map(|addr| format!(" [{addr}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}  {}{from}",
            time(app, entry.at),
            entry.event,
            entry.detail
        );
    }
}
