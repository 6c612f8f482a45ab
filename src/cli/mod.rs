//! The `insigne` command line: `serve` (the default) and the admin tasks, one file each.
//! Exit codes: 0 done, 1 failed, 2 bad usage or bad input.

mod admins;
mod attendance;
mod awards;
mod bake;
mod catalogue;
mod completions;
mod issue;
mod keys;
mod moodle;
mod serve;
mod tokens;
mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::domain::{Clock, SystemClock};
use crate::formats::PublicUrls;
use crate::proof::KeyRing;
use crate::service::Insigne;
use crate::storage::Store;

#[derive(Debug, Parser)]
#[command(
    name = "insigne",
    version,
    about = "Open Badges 2.0 and 3.0 for the e-CAP teacher-trainer parcours"
)]
pub struct Cli {
    /// Configuration file (default: ./insigne.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address:port to listen on [INSIGNE_LISTEN].
    #[arg(long, global = true)]
    listen: Option<String>,
    /// Base URL of every public id and link [INSIGNE_PUBLIC_URL].
    #[arg(long, global = true)]
    public_url: Option<String>,
    /// sqlite://… or postgres://… [INSIGNE_DATABASE_URL].
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Folder of the signing keys [INSIGNE_KEYS_DIR].
    #[arg(long, global = true)]
    keys_dir: Option<PathBuf>,
    /// Catalogue file loaded at start, empty to skip [INSIGNE_CATALOGUE].
    #[arg(long, global = true)]
    catalogue: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage the signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Who may sign in to the console.
    #[command(subcommand)]
    Admins(admins::AdminsCommand),
    /// Manage the e-CAP catalogue.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
    /// Import attendance exports of virtual classes.
    #[command(subcommand)]
    Attendance(attendance::AttendanceCommand),
    /// Import completions.
    #[command(subcommand)]
    Completions(completions::CompletionsCommand),
    /// Pull completions from Moodle's web services.
    #[command(subcommand)]
    Moodle(moodle::MoodleCommand),
    /// Award a badge class to a recipient.
    Issue(issue::IssueArgs),
    /// Awards: evaluate every learner again.
    #[command(subcommand)]
    Awards(awards::AwardsCommand),
    /// Bake a badge (JWS, JSON or URL) into a PNG or SVG image.
    Bake(bake::BakeArgs),
    /// Print the badge baked in a PNG or SVG image.
    Unbake(bake::UnbakeArgs),
    /// Verify a badge: file, URL or `-`; exit 0 valid, 1 invalid, 2 could not check.
    Verify(verify::VerifyArgs),
    /// Print the effective configuration, passwords redacted.
    PrintConfig,
}

/// A command's failure, with the exit code it deserves.
#[derive(Debug)]
pub enum CliError {
    /// Bad usage or bad input: exit 2.
    Usage(String),
    /// Something failed while doing it: exit 1.
    Failed(String),
    /// A verification found the badge invalid: exit 1, the report said why.
    Invalid,
}

impl CliError {
    /// A failure, said with every cause of its chain ("signing failed: key …: …").
    pub fn failed(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        CliError::Failed(message)
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::Failed(e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("insigne: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // A CPU-bound step still running on a blocking thread is not waited for: every one is
    // bounded, and a stopping server has already given its requests their grace period.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(message)) => {
            eprintln!("insigne: {message}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(message)) => {
            eprintln!("insigne: {message}");
            ExitCode::FAILURE
        }
        Err(CliError::Invalid) => ExitCode::FAILURE,
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    // Baking works on files alone: no configuration, database or keys needed.
    match cli.command {
        Some(Command::Bake(args)) => return bake::bake(args),
        Some(Command::Unbake(args)) => return bake::unbake(args),
        _ => {}
    }
    let config = load_config(&cli)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.close().await;
            eprintln!(
                "insigne: migrations applied to {}",
                crate::config::redact_url(&config.database_url)
            );
            Ok(())
        }
        Command::Keys(cmd) => keys::run(&config, cmd).await,
        Command::Tokens(cmd) => tokens::run(&config, cmd).await,
        Command::Admins(cmd) => admins::run(&config, cmd).await,
        Command::Catalogue(cmd) => catalogue::run(&config, cmd).await,
        Command::Completions(cmd) => completions::run(&config, cmd).await,
        Command::Attendance(cmd) => attendance::run(&config, cmd).await,
        Command::Moodle(cmd) => moodle::run(&config, cmd).await,
        Command::Issue(args) => issue::run(&config, args).await,
        Command::Awards(cmd) => awards::run(&config, cmd).await,
        Command::Bake(_) | Command::Unbake(_) => Ok(()),
        Command::Verify(args) => verify::run(&config, args).await,
        Command::PrintConfig => {
            print!("{}", config.to_redacted_toml());
            Ok(())
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config, CliError> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::Failed(format!("no working directory: {e}")))?;
    let flags = Overrides {
        listen: cli.listen.clone(),
        public_url: cli.public_url.clone(),
        database_url: cli.database_url.clone(),
        keys_dir: cli.keys_dir.clone(),
        catalogue: cli.catalogue.clone(),
        ..Overrides::default()
    };
    Config::load(cli.config.as_deref(), &cwd, &env, flags)
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// Connects to the database and applies pending migrations. A debug build injects the fault
/// `INSIGNE_FAULT` names (the durability tests); a release build never reads it.
async fn open_store(config: &Config) -> Result<Store, CliError> {
    let faults = crate::faults::Faults::from_env().map_err(CliError::Usage)?;
    if faults.is_armed() {
        tracing::warn!("INSIGNE_FAULT is set: a fault will be injected (test builds only)");
    }
    let store = Store::connect(&config.database_url)
        .await?
        .with_faults(faults);
    store.migrate().await?;
    Ok(store)
}

/// The service with everything loaded; keys must exist unless `generate_keys`.
async fn open_app(config: &Config, generate_keys: bool) -> Result<Insigne, CliError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let keys = if generate_keys {
        let (ring, generated) = KeyRing::load_or_generate(&config.keys_dir, clock.now())?;
        if generated {
            tracing::warn!(
                dir = %config.keys_dir.display(),
                kids = ?ring.list().iter().map(|k| k.kid.clone()).collect::<Vec<_>>(),
                "no keys found: generated development keys (run `insigne keys generate` for real ones)"
            );
        }
        ring
    } else {
        KeyRing::load(&config.keys_dir)?
    };
    let store = open_store(config).await?;
    Ok(Insigne {
        store,
        keys: keys.into(),
        urls: PublicUrls::new(&config.public_url),
        clock,
        did_method: config.did_method,
        moodle_mapping: Arc::new(config.moodle.reading.clone()),
        attendance_mapping: Arc::new(config.attendance.clone()),
        fetcher: Arc::new(crate::verify::fetch::GuardedFetcher::new(
            &config.fetch_allow,
        )),
        evaluation_lease: std::time::Duration::from_secs(config.evaluation_lease_secs),
        cpu: crate::cpu::CpuPool::for_this_machine(),
        verify_deadline: config.verify_deadline(),
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        body_deadline: std::time::Duration::from_secs(config.body_deadline_secs),
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("INSIGNE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal; plain text for journald and log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
