//! `insigne tokens create --scope admin|ingest`: prints the token alone on stdout, once.

use clap::Subcommand;

use super::{open_store, CliError};
use crate::auth::Scope;
use crate::config::Config;
use crate::domain::{Clock, SystemClock};

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token; only its hash is stored, so copy it now.
    Create {
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// A note saying who or what the token is for.
        #[arg(long)]
        label: Option<String>,
    },
}

/// The scopes, as the command line names them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScopeArg {
    /// Everything under the admin API.
    Admin,
    /// Reporting completions only.
    Ingest,
}

impl From<ScopeArg> for Scope {
    fn from(arg: ScopeArg) -> Self {
        match arg {
            ScopeArg::Admin => Scope::Admin,
            ScopeArg::Ingest => Scope::Ingest,
        }
    }
}

pub async fn run(config: &Config, cmd: TokensCommand) -> Result<(), CliError> {
    match cmd {
        TokensCommand::Create { scope, label } => {
            let store = open_store(config).await?;
            let scope: crate::auth::Scope = scope.into();
            let token =
                crate::service::create_token(&store, scope, label.as_deref(), SystemClock.now())
                    .await?;
            crate::service::audit(
                &store,
                SystemClock.now(),
                &crate::service::Actor::Cli,
                "tokens create",
                label.as_deref(),
                Some(scope.as_str()),
            )
            .await?;
            store.close().await;
            println!("{token}");
            Ok(())
        }
    }
}
