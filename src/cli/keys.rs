//! `insigne keys generate|list|rotate`. Generating and rotating are changes: they go to the
//! audit log, as the console's rotation does.

use std::path::Path;

use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::{open_store, CliError};
use crate::config::Config;
use crate::domain::{Clock, SystemClock};
use crate::proof::{KeyError, KeyInfo, KeyRing};
use crate::service::Actor;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a first Ed25519 key and RSA-2048 key into the keys folder.
    Generate,
    /// List the keys: id, algorithm, status, creation date.
    List,
    /// Make a new active key of each algorithm; older keys stay published.
    Rotate,
}

fn failure(e: KeyError) -> CliError {
    match e {
        KeyError::AlreadyExists(_) | KeyError::Empty(_) => CliError::Usage(e.to_string()),
        other => CliError::Failed(other.to_string()),
    }
}

pub async fn run(config: &Config, cmd: KeysCommand) -> Result<(), CliError> {
    let ring = match cmd {
        KeysCommand::List => KeyRing::load(&config.keys_dir).map_err(failure)?,
        KeysCommand::Generate => {
            change(config, "keys generate", |dir, now| {
                KeyRing::generate(dir, now).map(|ring| {
                    let made = ring.list();
                    (ring, made)
                })
            })
            .await?
        }
        KeysCommand::Rotate => change(config, "keys rotate", crate::service::rotate_keys).await?,
    };
    for key in ring.list() {
        println!(
            "{}\t{:?}\t{}\t{}",
            key.kid,
            key.algorithm,
            serde_json::to_value(key.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            crate::domain::clock::rfc3339(key.created)
        );
    }
    Ok(())
}

/// Makes keys in the keys folder and records it in the audit log, the ids of the keys made as
/// its target. The store is opened first: a change the log could not record is not made.
async fn change(
    config: &Config,
    action: &str,
    make: impl FnOnce(&Path, DateTime<Utc>) -> Result<(KeyRing, Vec<KeyInfo>), KeyError>,
) -> Result<KeyRing, CliError> {
    let store = open_store(config).await?;
    let (ring, made) = match make(&config.keys_dir, SystemClock.now()) {
        Ok(made) => made,
        Err(e) => {
            store.close().await;
            return Err(failure(e));
        }
    };
    let target = crate::service::key_ids(&made);
    let logged = crate::service::audit(
        &store,
        SystemClock.now(),
        &Actor::Cli,
        action,
        Some(&target),
        None,
    )
    .await;
    store.close().await;
    logged.map_err(|e| CliError::failed(&e))?;
    Ok(ring)
}
