//! `insigne attendance import FILE [--dry-run]`: import an attendance export of virtual
//! classes, with progress on stderr and the summary as JSON on stdout.

use std::path::PathBuf;

use clap::Subcommand;

use super::{open_app, CliError};
use crate::config::Config;
use crate::import::attendance::AttendanceMapping;
use crate::service::{Actor, ImportProgress, ServiceError};
use crate::storage::ImportOrigin;

/// The largest export accepted (a year of conferences is well under a MiB).
const MAX_CSV_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum AttendanceCommand {
    /// Import an attendance list, a Zoom participants report or a Teams attendance report.
    Import {
        file: PathBuf,
        /// Say what the import would record and award, recording nothing.
        #[arg(long)]
        dry_run: bool,
        /// A TOML file with the list's column names (the `[attendance]` keys), instead of
        /// insigne.toml's.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
}

pub async fn run(config: &Config, cmd: AttendanceCommand) -> Result<(), CliError> {
    let AttendanceCommand::Import {
        file,
        dry_run,
        mapping,
    } = cmd;
    let mapping = match mapping {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
            toml::from_str::<AttendanceMapping>(&text)
                .map_err(|e| CliError::Usage(format!("{}: {}", path.display(), e.message())))?
        }
        None => config.attendance.clone(),
    };
    let meta = std::fs::metadata(&file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    if meta.len() > MAX_CSV_BYTES {
        return Err(CliError::Usage(format!(
            "{} is larger than 16 MiB",
            file.display()
        )));
    }
    let bytes = std::fs::read(&file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let app = open_app(config, true).await?;
    super::serve::load_catalogue_on_first_start(&app, config).await?;
    let progress = |p: ImportProgress| {
        let (stage, done, total) = match p {
            ImportProgress::Recording { done, total } => ("attendances", done, total),
            ImportProgress::Evaluating { done, total } => ("learners", done, total),
        };
        eprintln!("insigne: {stage}: {done}/{total}");
    };
    let file_name = file.display().to_string();
    let origin = ImportOrigin {
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        started_by: Some("cli".into()),
    };
    let summary = app
        .import_attendance(&bytes, &mapping, dry_run, &origin, &progress)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid(invalid) => CliError::Usage(format!("{file_name}: {invalid}")),
            other => CliError::failed(&other),
        })?;
    eprintln!("insigne: read as {}", summary.layout.describe());
    let verb = if dry_run { "would be" } else { "were" };
    eprintln!(
        "insigne: {} rows read, {} accepted, {} rejected; {} sessions; attendances: {} new, {} longer, {} already known; {} awards {verb} issued{}",
        summary.rows_read,
        summary.rows_accepted,
        summary.rows_rejected.len(),
        summary.sessions.len(),
        summary.attendances_new,
        summary.attendances_longer,
        summary.attendances_known,
        summary.awards_issued,
        if dry_run { " (dry run: nothing recorded)" } else { "" },
    );
    for r in &summary.rows_rejected {
        eprintln!("insigne: line {}: {}", r.line, r.reason);
    }
    for s in summary.sessions.iter().filter(|s| s.series.is_none()) {
        eprintln!(
            "insigne: session {:?} belongs to no series of the catalogue: it counts for no badge",
            s.title
        );
    }
    if !summary.pending.is_empty() {
        eprintln!(
            "insigne: {} learners still waiting for evaluation: a running `insigne serve` (or `insigne awards reconcile`) awards what they earn",
            summary.pending.len()
        );
    }
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if !dry_run {
        let detail = format!(
            "{} new attendances, {} longer, {} awards",
            summary.attendances_new, summary.attendances_longer, summary.awards_issued
        );
        app.audit(
            &Actor::Cli,
            "attendance import",
            Some(&file_name),
            Some(&detail),
        )
        .await?;
    }
    app.store.close().await;
    Ok(())
}
