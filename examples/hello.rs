//! The benchmark's reference web server: a bare axum "hello" handler, built
//! with the same profile as the portal, so that the reports page can be
//! measured against the framework itself on the same machine.
//!
//! `hello ADDRESS` listens on ADDRESS (default 127.0.0.1:8090).

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("hello listens on {listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
