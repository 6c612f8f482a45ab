//! `insigne admins add|list|remove`: who may sign in to the console, and as what.

use clap::Subcommand;

use super::{open_store, CliError};
use crate::auth::Role;
use crate::config::Config;
use crate::domain::{Clock, SystemClock};
use crate::service::{Actor, ServiceError};

async fn audit(
    store: &crate::storage::Store,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> Result<(), ServiceError> {
    crate::service::audit(store, SystemClock.now(), actor, action, target, detail).await
}

#[derive(Debug, Subcommand)]
pub enum AdminsCommand {
    /// Let EMAIL sign in to the console (again: change their role).
    Add {
        email: String,
        #[arg(long, value_enum, default_value = "admin")]
        role: RoleArg,
        /// For a tutor: a parcours whose badge requests they review (repeat it, or separate
        /// codes with commas); replaces those they had.
        #[arg(long)]
        parcours: Vec<String>,
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
        AdminsCommand::Add {
            email,
            role,
            parcours,
        } => {
            let role = Role::from(role);
            if !parcours.is_empty() && role != Role::Tutor {
                store.close().await;
                return Err(CliError::Usage(
                    "--parcours is for tutors (--role tutor)".into(),
                ));
            }
            // Unknown parcours are refused before anything changes.
            if let Err(e) = crate::service::known_parcours(&store, &parcours).await {
                store.close().await;
                return Err(failure(e));
            }
            let added =
                match crate::service::add_admin(&store, &email, role, SystemClock.now()).await {
                    Ok(new) if !parcours.is_empty() => {
                        crate::service::set_tutor_parcours(&store, &email, &parcours)
                            .await
                            .map(|()| new)
                    }
                    other => other,
                };
            match added {
                Ok(new) => {
                    let what = if new { "added" } else { "updated" };
                    eprintln!("insigne: {} {what} as {}", email.trim(), role.as_str());
                    let target = email.trim().to_lowercase();
                    let detail = if parcours.is_empty() {
                        role.as_str().to_string()
                    } else {
                        format!("{} {}", role.as_str(), parcours.join(","))
                    };
                    audit(
                        &store,
                        &Actor::Cli,
                        "admins add",
                        Some(&target),
                        Some(&detail),
                    )
                    .await
                }
                Err(e) => Err(e),
            }
        }
        AdminsCommand::List => match crate::service::list_admins(&store).await {
            Ok(admins) => {
                let mut listed = Ok(());
                for a in admins {
                    // A tutor's parcours follow, in a fourth column.
                    match crate::service::tutor_parcours(&store, &a.email).await {
                        Ok(p) if !p.is_empty() => {
                            println!("{}\t{}\t{}\t{}", a.email, a.role, a.added_at, p.join(","))
                        }
                        Ok(_) => println!("{}\t{}\t{}", a.email, a.role, a.added_at),
                        Err(e) => {
                            listed = Err(e);
                            break;
                        }
                    }
                }
                listed
            }
            Err(e) => Err(e),
        },
        AdminsCommand::Remove { email } => {
            match crate::service::remove_admin(&store, &email).await {
                Ok(true) => {
                    eprintln!("insigne: {} removed", email.trim());
                    let target = email.trim().to_lowercase();
                    audit(&store, &Actor::Cli, "admins remove", Some(&target), None).await
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
