//! Configuration: built-in defaults, then `dosiport.toml`, then `DOSIPORT_*`
//! environment variables, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

/// File read from the working directory when no `--config` is given.
const DEFAULT_FILE: &str = "dosiport.toml";

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown settings.
    #[error("invalid configuration file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// One setting has a value that cannot be used.
    #[error("invalid value for {setting}: {message}")]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Settings as they may appear in the file or the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    storage: Option<String>,
    mail: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    lab_name: Option<String>,
    lab_contact_email: Option<String>,
    lab_contact_phone: Option<String>,
    mail_from: Option<String>,
    timezone: Option<String>,
    confirmation_hours: Option<i64>,
    first_connection_days: Option<i64>,
    session_hours: Option<i64>,
    remember_days: Option<i64>,
    retention_months: Option<u32>,
    max_delegates: Option<i64>,
    reminder_days: Option<i64>,
    mail_lease_seconds: Option<i64>,
    trust_forwarded_for: Option<bool>,
    require_second_factor: Option<bool>,
    metrics_listen: Option<String>,
    api_batch_limit_mib: Option<i64>,
}

/// The settings the portal runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding the database, reports and outbox by default.
    pub data_dir: PathBuf,
    /// `sqlite://…` (default) or, later, `postgres://…`.
    pub database_url: String,
    /// A folder, or `s3://bucket/prefix`.
    pub storage: String,
    /// `dir:<folder>`, `smtp://…` or `smtps://…`.
    pub mail: String,
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// The only source of links in emails.
    pub public_url: Url,
    /// The lab's name, shown on every page and email.
    pub lab_name: String,
    /// The lab's customer-service address.
    pub lab_contact_email: String,
    /// The lab's customer-service phone number.
    pub lab_contact_phone: String,
    /// The no-reply sender of every email.
    pub mail_from: String,
    /// Time zone of the dates shown.
    pub timezone: chrono_tz::Tz,
    /// Validity of a registration confirmation link.
    pub confirmation_hours: i64,
    /// Validity of a first-connection link.
    pub first_connection_days: i64,
    /// Idle lifetime of a session that is not remembered.
    pub session_hours: i64,
    /// Lifetime of a "remember this browser" session.
    pub remember_days: i64,
    /// How long a report stays available after publication.
    pub retention_months: u32,
    /// Most delegates (with pending invitations) an owner may have.
    pub max_delegates: i64,
    /// Days before a report leaves that its readers are reminded; 0 for no
    /// reminder.
    pub reminder_days: i64,
    /// Seconds an email being sent is reserved for its sender.
    pub mail_lease_seconds: i64,
    /// Whether a reverse proxy in front sets `X-Forwarded-For` (only then
    /// may its last entry name the client).
    pub trust_forwarded_for: bool,
    /// Whether every account must sign in with a second factor (an
    /// account without one sets one up right after its password).
    pub require_second_factor: bool,
    /// A second address serving `/metrics` (and the health checks) to the
    /// monitoring only; none by default, so that metrics are never public.
    pub metrics_listen: Option<SocketAddr>,
    /// Largest batch the ingest API accepts, manifest and PDFs together.
    pub api_batch_limit_mib: u64,
}

impl Config {
    /// Loads the configuration: `path` if given (it must exist), else
    /// `dosiport.toml` in the working directory if present, then the
    /// environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut raw = match path {
            Some(path) => read_file(path)?,
            None if Path::new(DEFAULT_FILE).exists() => read_file(Path::new(DEFAULT_FILE))?,
            None => Raw::default(),
        };
        apply_env(&mut raw, |name| std::env::var(name).ok())?;
        Self::from_raw(raw)
    }

    /// The embedded defaults with the data folder set, for tests and tools.
    pub fn with_data_dir(data_dir: &Path) -> Result<Self, ConfigError> {
        Self::from_raw(Raw {
            data_dir: Some(data_dir.to_path_buf()),
            ..Raw::default()
        })
    }

    /// Whether links and cookies are for HTTPS.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// An absolute link to a path of the portal, built from the public URL.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }

    fn from_raw(raw: Raw) -> Result<Self, ConfigError> {
        let data_dir = raw
            .data_dir
            .unwrap_or_else(|| PathBuf::from("./dosiport-data"));
        let listen_text = raw.listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| ConfigError::Invalid {
            setting: "listen",
            message: format!("{listen_text:?} is not an address such as 127.0.0.1:8080"),
        })?;
        let public_url = parse_public_url(raw.public_url, listen)?;
        let timezone = parse_timezone(raw.timezone.as_deref().unwrap_or("Europe/Paris"))?;
        let database_url = raw
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("dosiport.db").display()));
        let storage = raw
            .storage
            .unwrap_or_else(|| data_dir.join("reports").display().to_string());
        let mail = raw
            .mail
            .unwrap_or_else(|| format!("dir:{}", data_dir.join("outbox").display()));
        let lab_name = raw
            .lab_name
            .unwrap_or_else(|| "Laboratoire de dosimétrie".to_owned());
        let mail_from = raw.mail_from.unwrap_or_else(|| {
            let host = public_url.host_str().unwrap_or("localhost");
            let domain = if host.contains('.') {
                host
            } else {
                "localhost.localdomain"
            };
            format!("{lab_name} <no-reply@{domain}>")
        });

        Ok(Self {
            data_dir,
            database_url,
            storage,
            mail,
            listen,
            public_url,
            lab_contact_email: raw
                .lab_contact_email
                .unwrap_or_else(|| "service-client@example.com".to_owned()),
            lab_contact_phone: raw
                .lab_contact_phone
                .unwrap_or_else(|| "+33 1 23 45 67 89".to_owned()),
            lab_name,
            mail_from,
            timezone,
            confirmation_hours: bounded("confirmation_hours", raw.confirmation_hours, 48, 24 * 31)?,
            first_connection_days: bounded(
                "first_connection_days",
                raw.first_connection_days,
                7,
                366,
            )?,
            session_hours: bounded("session_hours", raw.session_hours, 12, 24)?,
            remember_days: bounded("remember_days", raw.remember_days, 30, 366)?,
            retention_months: u32::try_from(bounded(
                "retention_months",
                raw.retention_months.map(i64::from),
                24,
                1200,
            )?)
            .unwrap_or(24),
            max_delegates: bounded("max_delegates", raw.max_delegates, 20, 10_000)?,
            reminder_days: raw.reminder_days.unwrap_or(30).clamp(0, 366),
            mail_lease_seconds: bounded("mail_lease_seconds", raw.mail_lease_seconds, 300, 3600)?,
            trust_forwarded_for: raw.trust_forwarded_for.unwrap_or(false),
            require_second_factor: raw.require_second_factor.unwrap_or(false),
            metrics_listen: parse_metrics_listen(raw.metrics_listen.as_deref(), listen)?,
            api_batch_limit_mib: u64::try_from(bounded(
                "api_batch_limit_mib",
                raw.api_batch_limit_mib,
                4096,
                1024 * 1024,
            )?)
            .unwrap_or(4096),
        })
    }
}

fn read_file(path: &Path) -> Result<Raw, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.message().to_owned(),
    })
}

/// Overrides file settings with `DOSIPORT_<NAME>` variables.
fn apply_env(raw: &mut Raw, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    let text = |name: &str| var(&format!("DOSIPORT_{name}"));
    let set = |slot: &mut Option<String>, name: &str| {
        if let Some(value) = text(name) {
            *slot = Some(value);
        }
    };
    if let Some(dir) = text("DATA_DIR") {
        raw.data_dir = Some(PathBuf::from(dir));
    }
    set(&mut raw.database_url, "DATABASE_URL");
    set(&mut raw.storage, "STORAGE");
    set(&mut raw.mail, "MAIL");
    set(&mut raw.listen, "LISTEN");
    set(&mut raw.public_url, "PUBLIC_URL");
    set(&mut raw.lab_name, "LAB_NAME");
    set(&mut raw.lab_contact_email, "LAB_CONTACT_EMAIL");
    set(&mut raw.lab_contact_phone, "LAB_CONTACT_PHONE");
    set(&mut raw.mail_from, "MAIL_FROM");
    set(&mut raw.timezone, "TIMEZONE");
    set(&mut raw.metrics_listen, "METRICS_LISTEN");
    let number = |name: &'static str| -> Result<Option<i64>, ConfigError> {
        text(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| ConfigError::Invalid {
                    setting: name,
                    message: format!("{v:?} is not a whole number"),
                })
            })
            .transpose()
    };
    raw.confirmation_hours = number("CONFIRMATION_HOURS")?.or(raw.confirmation_hours);
    raw.first_connection_days = number("FIRST_CONNECTION_DAYS")?.or(raw.first_connection_days);
    raw.session_hours = number("SESSION_HOURS")?.or(raw.session_hours);
    raw.remember_days = number("REMEMBER_DAYS")?.or(raw.remember_days);
    raw.max_delegates = number("MAX_DELEGATES")?.or(raw.max_delegates);
    raw.reminder_days = number("REMINDER_DAYS")?.or(raw.reminder_days);
    raw.mail_lease_seconds = number("MAIL_LEASE_SECONDS")?.or(raw.mail_lease_seconds);
    raw.api_batch_limit_mib = number("API_BATCH_LIMIT_MIB")?.or(raw.api_batch_limit_mib);
    if let Some(value) = text("TRUST_FORWARDED_FOR") {
        raw.trust_forwarded_for = Some(matches!(value.trim(), "1" | "true" | "yes"));
    }
    if let Some(value) = text("REQUIRE_SECOND_FACTOR") {
        raw.require_second_factor = Some(matches!(value.trim(), "1" | "true" | "yes"));
    }
    if let Some(months) = number("RETENTION_MONTHS")? {
        raw.retention_months = Some(u32::try_from(months).map_err(|_| ConfigError::Invalid {
            setting: "RETENTION_MONTHS",
            message: "must be a positive number of months".to_owned(),
        })?);
    }
    Ok(())
}

fn parse_public_url(value: Option<String>, listen: SocketAddr) -> Result<Url, ConfigError> {
    // On this machine only, `localhost` is the name browsers allow
    // passkeys for; an address is not.
    let text = value.unwrap_or_else(|| match listen.ip().is_loopback() {
        true => format!("http://localhost:{}", listen.port()),
        false => format!("http://{listen}"),
    });
    let url = Url::parse(&text).map_err(|e| ConfigError::Invalid {
        setting: "public_url",
        message: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::Invalid {
            setting: "public_url",
            message: "must be an http:// or https:// address".to_owned(),
        });
    }
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(ConfigError::Invalid {
            setting: "public_url",
            message: "must be the root of a host, such as https://rapports.example.com, \
                      without a path"
                .to_owned(),
        });
    }
    Ok(url)
}

/// The metrics address: empty or absent for none; never the portal's own
/// address, whose requests anyone may send.
fn parse_metrics_listen(
    value: Option<&str>,
    listen: SocketAddr,
) -> Result<Option<SocketAddr>, ConfigError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let address: SocketAddr = text.parse().map_err(|_| ConfigError::Invalid {
        setting: "metrics_listen",
        message: format!("{text:?} is not an address such as 127.0.0.1:9464"),
    })?;
    if address == listen {
        return Err(ConfigError::Invalid {
            setting: "metrics_listen",
            message: "must differ from listen, so that metrics stay private".to_owned(),
        });
    }
    Ok(Some(address))
}

fn parse_timezone(name: &str) -> Result<chrono_tz::Tz, ConfigError> {
    name.parse().map_err(|_| ConfigError::Invalid {
        setting: "timezone",
        message: format!("{name:?} is not a time zone name such as Europe/Paris"),
    })
}

/// A whole number between 1 and `max` (every duration and count has a sane
/// ceiling, so that no later computation overflows).
fn bounded(
    setting: &'static str,
    value: Option<i64>,
    default: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(_) => Err(ConfigError::Invalid {
            setting,
            message: format!("must be between 1 and {max}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_with_nothing_set() {
        let config = Config::from_raw(Raw::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url.as_str(), "http://localhost:8080/");
        assert_eq!(config.database_url, "sqlite://./dosiport-data/dosiport.db");
        assert_eq!(config.mail, "dir:./dosiport-data/outbox");
        assert_eq!(config.storage, "./dosiport-data/reports");
        assert_eq!(config.confirmation_hours, 48);
        assert_eq!(config.metrics_listen, None);
        assert_eq!(config.api_batch_limit_mib, 4096);
    }

    #[test]
    fn metrics_listen_on_their_own_address_only() {
        let raw = |value: &str| Raw {
            metrics_listen: Some(value.to_owned()),
            ..Raw::default()
        };
        let config = Config::from_raw(raw("127.0.0.1:9464")).unwrap();
        assert_eq!(
            config.metrics_listen,
            Some("127.0.0.1:9464".parse().unwrap())
        );
        assert_eq!(Config::from_raw(raw("")).unwrap().metrics_listen, None);
        assert!(
            Config::from_raw(raw("127.0.0.1:8080")).is_err(),
            "the portal's address"
        );
        assert!(Config::from_raw(raw("localhost")).is_err());
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut raw: Raw = toml::from_str(
            "data_dir = \"/srv/d\"\nlisten = \"0.0.0.0:9000\"\nlab_name = \"ATLAS\"",
        )
        .unwrap();
        apply_env(&mut raw, |name| {
            (name == "DOSIPORT_LISTEN").then(|| "127.0.0.1:9100".to_owned())
        })
        .unwrap();
        let config = Config::from_raw(raw).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.lab_name, "ATLAS");
        assert_eq!(config.mail, "dir:/srv/d/outbox");
        assert_eq!(
            config.link("/inscription"),
            "http://localhost:9100/inscription"
        );
    }

    #[test]
    fn unknown_settings_and_bad_values_are_refused() {
        assert!(toml::from_str::<Raw>("colour = \"blue\"").is_err());
        for url in [
            "ftp://example.com",
            "https://example.com/portail",
            "not a url",
        ] {
            let raw = Raw {
                public_url: Some(url.to_owned()),
                ..Raw::default()
            };
            assert!(Config::from_raw(raw).is_err(), "{url}");
        }
    }

    #[test]
    fn durations_and_counts_have_sane_bounds() {
        for name in [
            "DOSIPORT_SESSION_HOURS",
            "DOSIPORT_REMEMBER_DAYS",
            "DOSIPORT_MAX_DELEGATES",
        ] {
            let mut raw = Raw::default();
            apply_env(&mut raw, |n| (n == name).then(|| "99999999999".to_owned())).unwrap();
            assert!(Config::from_raw(raw).is_err(), "{name}");
        }
        let raw = Raw {
            public_url: Some("http://user:pw@example.com".to_owned()),
            ..Raw::default()
        };
        assert!(Config::from_raw(raw).is_err());
    }

    #[test]
    fn the_production_example_is_a_valid_configuration() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/dosiport.toml");
        let config = Config::from_raw(read_file(&path).unwrap()).unwrap();
        assert!(config.is_https());
        assert!(config.database_url.starts_with("postgres://"));
        assert!(config.storage.starts_with("s3://"));
        assert!(config.mail.starts_with("smtp://"));
        assert_eq!(
            config.link("/rapports"),
            "https://rapports.example.com/rapports"
        );
    }
}
