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
    load_catalogue_on_first_start(&app, &config).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = %config.public_url, "insigne is listening");
    let store = app.store.clone();
    let mailer = mailer(&config)?;
    // The workers stop when the server has finished its requests: the watch's sender drops.
    let (stop_workers, stopped) = tokio::sync::watch::channel(());
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<()>| async move {
        let _ = rx.changed().await;
    };
    let worker = tokio::spawn(crate::service::run_worker(
        app.clone(),
        mailer,
        std::time::Duration::from_secs(2),
        until_stopped(stopped.clone()),
    ));
    // Learners marked by a request that did not finish, a process that died, a catalogue load.
    let evaluator = tokio::spawn(crate::service::run_evaluator(
        app.clone(),
        std::time::Duration::from_secs(1),
        until_stopped(stopped.clone()),
    ));
    // Moodle's web services, when the site and a token are configured.
    let puller = match (&config.moodle_url, &config.moodle_token) {
        (Some(_), Some(_)) => {
            let client = super::moodle::client(&config).map_err(CliError::Usage)?;
            tracing::info!(
                every_secs = config.moodle.interval_secs,
                "completions will be pulled from Moodle"
            );
            Some(tokio::spawn(crate::service::run_moodle_pull(
                app.clone(),
                client,
                std::time::Duration::from_secs(5),
                std::time::Duration::from_secs(config.moodle.interval_secs),
                until_stopped(stopped.clone()),
            )))
        }
        (None, None) => None,
        _ => {
            tracing::warn!(
                "INSIGNE_MOODLE_URL and INSIGNE_MOODLE_TOKEN go together: no Moodle pull"
            );
            None
        }
    };
    crate::http::serve(listener, app, shutdown_signal(), config.shutdown_grace()).await?;
    drop(stop_workers);
    let _ = worker.await;
    let _ = evaluator.await;
    if let Some(puller) = puller {
        let _ = puller.await;
    }
    store.close().await;
    tracing::info!("insigne stopped");
    Ok(())
}

/// SMTP when `INSIGNE_SMTP_URL` is set (a bad URL stops the start, exit code 2); the log
/// otherwise, messages kept in the outbox.
fn mailer(config: &Config) -> Result<std::sync::Arc<dyn crate::notify::Mailer>, CliError> {
    match &config.smtp_url {
        Some(url) => {
            let smtp = crate::notify::SmtpMailer::new(
                url,
                &config.sender(),
                std::time::Duration::from_secs(30),
            )
            .map_err(|e| CliError::Usage(e.to_string()))?;
            Ok(std::sync::Arc::new(smtp))
        }
        None => {
            tracing::info!(
                "INSIGNE_SMTP_URL is not set: notifications are written to the log and kept"
            );
            Ok(std::sync::Arc::new(crate::notify::LogMailer))
        }
    }
}

/// Loads `INSIGNE_CATALOGUE` when the database has no catalogue yet; later starts leave the
/// catalogue as the admin made it (`insigne catalogue load` reloads it on purpose).
pub(super) async fn load_catalogue_on_first_start(
    app: &crate::service::Insigne,
    config: &Config,
) -> Result<(), CliError> {
    let path = config.catalogue.trim();
    if path.is_empty() {
        return Ok(());
    }
    let file = std::path::Path::new(path);
    if !file.exists() {
        if path == crate::config::DEFAULT_CATALOGUE {
            tracing::info!(catalogue = %path, "no catalogue file here; none loaded");
            return Ok(());
        }
        return Err(CliError::Usage(format!(
            "INSIGNE_CATALOGUE: {path} does not exist"
        )));
    }
    match app.load_catalogue_if_empty(file).await {
        Ok(Some(loaded)) => {
            tracing::info!(
                catalogue = %path,
                modules = loaded.modules,
                badge_classes = loaded.badge_classes.len(),
                "catalogue loaded"
            );
            let detail = format!(
                "loaded at start: {} badge classes, {} learners marked",
                loaded.badge_classes.len(),
                loaded.learners_marked
            );
            app.audit(
                &crate::service::Actor::Cli,
                "catalogue load",
                Some(path),
                Some(&detail),
            )
            .await
            .map_err(|e| CliError::failed(&e))?;
        }
        Ok(None) => {
            tracing::info!(catalogue = %path, "a catalogue is already loaded; not reloaded at start")
        }
        Err(crate::service::ServiceError::Invalid(e)) => {
            return Err(CliError::Usage(format!("catalogue {path}: {e}")))
        }
        Err(e) => return Err(e.into()),
    }
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
