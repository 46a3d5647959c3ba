//! Logging: one line per request and per domain event, as text or JSON
//! (`DOSIPORT_LOG_FORMAT=json`), filtered by `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = json_requested();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Whether the logs are JSON lines (`DOSIPORT_LOG_FORMAT=json`), so that
/// nothing else may be written among them.
pub fn json_requested() -> bool {
    std::env::var("DOSIPORT_LOG_FORMAT").is_ok_and(|f| f == "json")
}
