//! `insigne awards reconcile [--dry-run]`: evaluate every learner against the current
//! catalogue, and award what they earn (or only say what that would be).

use crate::service::Actor;
use clap::Subcommand;

use super::{open_app, CliError};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum AwardsCommand {
    /// Evaluate every learner with completions again; print what was awarded (JSON).
    Reconcile {
        /// Only print what would be awarded; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn run(config: &Config, cmd: AwardsCommand) -> Result<(), CliError> {
    let AwardsCommand::Reconcile { dry_run } = cmd;
    let app = open_app(config, true).await?;
    let done = app.reconcile(dry_run).await?;
    let verb = if dry_run { "would be issued" } else { "issued" };
    eprintln!(
        "insigne: {} learners evaluated; {} awards {verb}; {} still waiting",
        done.learners,
        done.awards.len(),
        done.pending.len()
    );
    println!("{}", serde_json::to_string_pretty(&done)?);
    if !dry_run {
        let detail = format!("{} awards", done.awards.len());
        app.audit(&Actor::Cli, "awards reconcile", None, Some(&detail))
            .await?;
    }
    app.store.close().await;
    Ok(())
}
