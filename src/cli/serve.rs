//! `insigne serve`: the HTTP service, until SIGINT or SIGTERM.

use super::{open_app, CliError};
use crate::config::Config;

pub async fn run(config: Config) -> Result<(), CliError> {
    let app = open_app(&config, true).await?;
    let signed = app.sign_unsigned_awards().await?;
    if signed > 0 {
        tracing::info!(
            signed,
            "signed the awards issued before signed assertions existed"
        );
    }
    if !config.catalogue.trim().is_empty() {
        tracing::warn!(catalogue = %config.catalogue, "catalogue loading is not available in this version; ignored");
    }
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = %config.public_url, "insigne is listening");
    let store = app.store.clone();
    crate::http::serve(listener, app, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("insigne stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
