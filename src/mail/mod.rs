//! Emails: what each one says, how it is rendered, how it leaves (transports)
//! and the outbox sender that retries until it does.

pub mod render;
pub mod sender;
pub mod smtp;
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
    /// E-EXPIRING: reports will soon leave the portal.
    Expiring {
        /// How many reports leave.
        count: i64,
        /// The day they leave (`YYYY-MM-DD`).
        on: String,
    },
    /// E-PASSWORD-CHANGED: the account's password changed.
    PasswordChanged {},
    /// E-RESET: a link to choose a new password.
    ResetPassword {
        /// The link's token.
        token: String,
        /// Minutes the link stays valid.
        minutes: i64,
    },
    /// E-DELEGATE: an owner gave access to its reports.
    Delegate {
        /// The owner's login.
        owner_email: String,
        /// For an address without an account: the token of the link that
        /// creates it.
        token: Option<String>,
        /// Days the link stays valid.
        days: i64,
    },
    /// E-EMAIL-CHANGE, to the new address: the link that confirms it.
    EmailChangeConfirm {
        /// The link's token.
        token: String,
        /// The login being replaced.
        old_email: String,
        /// Hours the link stays valid.
        hours: i64,
    },
    /// E-EMAIL-CHANGE, to the old address: a change was asked, or done.
    EmailChangeNotice {
        /// The new address.
        new_email: String,
        /// Whether the change is done (else only asked).
        done: bool,
    },
    /// E-SECOND-FACTOR: the account's two-step sign-in changed.
    SecondFactor {
        /// What changed.
        change: crate::db::FactorChange,
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
    /// Whether the email's link carries a token (and so must never be logged).
    pub fn has_token(&self) -> bool {
        match self {
            Mail::ConfirmRegistration { .. }
            | Mail::ResetPassword { .. }
            | Mail::EmailChangeConfirm { .. } => true,
            Mail::NewReports {
                first_connection, ..
            } => first_connection.is_some(),
            Mail::Delegate { token, .. } => token.is_some(),
            _ => false,
        }
    }
}

impl Mail {
    /// A short name of the kind of email, for the outbox and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::Invite { .. } => "invite",
            Mail::ConfirmRegistration { .. } => "confirm_registration",
            Mail::NewReports { .. } => "new_reports",
            Mail::PasswordChanged { .. } => "password_changed",
            Mail::Expiring { .. } => "expiring",
            Mail::ResetPassword { .. } => "reset_password",
            Mail::Delegate { .. } => "delegate",
            Mail::EmailChangeConfirm { .. } => "email_change_confirm",
            Mail::EmailChangeNotice { .. } => "email_change_notice",
            Mail::SecondFactor { .. } => "second_factor",
        }
    }
}
