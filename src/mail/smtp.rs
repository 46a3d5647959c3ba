//! The SMTP client of the outbox: lettre speaks the protocol, over TCP
//! connections opened here with Nagle's algorithm off, kept in a small pool.
//!
//! lettre writes the end of a message (`.`) apart from its body. On a socket
//! that delays small writes, that last write waits for the relay's delayed
//! acknowledgement of the body, some 40 ms on Linux, so every email would
//! cost that wait; lettre has no setting to avoid it. Opening the socket
//! here, with `TCP_NODELAY`, and handing it to lettre removes the wait while
//! lettre keeps doing STARTTLS, authentication and the SMTP exchange.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_native_tls::TlsStream;

/// Port of SMTP between servers, without TLS.
const SMTP_PORT: u16 = 25;
/// Port of submission with STARTTLS.
const SUBMISSION_PORT: u16 = 587;
/// Port of submission over implicit TLS.
const SUBMISSIONS_PORT: u16 = 465;

/// A connection unused for longer is closed rather than reused: relays
/// drop idle clients after a while.
const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// A connection unused for longer is checked with `NOOP` before it carries
/// an email; one used just before is trusted, which saves a round trip per
/// email while the outbox sends a batch.
const TRUSTED_IDLE: Duration = Duration::from_secs(1);

/// How the connection to the relay is protected.
#[derive(Clone)]
pub enum Security {
    /// In clear (`smtp://` without `tls`).
    Plain,
    /// STARTTLS when the relay offers it (`?tls=opportunistic`).
    Opportunistic(TlsParameters),
    /// STARTTLS or nothing is sent (`?tls=required`).
    Required(TlsParameters),
    /// TLS from the first byte (`smtps://`).
    Implicit(native_tls::TlsConnector),
}

impl Security {
    fn name(&self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Opportunistic(_) => "starttls-opportunistic",
            Self::Required(_) => "starttls-required",
            Self::Implicit(_) => "implicit-tls",
        }
    }
}

/// Why the relay could not be configured from the setting.
#[derive(Debug, thiserror::Error)]
pub enum RelayConfigError {
    /// The setting is no URL, or names no host.
    #[error("{0}")]
    Url(String),
    /// `tls` has a value other than `required` or `opportunistic`.
    #[error("the `tls` parameter takes `required` or `opportunistic`")]
    TlsParameter,
    /// The TLS library refused to set up.
    #[error("TLS cannot be set up: {0}")]
    Tls(String),
}

/// Why one email did not go through the relay.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// No TCP connection could be opened.
    #[error("cannot connect to the relay: {0}")]
    Connect(io::Error),
    /// The implicit TLS handshake failed.
    #[error("TLS with the relay failed: {0}")]
    Tls(native_tls::Error),
    /// The SMTP exchange failed or the relay refused.
    #[error("{0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// An SMTP relay and the connections open to it. At most `max_connections`
/// are open at once; a send waits for a free one.
pub struct SmtpRelay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    connect_timeout: Duration,
    idle: Mutex<Vec<Parked>>,
    slots: Semaphore,
}

/// An open connection waiting for the next email.
struct Parked {
    connection: AsyncSmtpConnection,
    since: Instant,
}

// Leaves the credentials out.
impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security.name())
            .field("authenticates", &self.credentials.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpRelay {
    /// A relay from `smtp://[user:pass@]host[:port][/hello-name][?tls=…]` or
    /// `smtps://…`, read as lettre reads it: port 25 in clear, 587 with
    /// `tls`, 465 with `smtps`; the path names the client in `EHLO`.
    pub fn from_url(
        setting: &str,
        max_connections: usize,
        connect_timeout: Duration,
    ) -> Result<Self, RelayConfigError> {
        let url = url::Url::parse(setting).map_err(|e| RelayConfigError::Url(e.to_string()))?;
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(RelayConfigError::Url("the URL names no host".to_owned())),
        };
        let tls = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let (security, default_port) = security(url.scheme(), tls.as_deref(), &host)?;

        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(
                decoded(url.username())?,
                decoded(password)?,
            )),
            None => None,
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            connect_timeout,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(max_connections.max(1)),
        })
    }

    /// Sends one message on a pooled connection, opening one if none is
    /// free. A connection that failed is closed, never reused.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<Response, RelayError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| RelayError::Connect(io::Error::other("the relay was shut down")))?;

        let mut connection = match self.reusable().await {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        let sent = connection.send(envelope, message).await;

        if connection.has_broken() {
            connection.abort().await;
        } else {
            self.park(connection);
        }
        Ok(sent?)
    }

    /// Opens a connection: TCP without Nagle's delay, TLS as configured,
    /// `EHLO`, then authentication if the setting has credentials.
    async fn connect(&self) -> Result<AsyncSmtpConnection, RelayError> {
        let tcp = open_tcp(&self.host, self.port, self.connect_timeout).await?;

        let mut connection = match &self.security {
            Security::Implicit(connector) => {
                let connector = tokio_native_tls::TlsConnector::from(connector.clone());
                let tls = connector
                    .connect(&self.host, tcp)
                    .await
                    .map_err(RelayError::Tls)?;
                let stream = Box::new(ImplicitTls(tls));
                AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?
            }
            _ => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?,
        };

        match &self.security {
            Security::Required(parameters) => {
                connection.starttls(parameters.clone(), &self.hello).await?;
            }
            Security::Opportunistic(parameters) if connection.can_starttls() => {
                connection.starttls(parameters.clone(), &self.hello).await?;
            }
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }

    /// The most recently used idle connection that is still fit to use;
    /// those idle for too long are closed.
    async fn reusable(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let parked = self.idle.lock().ok()?.pop()?;
            let idle_for = parked.since.elapsed();
            let mut connection = parked.connection;

            if idle_for > IDLE_LIMIT {
                connection.abort().await;
                continue;
            }
            if idle_for > TRUSTED_IDLE && !connection.test_connected().await {
                connection.abort().await;
                continue;
            }
            return Some(connection);
        }
    }

    fn park(&self, connection: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(Parked {
                connection,
                since: Instant::now(),
            });
        }
    }
}

/// The protection and the default port a scheme and `tls` value ask for.
fn security(
    scheme: &str,
    tls: Option<&str>,
    host: &str,
) -> Result<(Security, u16), RelayConfigError> {
    let parameters =
        || TlsParameters::new(host.to_owned()).map_err(|e| RelayConfigError::Tls(e.to_string()));
    match (scheme, tls) {
        ("smtp", None) => Ok((Security::Plain, SMTP_PORT)),
        ("smtp", Some("required")) => Ok((Security::Required(parameters()?), SUBMISSION_PORT)),
        ("smtp", Some("opportunistic")) => {
            Ok((Security::Opportunistic(parameters()?), SUBMISSION_PORT))
        }
        ("smtp", Some(_)) => Err(RelayConfigError::TlsParameter),
        ("smtps", _) => Ok((Security::Implicit(implicit_tls()?), SUBMISSIONS_PORT)),
        (other, _) => Err(RelayConfigError::Url(format!(
            "the scheme `{other}` is not an SMTP one"
        ))),
    }
}

/// The TLS client of `smtps`, with the same defaults as lettre's for
/// STARTTLS: the system's roots, the host name checked, TLS 1.2 or later.
fn implicit_tls() -> Result<native_tls::TlsConnector, RelayConfigError> {
    native_tls::TlsConnector::builder()
        .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
        .build()
        .map_err(|e| RelayConfigError::Tls(e.to_string()))
}

/// A user name or password of the URL, percent-decoded.
fn decoded(part: &str) -> Result<String, RelayConfigError> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| RelayConfigError::Url("the credentials are not UTF-8".to_owned()))
}

/// A TCP connection to the first address of `host` that answers within
/// `timeout`, with Nagle's algorithm off.
pub(crate) async fn open_tcp(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, RelayError> {
    let addresses = tokio::net::lookup_host((host, port))
        .await
        .map_err(RelayError::Connect)?;

    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for address in addresses {
        match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                stream.set_nodelay(true).map_err(RelayError::Connect)?;
                return Ok(stream);
            }
            Ok(Err(e)) => last = e,
            Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, "connection timed out"),
        }
    }
    Err(RelayError::Connect(last))
}

/// A TLS stream as lettre takes an existing one.
#[derive(Debug)]
struct ImplicitTls(TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().get_ref().get_ref().peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use lettre::Message;
    use lettre::transport::smtp::client::Certificate;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A self-signed certificate for `localhost`, valid until 2126.
    const CERT: &[u8] = include_bytes!("testdata/relay-cert.pem");
    const KEY: &[u8] = include_bytes!("testdata/relay-key.pem");

    /// What the test relay saw.
    #[derive(Default)]
    struct Seen {
        connections: AtomicUsize,
        messages: AtomicUsize,
        /// Each command, with whether it came encrypted.
        commands: Mutex<Vec<(String, bool)>>,
    }

    impl Seen {
        fn commands(&self) -> Vec<(String, bool)> {
            self.commands.lock().unwrap().clone()
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Plain,
        StartTls,
        Implicit,
    }

    /// Starts a relay on 127.0.0.1 that accepts every message.
    async fn start_relay(mode: Mode) -> (u16, Arc<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let identity = native_tls::Identity::from_pkcs8(CERT, KEY).unwrap();
        let acceptor = native_tls::TlsAcceptor::new(identity).unwrap();
        let acceptor = tokio_native_tls::TlsAcceptor::from(acceptor);
        let seen = Arc::new(Seen::default());
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (seen, acceptor) = (shared.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let offer = mode == Mode::StartTls;
                    let upgrade = match mode {
                        Mode::Implicit => true,
                        _ => converse(&mut tcp, &seen, Phase::Clear, offer).await,
                    };
                    if !upgrade {
                        return;
                    }
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let phase = if offer { Phase::Upgraded } else { Phase::Tls };
                        converse(tls, &seen, phase, false).await;
                    }
                });
            }
        });
        (port, seen)
    }

    /// Where a conversation stands.
    #[derive(Clone, Copy, PartialEq)]
    enum Phase {
        /// In clear, from the greeting.
        Clear,
        /// Encrypted from the greeting.
        Tls,
        /// Encrypted after STARTTLS, with no new greeting.
        Upgraded,
    }

    /// One SMTP conversation; true when the client asked for STARTTLS.
    async fn converse<S>(stream: S, seen: &Seen, phase: Phase, offer_starttls: bool) -> bool
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut stream = BufReader::new(stream);
        let tls = phase != Phase::Clear;
        if phase != Phase::Upgraded {
            stream.write_all(b"220 relay.test\r\n").await.unwrap();
        }
        let mut line = String::new();
        while stream.read_line(&mut line).await.unwrap_or(0) > 0 {
            let command = std::mem::take(&mut line).trim_end().to_owned();
            seen.commands.lock().unwrap().push((command.clone(), tls));
            let reply = match command.split(' ').next().unwrap_or_default() {
                "EHLO" if offer_starttls => "250-relay.test\r\n250 STARTTLS",
                "EHLO" => "250 relay.test",
                "STARTTLS" => "220 go ahead",
                "QUIT" => "221 bye",
                "DATA" => {
                    stream.write_all(b"354 go on\r\n").await.unwrap();
                    while stream.read_line(&mut line).await.unwrap_or(0) > 0 && line != ".\r\n" {
                        line.clear();
                    }
                    line.clear();
                    seen.messages.fetch_add(1, Ordering::SeqCst);
                    "250 queued"
                }
                _ => "250 ok",
            };
            stream
                .write_all(format!("{reply}\r\n").as_bytes())
                .await
                .unwrap();
            if command == "STARTTLS" {
                return true;
            }
            if command == "QUIT" {
                return false;
            }
        }
        false
    }

    fn relay(url: &str) -> SmtpRelay {
        SmtpRelay::from_url(url, 2, Duration::from_secs(5)).unwrap()
    }

    /// A relay that trusts the test certificate rather than the system's.
    fn trusting(url: &str) -> SmtpRelay {
        let mut relay = relay(url);
        relay.security = match relay.security {
            Security::Required(_) => {
                let parameters = TlsParameters::builder("localhost".to_owned())
                    .add_root_certificate(Certificate::from_pem(CERT).unwrap())
                    .build()
                    .unwrap();
                Security::Required(parameters)
            }
            Security::Implicit(_) => {
                let connector = native_tls::TlsConnector::builder()
                    .add_root_certificate(native_tls::Certificate::from_pem(CERT).unwrap())
                    .build()
                    .unwrap();
                Security::Implicit(connector)
            }
            other => other,
        };
        relay
    }

    async fn send_one(relay: &SmtpRelay) -> Result<Response, RelayError> {
        let message = Message::builder()
            .from("Lab <no-reply@example.com>".parse().unwrap())
            .to("reader@example.net".parse().unwrap())
            .subject("Reports")
            .body("New reports are waiting.".to_owned())
            .unwrap();
        relay.send(message.envelope(), &message.formatted()).await
    }

    #[test]
    fn settings_give_lettres_ports_and_hosts() {
        let cases = [
            ("smtp://relay.example.com", "relay.example.com", 25, "plain"),
            (
                "smtp://relay.example.com?tls=required",
                "relay.example.com",
                587,
                "starttls-required",
            ),
            (
                "smtp://relay.example.com?tls=opportunistic",
                "relay.example.com",
                587,
                "starttls-opportunistic",
            ),
            (
                "smtps://relay.example.com",
                "relay.example.com",
                465,
                "implicit-tls",
            ),
            ("smtp://[::1]:2525", "::1", 2525, "plain"),
        ];
        for (url, host, port, security) in cases {
            let relay = relay(url);
            assert_eq!(
                (relay.host.as_str(), relay.port, relay.security.name()),
                (host, port, security),
                "{url}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let shown = format!("{:?}", relay("smtps://lab:s3cret@relay.example.com"));
        assert!(
            shown.contains("authenticates: true") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn sockets_have_nagles_algorithm_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();

        let stream = open_tcp("127.0.0.1", port, Duration::from_secs(5))
            .await
            .unwrap();

        assert!(stream.nodelay().unwrap());
    }

    #[tokio::test]
    async fn one_connection_carries_successive_emails() {
        let (port, seen) = start_relay(Mode::Plain).await;
        let relay = relay(&format!("smtp://127.0.0.1:{port}"));

        for _ in 0..3 {
            send_one(&relay).await.unwrap();
        }

        assert_eq!(seen.messages.load(Ordering::SeqCst), 3);
        assert_eq!(seen.connections.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn starttls_encrypts_everything_after_the_greeting() {
        let (port, seen) = start_relay(Mode::StartTls).await;
        let relay = trusting(&format!("smtp://localhost:{port}?tls=required"));

        send_one(&relay).await.unwrap();

        let commands = seen.commands();
        let upgrade = commands.iter().position(|(c, _)| c == "STARTTLS").unwrap();
        assert!(
            commands[upgrade + 1..].iter().all(|(_, tls)| *tls),
            "{commands:?}"
        );
        assert!(
            commands
                .iter()
                .any(|(c, tls)| c.starts_with("MAIL FROM") && *tls)
        );
        assert_eq!(seen.messages.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn required_starttls_sends_nothing_to_a_relay_without_it() {
        let (port, seen) = start_relay(Mode::Plain).await;
        let relay = trusting(&format!("smtp://localhost:{port}?tls=required"));

        let result = send_one(&relay).await;

        assert!(result.is_err(), "{result:?}");
        let commands = seen.commands();
        assert!(
            !commands.iter().any(|(c, _)| c.starts_with("MAIL")),
            "{commands:?}"
        );
    }

    #[tokio::test]
    async fn implicit_tls_carries_the_email() {
        let (port, seen) = start_relay(Mode::Implicit).await;
        let relay = trusting(&format!("smtps://localhost:{port}"));

        send_one(&relay).await.unwrap();

        let commands = seen.commands();
        assert!(commands.iter().all(|(_, tls)| *tls), "{commands:?}");
        assert_eq!(seen.messages.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn implicit_tls_refuses_an_untrusted_certificate() {
        let (port, seen) = start_relay(Mode::Implicit).await;
        let relay = relay(&format!("smtps://localhost:{port}"));

        let result = send_one(&relay).await;

        assert!(matches!(result, Err(RelayError::Tls(_))), "{result:?}");
        assert_eq!(seen.messages.load(Ordering::SeqCst), 0);
    }
}
