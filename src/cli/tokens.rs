//! `insigne tokens create --scope admin|ingest` (prints the token alone on stdout, once),
//! `tokens list` and `tokens revoke ID`. Creating and revoking go to the audit log, never with
//! the token.

use clap::Subcommand;

use super::{open_store, CliError};
use crate::auth::Scope;
use crate::config::Config;
use crate::domain::clock::rfc3339;
use crate::domain::{Clock, SystemClock, TokenId};
use crate::service::{Actor, ServiceError, TokenRevocation};

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
    /// Every token: id, scope, created, revoked (or "live"), label; never the token.
    List,
    /// Revoke the token ID (from `tokens list`): it authenticates nothing from now on.
    Revoke { id: String },
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
    let store = open_store(config).await?;
    let outcome = match cmd {
        TokensCommand::Create { scope, label } => create(&store, scope.into(), label).await,
        TokensCommand::List => crate::service::list_tokens(&store).await.map(|tokens| {
            for t in tokens {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.scope.as_str(),
                    rfc3339(t.created_at),
                    t.revoked_at.map_or_else(|| "live".to_string(), rfc3339),
                    t.label.unwrap_or_default()
                );
            }
        }),
        // An id that is no token id names no token: bad usage, like an unknown one.
        TokensCommand::Revoke { id } => match id.trim().parse::<TokenId>() {
            Ok(id) => revoke(&store, id).await,
            Err(_) => Err(ServiceError::not_found("token", id.trim())),
        },
    };
    store.close().await;
    outcome.map_err(|e| match e {
        ServiceError::Invalid(invalid) => CliError::Usage(invalid.to_string()),
        ServiceError::NotFound { .. } => CliError::Usage(e.to_string()),
        other => CliError::failed(&other),
    })
}

async fn create(
    store: &crate::storage::Store,
    scope: Scope,
    label: Option<String>,
) -> Result<(), ServiceError> {
    let token =
        crate::service::issue_token(store, scope, label.as_deref(), SystemClock.now()).await?;
    crate::service::audit(
        store,
        SystemClock.now(),
        &Actor::Cli,
        "tokens create",
        Some(&token.id.to_string()),
        Some(&crate::service::token_audit_detail(scope, label.as_deref())),
    )
    .await?;
    println!("{}", token.secret);
    Ok(())
}

async fn revoke(store: &crate::storage::Store, id: TokenId) -> Result<(), ServiceError> {
    match crate::service::revoke_token(store, id, SystemClock.now()).await? {
        TokenRevocation::Revoked => {
            eprintln!("insigne: token {id} revoked");
            crate::service::audit(
                store,
                SystemClock.now(),
                &Actor::Cli,
                "tokens revoke",
                Some(&id.to_string()),
                None,
            )
            .await
        }
        TokenRevocation::AlreadyRevoked => {
            eprintln!("insigne: token {id} was revoked already");
            Ok(())
        }
    }
}
