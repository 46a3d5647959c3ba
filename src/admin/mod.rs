//! `dosiport admin …`: the lab's support commands. Each prints a few lines
//! for people, or one JSON document with `--json` for scripts; the exit
//! status says whether it was done (0), refused (2) or found nothing (3).
//! Every command that changes something writes to the audit trail, and
//! running it twice is harmless where that can be.

mod actions;
mod keys;
mod lookup;
mod text;

use std::io::Write;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::app::App;

/// Unsent emails older than this, in minutes, count as stuck.
const STUCK_MINUTES: i64 = 15;

/// The support commands and their output format.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// Prints one JSON document instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Finds accounts and recipients by part of an email or a name, a
    /// recipient code or a report number.
    Find {
        /// What to look for.
        term: String,
    },
    /// Shows a recipient: where its registration stands (invited, pending,
    /// owned), its owner and delegates, its invitations and audit trail.
    Recipient {
        /// Its code, or the number of one of its reports.
        recipient: String,
    },
    /// Shows an account: its access, delegates, activity and audit trail.
    Account {
        /// Its login email.
        email: String,
    },
    /// Emails a recipient without owner a new invitation. It holds a new
    /// security code (only hashes are kept): the previous one dies.
    ResendInvitation {
        /// Its code, or the number of one of its reports.
        recipient: String,
    },
    /// Replaces a recipient's security code: the old one, and the
    /// registrations begun with it, die at once. A recipient without owner
    /// is emailed an invitation with the new code.
    RotateCode {
        /// Its code, or the number of one of its reports.
        recipient: String,
    },
    /// Ends an account's access: the recipients it owns lose their owner
    /// and get a new security code, delegations to and from it end, its
    /// sessions and links die.
    Revoke {
        /// Its login email.
        email: String,
    },
    /// Turns two-step sign-in off for an account that lost every factor
    /// and recovery code, once the person's identity is checked: its app,
    /// passkeys and recovery codes are removed, its sessions end and it is
    /// told by email. Its password signs in alone again.
    SecondFactorOff {
        /// Its login email.
        email: String,
    },
    /// Lists the emails given up or stuck in the outbox.
    Emails {
        /// Unsent emails queued longer ago than this count as stuck.
        #[arg(long, default_value_t = STUCK_MINUTES)]
        stuck_minutes: i64,
        #[command(subcommand)]
        action: Option<EmailsAction>,
    },
    /// Keys of the lab's systems for the ingest API.
    ApiKey {
        #[command(subcommand)]
        action: KeyAction,
    },
}

#[derive(Debug, Subcommand)]
enum EmailsAction {
    /// Sends emails again now, given up or not (sent ones are left alone).
    Retry {
        /// Outbox ids, as `emails` lists them.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        ids: Vec<i64>,
        /// Every email `emails` lists.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeyAction {
    /// Makes a key for the ingest API and shows it once.
    Create {
        /// A name saying which system uses it.
        name: String,
    },
    /// Lists the keys (never their secret).
    List,
    /// Revokes the live key of this name at once.
    Revoke {
        /// Its name.
        name: String,
    },
}

/// How a command ended, as its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done, or nothing was left to do.
    Done,
    /// Refused: nothing changed (the output says why).
    Refused,
    /// The account, recipient or key does not exist.
    NotFound,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Done => 0,
            Status::Refused => 2,
            Status::NotFound => 3,
        }
    }
}

/// What a command has to say, in both forms.
struct Outcome {
    status: Status,
    text: String,
    json: serde_json::Value,
}

impl Outcome {
    fn done(text: String, json: impl Serialize) -> Self {
        Self::with(Status::Done, text, json)
    }

    fn with(status: Status, text: String, json: impl Serialize) -> Self {
        let json = serde_json::to_value(json).unwrap_or(serde_json::Value::Null);
        Self { status, text, json }
    }

    /// Refused or not found: one sentence, and a stable code for scripts.
    fn failed(status: Status, error: &'static str, message: String) -> Self {
        let json = serde_json::json!({ "error": error, "message": message });
        Self {
            status,
            text: format!("{message}\n"),
            json,
        }
    }
}

/// Reads the arguments of `dosiport admin` (without the program name and
/// `admin`), as the command line does.
pub fn parse<I, T>(args: I) -> Result<AdminArgs, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    #[derive(Parser)]
    #[command(name = "dosiport admin")]
    struct Alone {
        #[command(flatten)]
        args: AdminArgs,
    }
    let argv =
        std::iter::once(std::ffi::OsString::from("admin")).chain(args.into_iter().map(Into::into));
    Alone::try_parse_from(argv).map(|alone| alone.args)
}

/// Runs a support command against the portal and writes its output.
pub async fn run(app: &App, args: AdminArgs, out: &mut dyn Write) -> anyhow::Result<Status> {
    let actor = actor();
    let outcome = match args.command {
        AdminCommand::Find { term } => lookup::find(app, &term).await?,
        AdminCommand::Recipient { recipient } => lookup::recipient(app, &recipient).await?,
        AdminCommand::Account { email } => lookup::account(app, &email).await?,
        AdminCommand::ResendInvitation { recipient } => {
            actions::new_code(app, &recipient, actions::CodeAction::Resend, &actor).await?
        }
        AdminCommand::RotateCode { recipient } => {
            actions::new_code(app, &recipient, actions::CodeAction::Rotate, &actor).await?
        }
        AdminCommand::Revoke { email } => actions::revoke(app, &email, &actor).await?,
        AdminCommand::SecondFactorOff { email } => {
            actions::second_factor_off(app, &email, &actor).await?
        }
        AdminCommand::Emails {
            stuck_minutes,
            action,
        } => match action {
            None => actions::list_emails(app, stuck_minutes).await?,
            Some(EmailsAction::Retry { ids, all }) => {
                actions::retry_emails(app, ids, all, stuck_minutes, &actor).await?
            }
        },
        AdminCommand::ApiKey { action } => match action {
            KeyAction::Create { name } => keys::create(app, &name, &actor).await?,
            KeyAction::List => keys::list(app).await?,
            KeyAction::Revoke { name } => keys::revoke(app, &name, &actor).await?,
        },
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &outcome.json)?;
        writeln!(out)?;
    } else {
        out.write_all(outcome.text.as_bytes())?;
    }
    Ok(outcome.status)
}

/// Who runs the command, for the audit trail: the system user.
fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let user: String = user.chars().filter(|c| !c.is_control()).take(64).collect();
    format!("admin command (user {user})")
}
