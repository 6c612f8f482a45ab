//! `insigne admins add|list|remove`: who may sign in to the console, and as what.

use clap::Subcommand;

use super::{open_store, CliError};
use crate::auth::Role;
use crate::config::Config;
use crate::domain::{Clock, SystemClock};
use crate::service::ServiceError;

#[derive(Debug, Subcommand)]
pub enum AdminsCommand {
    /// Let EMAIL sign in to the console (again: change their role).
    Add {
        email: String,
        #[arg(long, value_enum, default_value = "admin")]
        role: RoleArg,
    },
    /// Everyone who may sign in, with their role.
    List,
    /// Take the console away from EMAIL; their sessions end at once.
    Remove { email: String },
}

/// The roles, as the command line names them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Every screen of the console.
    Admin,
    /// Only what is given to tutors.
    Tutor,
}

impl From<RoleArg> for Role {
    fn from(arg: RoleArg) -> Self {
        match arg {
            RoleArg::Admin => Role::Admin,
            RoleArg::Tutor => Role::Tutor,
        }
    }
}

fn failure(e: ServiceError) -> CliError {
    match e {
        ServiceError::Invalid(invalid) => CliError::Usage(invalid.to_string()),
        other => CliError::failed(&other),
    }
}

pub async fn run(config: &Config, cmd: AdminsCommand) -> Result<(), CliError> {
    let store = open_store(config).await?;
    let outcome = match cmd {
        AdminsCommand::Add { email, role } => {
            let role = Role::from(role);
            crate::service::add_admin(&store, &email, role, SystemClock.now())
                .await
                .map(|new| {
                    let what = if new { "added" } else { "updated" };
                    eprintln!("insigne: {} {what} as {}", email.trim(), role.as_str());
                })
        }
        AdminsCommand::List => crate::service::list_admins(&store).await.map(|admins| {
            for a in admins {
                println!("{}\t{}\t{}", a.email, a.role, a.added_at);
            }
        }),
        AdminsCommand::Remove { email } => {
            match crate::service::remove_admin(&store, &email).await {
                Ok(true) => {
                    eprintln!("insigne: {} removed", email.trim());
                    Ok(())
                }
                Ok(false) => {
                    store.close().await;
                    return Err(CliError::Usage(format!("{} is no admin", email.trim())));
                }
                Err(e) => Err(e),
            }
        }
    };
    store.close().await;
    outcome.map_err(failure)
}
