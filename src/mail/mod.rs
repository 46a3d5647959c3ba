//! Emails: what each one says, how it is rendered, how it leaves (transports)
//! and the outbox sender that retries until it does.

pub mod render;
pub mod sender;
pub mod transport;

use serde::{Deserialize, Serialize};

/// An email the portal sends, with what it needs to be rendered. Stored as
/// JSON in the outbox and rendered when sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    /// E-INVITE: the codes to register with.
    Invite {
        /// Recipient's name.
        recipient_name: String,
        /// The security code, grouped.
        security_code: String,
        /// One report number of the recipient.
        report_number: String,
    },
    /// E-CONFIRM: the link that finalises a registration.
    ConfirmRegistration {
        /// Recipient's name.
        recipient_name: String,
        /// The link's token.
        token: String,
        /// Hours the link stays valid.
        hours: i64,
    },
    /// E-NEW-REPORTS: reports were published for the account.
    NewReports {
        /// How many reports are new.
        count: i64,
        /// For an account without a password: the token of its
        /// first-connection link.
        #[serde(default)]
        first_connection: Option<String>,
    },
}

impl Mail {
    /// A short name of the kind of email, for the outbox and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::Invite { .. } => "invite",
            Mail::ConfirmRegistration { .. } => "confirm_registration",
            Mail::NewReports { .. } => "new_reports",
        }
    }
}
