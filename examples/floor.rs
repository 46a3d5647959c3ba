//! The benchmark's second reference for the reports page: the bare axum
//! handler of `hello.rs` plus one trivial query (`SELECT 1`) per request,
//! through the portal's own database pool (the same settings, opened by the
//! same code). What this serves is the most any page that asks the database
//! once per request can serve on the machine.
//!
//! `floor ADDRESS DATABASE_URL`, with a `sqlite://` or `postgres://` URL of a
//! database the portal has already created.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use dosiport::db::{PostgresStore, SqliteStore};

/// The portal's pool, whichever the database.
#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    async fn open(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(SqliteStore::open(url).await?.pool().clone()))
        } else {
            Ok(Self::Postgres(
                PostgresStore::open(url).await?.pool().clone(),
            ))
        }
    }

    async fn one(&self) -> Result<i32, sqlx::Error> {
        const QUERY: &str = "SELECT 1";
        match self {
            Self::Sqlite(pool) => sqlx::query_scalar(QUERY).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_scalar(QUERY).fetch_one(pool).await,
        }
    }
}

async fn hello(State(pool): State<Pool>) -> Result<&'static str, StatusCode> {
    match pool.one().await {
        Ok(1) => Ok("hello"),
        _ => Err(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(url)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: floor ADDRESS DATABASE_URL");
    };
    let pool = Pool::open(&url).await?;
    let app = Router::new().route("/", get(hello)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("floor listens on {listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
