//! How one rendered email leaves the process: as an `.eml` file in a folder
//! (development and the embedded default) or through an SMTP relay.
//!
//! The outbox decides what to send and when to retry; a transport only says
//! whether one attempt worked, and if not whether retrying can help
//! ([`SendError::Transient`]) or not ([`SendError::Permanent`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::smtp::{RelayError, SmtpRelay};

/// How long one SMTP delivery may take, from connecting to the final reply.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections to the relay open at once, at most: the outbox sends that
/// many emails in parallel. Few enough for relays that limit the
/// connections of one client (a refused one only defers its email).
pub const SMTP_CONNECTIONS: u32 = 8;

/// Digits of the zero-padded outbox id that names an `.eml` file.
// Limitation: ids of 10^12 and more get longer names, which no longer sort
// after the shorter ones; the outbox would need a trillion emails for that.
const FILE_ID_WIDTH: usize = 12;

/// SMTP replies that blame our credentials, not the message: retrying after
/// the configuration is fixed will work, so they must not fail the email.
const AUTH_FAILURE_CODES: [&str; 4] = ["530", "534", "535", "538"];

/// One rendered email ready to send.
#[derive(Clone)]
pub struct OutgoingEmail {
    /// Outbox row id: unique, increasing in sending order.
    pub id: i64,
    /// When the email was queued; becomes its `Date` header.
    pub created_at: DateTime<Utc>,
    /// Recipient address as stored (the local part may be non-ASCII).
    pub to: String,
    /// Subject line, any Unicode text.
    pub subject: String,
    /// Plain text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

// The bodies carry single-use links, so `Debug` leaves them out.
impl std::fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Who the emails come from.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The `From` mailbox, e.g. `Laboratoire ATLAS <no-reply@example.com>`.
    pub from: String,
}

impl Sender {
    /// Checks that `from` is a valid mailbox, to refuse a bad setting at
    /// start-up rather than at the first email.
    pub fn validate(&self) -> Result<(), TransportError> {
        self.mailbox().map(|_| ())
    }

    fn mailbox(&self) -> Result<Mailbox, TransportError> {
        self.from
            .parse()
            .map_err(|e| TransportError::InvalidSender(format!("{e}")))
    }
}

/// Where emails go, chosen by the `DOSIPORT_MAIL` setting.
#[derive(Debug, Clone)]
pub enum Transport {
    /// One `.eml` file per email in this folder, named by outbox id.
    Dir(PathBuf),
    /// An SMTP relay; the transport keeps a pool of connections.
    Smtp(Arc<SmtpRelay>),
}

/// Why a `DOSIPORT_MAIL` or sender setting cannot be used. The messages
/// never repeat the setting, which may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The setting starts with none of the known schemes.
    #[error("DOSIPORT_MAIL must start with `dir:`, `smtp://` or `smtps://`")]
    UnknownScheme,
    /// `dir:` with nothing after it.
    #[error("DOSIPORT_MAIL `dir:` needs a folder, e.g. `dir:./dosiport-data/outbox`")]
    EmptyDir,
    /// The SMTP URL cannot be parsed.
    #[error("DOSIPORT_MAIL is not a valid SMTP URL: {0}")]
    InvalidUrl(String),
    /// A user name was given without a password.
    #[error("DOSIPORT_MAIL names an SMTP user but gives no password")]
    UserWithoutPassword,
    /// A password would cross the network unencrypted.
    #[error("DOSIPORT_MAIL sends a password only over TLS: use `smtps://` or `?tls=required`")]
    CredentialsWithoutTls,
    /// The sender is not a valid mailbox.
    #[error("the sender address is not a valid mailbox: {0}")]
    InvalidSender(String),
}

/// Why one attempt to send failed. The messages never hold a password or
/// the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Retrying later may work: connection refused, timeout, 4xx reply, a
    /// full disk, a relay that refuses our credentials, an invalid sender
    /// setting.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Retrying will not help: the address is invalid or the relay refused
    /// the message (5xx) or cannot carry it.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl Transport {
    /// Reads the `DOSIPORT_MAIL` setting: `dir:<path>`,
    /// `smtp://[user:pass@]host[:port][?tls=required|opportunistic]`
    /// (port 25 by default, 587 with `tls`) or
    /// `smtps://[user:pass@]host[:port]` (implicit TLS, port 465).
    pub fn from_setting(setting: &str) -> Result<Self, TransportError> {
        if let Some(folder) = setting.strip_prefix("dir:") {
            return dir_transport(folder);
        }
        if setting.starts_with("smtp://") || setting.starts_with("smtps://") {
            return smtp_transport(setting).map(|relay| Self::Smtp(Arc::new(relay)));
        }
        Err(TransportError::UnknownScheme)
    }

    /// Sends one email once. Sending the same outbox id again, after a
    /// crash, gives the same `Message-ID` and `Date`; the folder transport
    /// then keeps the file it already has.
    pub async fn send(&self, sender: &Sender, email: &OutgoingEmail) -> Result<(), SendError> {
        let message = build_message(sender, email)?;

        match self {
            Self::Dir(folder) => write_eml(folder, email.id, message.formatted()).await,
            Self::Smtp(relay) => send_smtp(relay, message, SMTP_TIMEOUT).await,
        }
    }
}

fn dir_transport(folder: &str) -> Result<Transport, TransportError> {
    if folder.is_empty() {
        return Err(TransportError::EmptyDir);
    }
    Ok(Transport::Dir(PathBuf::from(folder)))
}

fn smtp_transport(setting: &str) -> Result<SmtpRelay, TransportError> {
    check_credentials(setting)?;
    SmtpRelay::from_url(setting, SMTP_CONNECTIONS as usize, SMTP_TIMEOUT)
        .map_err(|e| TransportError::InvalidUrl(e.to_string()))
}

/// Refuses what lettre would accept silently: a user without a password
/// (lettre then skips authentication) and a password sent in clear.
fn check_credentials(setting: &str) -> Result<(), TransportError> {
    let url = url::Url::parse(setting).map_err(|e| TransportError::InvalidUrl(e.to_string()))?;
    let has_user = !url.username().is_empty();
    let has_password = url.password().is_some();
    if !has_user && !has_password {
        return Ok(());
    }
    if !has_password {
        return Err(TransportError::UserWithoutPassword);
    }

    // The relay reads the first `tls` parameter and ignores it with `smtps`.
    let tls = url.query_pairs().find(|(key, _)| key == "tls");
    let required = tls.is_some_and(|(_, value)| value == "required");
    if url.scheme() == "smtps" || required {
        Ok(())
    } else {
        Err(TransportError::CredentialsWithoutTls)
    }
}

fn build_message(sender: &Sender, email: &OutgoingEmail) -> Result<Message, SendError> {
    // A bad sender is a configuration error: the email waits for the fix.
    let from = sender
        .mailbox()
        .map_err(|e| SendError::Transient(e.to_string()))?;
    let to = recipient(&email.to)?;
    let message_id = message_id(email, from.email.domain());

    Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.as_str())
        .date(email.created_at.into())
        .message_id(Some(message_id))
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
}

fn recipient(to: &str) -> Result<Mailbox, SendError> {
    let address: Address = to
        .parse()
        .map_err(|e| SendError::Permanent(format!("the recipient address is not valid: {e}")))?;
    Ok(Mailbox::new(None, address))
}

/// A `Message-ID` that a re-send of the same outbox row repeats. The queue
/// time keeps it unique when a new database starts counting ids from 1
/// again: some mailboxes silently drop a second message with a known id.
fn message_id(email: &OutgoingEmail, domain: &str) -> String {
    let domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_owned());
    let queued = email.created_at.timestamp();
    format!("<dosiport.{}.{queued}@{domain}>", email.id)
}

async fn send_smtp(relay: &SmtpRelay, message: Message, limit: Duration) -> Result<(), SendError> {
    let envelope = message.envelope().clone();
    let bytes = message.formatted();

    // The connection timeout covers only the TCP connection, not a server
    // that accepts and then stays silent.
    match tokio::time::timeout(limit, relay.send(&envelope, &bytes)).await {
        Ok(Ok(_reply)) => Ok(()),
        Ok(Err(error)) => Err(classify(&error)),
        Err(_) => Err(SendError::Transient(format!(
            "the SMTP server did not finish within {limit:?}"
        ))),
    }
}

// Limitation: a 5xx that refuses our sender address (at MAIL FROM) looks
// like one that refuses the recipient, so a relay that will not accept the
// configured `From` fails every email permanently instead of holding them.
fn classify(error: &RelayError) -> SendError {
    let reason = format!("SMTP: {error}");
    let RelayError::Smtp(error) = error else {
        return SendError::Transient(reason);
    };

    if error.is_client() && cannot_carry_utf8(&reason) {
        return SendError::Permanent(format!(
            "the relay cannot carry a recipient address with non-ASCII characters \
             (it lacks SMTPUTF8); {reason}"
        ));
    }
    let code = error.status().map(|code| code.to_string());
    let blames_credentials = code.is_some_and(|code| AUTH_FAILURE_CODES.contains(&code.as_str()));
    if error.is_permanent() && !blames_credentials {
        return SendError::Permanent(reason);
    }
    SendError::Transient(reason)
}

/// lettre refuses, before talking to the relay, a non-ASCII envelope that
/// the relay did not announce it can carry; only its message says so.
fn cannot_carry_utf8(reason: &str) -> bool {
    reason.contains("SMTPUTF8") || reason.contains("8BITMIME")
}

async fn write_eml(folder: &Path, id: i64, bytes: Vec<u8>) -> Result<(), SendError> {
    let name = eml_file_name(id)?;
    let shown = folder.join(&name).display().to_string();
    let folder = folder.to_path_buf();

    let written = tokio::task::spawn_blocking(move || write_once(&folder, &name, &bytes)).await;
    match written {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(SendError::Transient(format!("cannot write {shown}: {e}"))),
        Err(e) => Err(SendError::Transient(format!(
            "writing {shown} stopped: {e}"
        ))),
    }
}

fn eml_file_name(id: i64) -> Result<String, SendError> {
    let id = u64::try_from(id)
        .map_err(|_| SendError::Permanent(format!("outbox id {id} is negative")))?;
    Ok(format!("{id:0FILE_ID_WIDTH$}.eml"))
}

/// Writes `folder/name` unless it exists, through a hidden temporary file
/// renamed into place, so that a reader sees the whole file or nothing.
// Limitation: a crash between creating and renaming the temporary file
// leaves a hidden `.*.tmp` file behind; nothing removes it later.
fn write_once(folder: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(folder)?;
    let target = folder.join(name);
    if target.exists() {
        return Ok(());
    }

    let temporary = folder.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let renamed = write_synced(&temporary, bytes).and_then(|()| fs::rename(&temporary, &target));
    if renamed.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    renamed?;

    sync_folder(folder)
}

/// Creates `path` and makes its content durable before it is renamed.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename durable: the outbox marks the email sent right after.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::sync::{Arc, Mutex};

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use chrono::TimeZone;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    const DUPRE: &str = "Jean-Marc.Dupré@example.com";
    const SUBJECT: &str = "Vos rapports de dosimétrie sont arrivés — été";
    const TEXT: &str = "Bonjour Jean-Marc,\nvos rapports sont arrivés à Besançon.\n";
    const HTML: &str = "<p>Bonjour Jean-Marc,</p><p>vos rapports sont arrivés.</p>";

    fn sender() -> Sender {
        Sender {
            from: "Laboratoire ATLAS <no-reply@example.com>".to_owned(),
        }
    }

    fn email(id: i64, to: &str) -> OutgoingEmail {
        OutgoingEmail {
            id,
            created_at: Utc.with_ymd_and_hms(2026, 3, 5, 10, 0, 0).unwrap(),
            to: to.to_owned(),
            subject: SUBJECT.to_owned(),
            text: TEXT.to_owned(),
            html: HTML.to_owned(),
        }
    }

    fn eml_names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn smtp_to(port: u16) -> Transport {
        Transport::from_setting(&format!("smtp://127.0.0.1:{port}")).unwrap()
    }

    // --- Reading a message back, independently of how lettre wrote it ---

    /// The unfolded value of the first header `name` of `raw`.
    fn header(raw: &str, name: &str) -> Option<String> {
        let head = raw.split("\r\n\r\n").next()?.replace("\r\n ", " ");
        let prefix = format!("{}:", name.to_lowercase());
        head.split("\r\n")
            .find(|line| line.to_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }

    /// Decodes RFC 2047 `=?utf-8?b?…?=` words; adjacent words join.
    fn decode_words(value: &str) -> String {
        let mut out = String::new();
        let mut previous_encoded = false;
        for word in value.split_whitespace() {
            let encoded = word
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="));
            let joins_previous = previous_encoded && encoded.is_some();
            if !out.is_empty() && !joins_previous {
                out.push(' ');
            }
            match encoded {
                Some(b64) => {
                    out.push_str(&String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap())
                }
                None => out.push_str(word),
            }
            previous_encoded = encoded.is_some();
        }
        out
    }

    fn decode_quoted_printable(body: &str) -> String {
        let joined = body.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&first, tail)) = rest.split_first() {
            if first == b'=' {
                let hex = std::str::from_utf8(&tail[..2]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(first);
                rest = tail;
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    /// The decoded parts of a multipart message, as (content type, text).
    fn decoded_parts(raw: &str) -> Vec<(String, String)> {
        let content_type = header(raw, "Content-Type").unwrap();
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .unwrap()
            .trim_matches('"');
        let delimiter = format!("\r\n--{boundary}");
        raw.split(&delimiter)
            .skip(1)
            .filter(|part| !part.starts_with("--"))
            .map(|part| {
                let part = part.trim_start_matches("\r\n");
                let body = part.split_once("\r\n\r\n").unwrap().1;
                let kind = header(part, "Content-Type").unwrap();
                let text = match header(part, "Content-Transfer-Encoding").as_deref() {
                    Some("quoted-printable") => decode_quoted_printable(body),
                    Some("base64") => {
                        let b64: String = body.split_whitespace().collect();
                        String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap()
                    }
                    _ => body.to_owned(),
                };
                (kind, text.replace("\r\n", "\n"))
            })
            .collect()
    }

    fn assert_is_the_email(raw: &str) {
        assert_eq!(decode_words(&header(raw, "Subject").unwrap()), SUBJECT);
        assert!(
            header(raw, "Content-Type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        let parts = decoded_parts(raw);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].0.starts_with("text/plain; charset=utf-8"));
        assert_eq!(parts[0].1.trim_end(), TEXT.trim_end());
        assert!(parts[1].0.starts_with("text/html; charset=utf-8"));
        assert_eq!(parts[1].1.trim_end(), HTML);
    }

    // --- Settings ---

    #[tokio::test]
    async fn settings_choose_the_transport() {
        let dir = Transport::from_setting("dir:./data/outbox").unwrap();
        assert!(matches!(dir, Transport::Dir(path) if path == Path::new("./data/outbox")));

        for setting in [
            "smtp://localhost",
            "smtp://relay.example.com:2525?tls=opportunistic",
            "smtp://user:s3cret@relay.example.com?tls=required",
            "smtps://user:s3cret@relay.example.com",
        ] {
            let transport = Transport::from_setting(setting);
            assert!(matches!(transport, Ok(Transport::Smtp(_))), "{setting}");
        }
    }

    #[tokio::test]
    async fn bad_settings_are_refused_without_repeating_the_password() {
        let cases = [
            ("", TransportError::UnknownScheme.to_string()),
            ("dir:", TransportError::EmptyDir.to_string()),
            (
                "smtp://user@relay.example.com",
                TransportError::UserWithoutPassword.to_string(),
            ),
            (
                "smtp://u:s3cret@relay.example.com",
                TransportError::CredentialsWithoutTls.to_string(),
            ),
            (
                "smtp://u:s3cret@relay.example.com?tls=opportunistic",
                TransportError::CredentialsWithoutTls.to_string(),
            ),
            (
                "smtp://u:s3cret@relay.example.com:99999",
                "invalid port".to_owned(),
            ),
            (
                "smtp://relay.example.com?tls=maybe",
                "`required` or `opportunistic`".to_owned(),
            ),
            (
                "u:s3cret@relay.example.com",
                TransportError::UnknownScheme.to_string(),
            ),
        ];
        for (setting, expected) in cases {
            let message = Transport::from_setting(setting).unwrap_err().to_string();
            assert!(message.contains(&expected), "{setting}: {message}");
            assert!(!message.contains("s3cret"), "{setting}: {message}");
        }
    }

    #[test]
    fn smtp_transport_needs_no_runtime_to_be_created() {
        let transport = Transport::from_setting("smtp://localhost");
        assert!(matches!(transport, Ok(Transport::Smtp(_))), "{transport:?}");
    }

    #[test]
    fn sender_setting_is_validated() {
        assert!(sender().validate().is_ok());
        let bad = Sender {
            from: "ATLAS <no-reply@@example.com>".to_owned(),
        };
        assert!(matches!(
            bad.validate(),
            Err(TransportError::InvalidSender(_))
        ));
    }

    #[test]
    fn debug_leaves_the_bodies_out() {
        let shown = format!("{:?}", email(1, DUPRE));
        assert!(shown.contains("Dupré") && !shown.contains("Besançon") && !shown.contains("<p>"));
    }

    // --- Folder transport ---

    #[tokio::test]
    async fn folder_transport_writes_a_complete_utf8_eml() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("not/yet/there");
        let transport = Transport::from_setting(&format!("dir:{}", folder.display())).unwrap();

        transport.send(&sender(), &email(42, DUPRE)).await.unwrap();

        assert_eq!(eml_names(&folder), ["000000000042.eml"]);
        let raw = fs::read_to_string(folder.join("000000000042.eml")).unwrap();
        assert_eq!(header(&raw, "To").unwrap(), DUPRE);
        assert_eq!(
            header(&raw, "From").unwrap(),
            "\"Laboratoire ATLAS\" <no-reply@example.com>"
        );
        assert_eq!(
            header(&raw, "Message-ID").unwrap(),
            "<dosiport.42.1772704800@example.com>"
        );
        assert_eq!(
            header(&raw, "Date").unwrap(),
            "Thu, 05 Mar 2026 10:00:00 +0000"
        );
        assert_is_the_email(&raw);
    }

    #[tokio::test]
    async fn sending_the_same_id_twice_keeps_one_file() {
        let folder = tempfile::tempdir().unwrap();
        let transport = Transport::Dir(folder.path().to_path_buf());
        let mut second = email(7, DUPRE);
        second.subject = "Autre sujet".to_owned();

        transport.send(&sender(), &email(7, DUPRE)).await.unwrap();
        transport.send(&sender(), &second).await.unwrap();

        assert_eq!(eml_names(folder.path()), ["000000000007.eml"]);
        let raw = fs::read_to_string(folder.path().join("000000000007.eml")).unwrap();
        assert_eq!(decode_words(&header(&raw, "Subject").unwrap()), SUBJECT);
    }

    #[tokio::test]
    async fn file_names_sort_in_sending_order() {
        let folder = tempfile::tempdir().unwrap();
        let transport = Transport::Dir(folder.path().to_path_buf());

        for id in [100, 9, 1_000_001, 10] {
            transport
                .send(&sender(), &email(id, "a@example.com"))
                .await
                .unwrap();
        }

        let ids: Vec<i64> = eml_names(folder.path())
            .iter()
            .map(|name| name.trim_end_matches(".eml").parse().unwrap())
            .collect();
        assert_eq!(ids, [9, 10, 100, 1_000_001]);
    }

    #[tokio::test]
    async fn invalid_recipient_is_permanent_and_writes_nothing() {
        let folder = tempfile::tempdir().unwrap();
        let transport = Transport::Dir(folder.path().to_path_buf());

        for to in ["jean marc@example.com", "no-at-sign", "a@b@example.com", ""] {
            let result = transport.send(&sender(), &email(3, to)).await;
            assert!(
                matches!(result, Err(SendError::Permanent(_))),
                "{to}: {result:?}"
            );
        }
        assert!(eml_names(folder.path()).is_empty());
    }

    #[tokio::test]
    async fn unwritable_folder_is_transient() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a-file");
        fs::write(&file, "not a folder").unwrap();

        let result = Transport::Dir(file).send(&sender(), &email(1, DUPRE)).await;
        assert!(matches!(result, Err(SendError::Transient(_))), "{result:?}");
    }

    // --- A real SMTP server: mailin-embedded on 127.0.0.1 ---

    /// What one SMTP transaction delivered.
    #[derive(Debug, Clone)]
    struct Delivery {
        from: String,
        to: Vec<String>,
        data: String,
    }

    /// Accepts every recipient except `nobody@…` (550) and `busy@…` (451).
    #[derive(Clone, Default)]
    struct Recorder {
        deliveries: Arc<Mutex<Vec<Delivery>>>,
        current: Option<Delivery>,
    }

    impl mailin_embedded::Handler for Recorder {
        fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
            match to.split('@').next() {
                Some("nobody") => mailin_embedded::response::NO_MAILBOX,
                Some("busy") => mailin_embedded::response::INTERNAL_ERROR,
                _ => mailin_embedded::response::OK,
            }
        }

        fn data_start(
            &mut self,
            _domain: &str,
            from: &str,
            _is8bit: bool,
            to: &[String],
        ) -> mailin_embedded::Response {
            let (from, to) = (from.to_owned(), to.to_vec());
            self.current = Some(Delivery {
                from,
                to,
                data: String::new(),
            });
            mailin_embedded::response::OK
        }

        fn data(&mut self, buf: &[u8]) -> io::Result<()> {
            let current = self.current.as_mut().unwrap();
            current.data.push_str(std::str::from_utf8(buf).unwrap());
            Ok(())
        }

        fn data_end(&mut self) -> mailin_embedded::Response {
            let delivery = self.current.take().unwrap();
            self.deliveries.lock().unwrap().push(delivery);
            mailin_embedded::response::OK
        }
    }

    /// Starts mailin on a free port of 127.0.0.1; it runs until the tests end.
    fn start_mailin() -> (u16, Arc<Mutex<Vec<Delivery>>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let deliveries = recorder.deliveries.clone();

        let mut server = mailin_embedded::Server::new(recorder);
        server.with_name("mailin.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        (port, deliveries)
    }

    #[tokio::test]
    async fn smtp_delivers_both_parts_to_a_real_server() {
        let (port, deliveries) = start_mailin();

        let to = "jean-marc.dupre@example.com";
        smtp_to(port).send(&sender(), &email(42, to)).await.unwrap();

        let deliveries = deliveries.lock().unwrap().clone();
        assert_eq!(deliveries.len(), 1);
        let delivery = &deliveries[0];
        assert_eq!(delivery.from, "no-reply@example.com");
        assert_eq!(delivery.to, [to]);
        assert_eq!(header(&delivery.data, "To").unwrap(), to);
        assert_eq!(
            header(&delivery.data, "Message-ID").unwrap(),
            "<dosiport.42.1772704800@example.com>"
        );
        assert_is_the_email(&delivery.data);
    }

    #[tokio::test]
    async fn refused_recipient_is_permanent_and_busy_server_transient() {
        let (port, deliveries) = start_mailin();
        let transport = smtp_to(port);

        let refused = transport
            .send(&sender(), &email(1, "nobody@example.com"))
            .await;
        let busy = transport
            .send(&sender(), &email(2, "busy@example.com"))
            .await;

        assert!(
            matches!(&refused, Err(SendError::Permanent(m)) if m.contains("550")),
            "{refused:?}"
        );
        assert!(
            matches!(&busy, Err(SendError::Transient(m)) if m.contains("451")),
            "{busy:?}"
        );
        assert!(deliveries.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn non_ascii_address_is_permanent_when_the_relay_lacks_smtputf8() {
        let (port, deliveries) = start_mailin();

        let result = smtp_to(port).send(&sender(), &email(5, DUPRE)).await;

        assert!(
            matches!(&result, Err(SendError::Permanent(m)) if m.contains("SMTPUTF8")),
            "{result:?}"
        );
        assert!(deliveries.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn unreachable_server_is_transient() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();

        let result = smtp_to(port).send(&sender(), &email(1, DUPRE)).await;

        assert!(matches!(result, Err(SendError::Transient(_))), "{result:?}");
    }

    // --- A scripted SMTP server, for what mailin cannot do ---

    /// Starts a server on 127.0.0.1 that answers each command with
    /// `reply(command)`, takes a message after a 354, and logs both.
    async fn start_scripted(reply: fn(&str) -> &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind((IpAddr::from([127, 0, 0, 1]), 0))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_scripted(stream, reply, shared.clone()));
            }
        });
        (port, log)
    }

    async fn serve_scripted(
        stream: TcpStream,
        reply: fn(&str) -> &'static str,
        log: Arc<Mutex<Vec<String>>>,
    ) -> io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        write.write_all(b"220 scripted\r\n").await?;
        let mut line = String::new();
        while read.read_line(&mut line).await? > 0 {
            let answer = reply(line.trim_end());
            log.lock().unwrap().push(std::mem::take(&mut line));
            write.write_all(format!("{answer}\r\n").as_bytes()).await?;
            if answer.starts_with("354") {
                let mut data = String::new();
                while read.read_line(&mut line).await? > 0 && line != ".\r\n" {
                    data.push_str(&std::mem::take(&mut line));
                }
                log.lock().unwrap().push(data);
                write.write_all(b"250 queued\r\n").await?;
            }
            line.clear();
        }
        Ok(())
    }

    fn utf8_relay(command: &str) -> &'static str {
        match command.split(' ').next() {
            Some("EHLO") => "250-scripted\r\n250-8BITMIME\r\n250 SMTPUTF8",
            Some("DATA") => "354 go on",
            Some("QUIT") => "221 bye",
            _ => "250 ok",
        }
    }

    fn refusing_relay(command: &str) -> &'static str {
        match command.split(' ').next() {
            Some("EHLO") => "250-scripted\r\n250 AUTH PLAIN LOGIN",
            Some("AUTH") => "535 5.7.8 bad credentials",
            _ => "250 ok",
        }
    }

    #[tokio::test]
    async fn non_ascii_address_reaches_a_relay_with_smtputf8() {
        let (port, log) = start_scripted(utf8_relay).await;

        smtp_to(port)
            .send(&sender(), &email(8, DUPRE))
            .await
            .unwrap();

        let log = log.lock().unwrap().clone();
        assert!(
            log.iter().any(
                |l| l.starts_with("MAIL FROM:<no-reply@example.com>") && l.contains("SMTPUTF8")
            ),
            "{log:?}"
        );
        assert!(log.contains(&format!("RCPT TO:<{DUPRE}>\r\n")), "{log:?}");
        let data = log.iter().find(|l| l.contains("Message-ID")).unwrap();
        assert_eq!(header(data, "To").unwrap(), DUPRE);
        assert_is_the_email(data);
    }

    #[tokio::test]
    async fn refused_credentials_are_transient_and_never_shown() {
        let (port, _log) = start_scripted(refusing_relay).await;
        // Credentials in clear, which the setting refuses, to reach AUTH.
        let setting = format!("smtp://lab:s3cret@127.0.0.1:{port}");
        let relay = SmtpRelay::from_url(&setting, 1, SMTP_TIMEOUT).unwrap();

        let result = Transport::Smtp(Arc::new(relay))
            .send(&sender(), &email(1, DUPRE))
            .await;

        let Err(SendError::Transient(message)) = result else {
            panic!("{result:?}");
        };
        assert!(
            message.contains("535") && !message.contains("s3cret"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn silent_server_times_out_as_transient() {
        let listener = TcpListener::bind((IpAddr::from([127, 0, 0, 1]), 0))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        let Transport::Smtp(relay) = smtp_to(port) else {
            unreachable!()
        };
        let message = build_message(&sender(), &email(1, DUPRE)).unwrap();

        let result = send_smtp(&relay, message, Duration::from_millis(300)).await;

        assert!(
            matches!(&result, Err(SendError::Transient(m)) if m.contains("300ms")),
            "{result:?}"
        );
    }
}
