//! `insigne issue --badge-class ID --email E --name N`: award a badge from the command line.

use clap::Args;

use super::{open_app, CliError};
use crate::config::Config;
use crate::service::inputs::{AwardInput, RecipientInput};
use crate::service::{Actor, ServiceError};

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The badge class id.
    #[arg(long)]
    badge_class: String,
    /// The trainer's email address.
    #[arg(long)]
    email: String,
    /// The trainer's name, as shown on the badge page.
    #[arg(long)]
    name: String,
    /// Why this badge was awarded.
    #[arg(long)]
    narrative: Option<String>,
}

pub async fn run(config: &Config, args: IssueArgs) -> Result<(), CliError> {
    let app = open_app(config, false).await?;
    let input = AwardInput {
        badge_class: Some(args.badge_class),
        recipient: Some(RecipientInput {
            email: Some(args.email),
            name: Some(args.name),
            lang: None,
        }),
        narrative: args.narrative,
        evidence: None,
    };
    let stored = app.issue_award(&input).await.map_err(|e| match e {
        ServiceError::Invalid(invalid) => CliError::Usage(invalid.to_string()),
        other => CliError::failed(&other),
    })?;
    let view = app.award_view(&stored);
    println!("{}", serde_json::to_string_pretty(&view)?);
    app.audit(&Actor::Cli, "issue", Some(&view.id), None)
        .await?;
    app.store.close().await;
    Ok(())
}
