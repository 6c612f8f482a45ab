//! `insigne tokens create --scope admin|ingest`: prints the token alone on stdout, once.

use clap::Subcommand;

use super::{open_store, CliError};
use crate::config::Config;
use crate::domain::{Clock, SystemClock};
use crate::storage::Scope;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token; only its hash is stored, so copy it now.
    Create {
        #[arg(long, value_enum)]
        scope: Scope,
        /// A note saying who or what the token is for.
        #[arg(long)]
        label: Option<String>,
    },
}

pub async fn run(config: &Config, cmd: TokensCommand) -> Result<(), CliError> {
    match cmd {
        TokensCommand::Create { scope, label } => {
            let store = open_store(config).await?;
            let token =
                crate::service::create_token(&store, scope, label.as_deref(), SystemClock.now())
                    .await?;
            store.close().await;
            println!("{token}");
            Ok(())
        }
    }
}
