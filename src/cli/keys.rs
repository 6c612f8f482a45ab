//! `insigne keys generate|list|rotate`.

use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::domain::{Clock, SystemClock};
use crate::proof::{KeyError, KeyRing};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a first Ed25519 key and RSA-2048 key into the keys folder.
    Generate,
    /// List the keys: id, algorithm, status, creation date.
    List,
    /// Make a new active key of each algorithm; older keys stay published.
    Rotate,
}

pub fn run(config: &Config, cmd: KeysCommand) -> Result<(), CliError> {
    let now = SystemClock.now();
    let dir = &config.keys_dir;
    let usage = |e: KeyError| match e {
        KeyError::AlreadyExists(_) | KeyError::Empty(_) => CliError::Usage(e.to_string()),
        other => CliError::Failed(other.to_string()),
    };
    let ring = match cmd {
        KeysCommand::Generate => KeyRing::generate(dir, now).map_err(usage)?,
        KeysCommand::List => KeyRing::load(dir).map_err(usage)?,
        KeysCommand::Rotate => {
            let mut ring = KeyRing::load(dir).map_err(usage)?;
            ring.rotate(now).map_err(usage)?;
            ring
        }
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
