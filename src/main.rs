//! The `dosiport` binary: everything lives in the library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    dosiport::cli::run().await
}
