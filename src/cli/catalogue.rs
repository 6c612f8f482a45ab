//! `insigne catalogue load FILE`: load (or reload) the e-CAP catalogue.

use std::path::PathBuf;

use clap::Subcommand;

use super::{open_app, CliError};
use crate::config::Config;
use crate::service::{Actor, ServiceError};

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Check and load a catalogue file: upsert by code; awards already issued are untouched.
    Load {
        /// The catalogue (TOML); image files it names are read next to it.
        file: PathBuf,
    },
}

pub async fn run(config: &Config, cmd: CatalogueCommand) -> Result<(), CliError> {
    match cmd {
        CatalogueCommand::Load { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let app = open_app(config, true).await?;
            let loaded = app
                .load_catalogue(text.trim_start_matches('\u{feff}'), file.parent())
                .await
                .map_err(|e| match e {
                    ServiceError::Invalid(invalid) => {
                        CliError::Usage(format!("{}: {invalid}", file.display()))
                    }
                    other => CliError::failed(&other),
                })?;
            println!("{}", serde_json::to_string_pretty(&loaded)?);
            let file_name = file.display().to_string();
            app.audit(&Actor::Cli, "catalogue load", Some(&file_name), None)
                .await?;
            app.store.close().await;
            Ok(())
        }
    }
}
