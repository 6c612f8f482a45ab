//! `insigne completions import FILE.csv`: import a Moodle completion export, with progress on
//! stderr (a bar on a terminal, plain lines otherwise) and the summary as JSON on stdout.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::Subcommand;

use super::{open_app, CliError};
use crate::config::Config;
use crate::import::moodle::MoodleMapping;
use crate::service::{Actor, ImportProgress, ServiceError};

/// The largest export accepted (a 2,000-learner course is a few MiB).
const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum CompletionsCommand {
    /// Import the Moodle activity completion report (CSV, UTF-8, `;` or `,`).
    Import {
        file: PathBuf,
        /// A TOML file with the column mapping (the `[moodle]` keys), instead of insigne.toml's.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
}

pub async fn run(config: &Config, cmd: CompletionsCommand) -> Result<(), CliError> {
    let CompletionsCommand::Import { file, mapping } = cmd;
    let mapping = match mapping {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
            toml::from_str::<MoodleMapping>(&text)
                .map_err(|e| CliError::Usage(format!("{}: {}", path.display(), e.message())))?
        }
        None => config.moodle.reading.clone(),
    };
    let meta = std::fs::metadata(&file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    if meta.len() > MAX_CSV_BYTES {
        return Err(CliError::Usage(format!(
            "{} is larger than 64 MiB",
            file.display()
        )));
    }
    let bytes = std::fs::read(&file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let app = open_app(config, true).await?;
    super::serve::load_catalogue_on_first_start(&app, config).await?;

    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let last_line = Mutex::new((0usize, 0usize));
    let progress = |p: ImportProgress| {
        let (stage, done, total) = match p {
            ImportProgress::Recording { done, total } => ("completions", done, total),
            ImportProgress::Evaluating { done, total } => ("learners", done, total),
        };
        if let Some(bar) = &bar {
            bar.set_message(stage);
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        } else if let Ok(mut last) = last_line.lock() {
            // Plain lines, one per tenth of each stage.
            let tenth = (done * 10) / total.max(1);
            let key = (if stage == "learners" { 100 } else { 0 }) + tenth;
            if key != last.0 || done == total {
                if !(last.1 == done && key == last.0) {
                    eprintln!("insigne: {stage}: {done}/{total}");
                }
                *last = (key, done);
            }
        }
    };
    let summary = app
        .import_moodle(&bytes, &mapping, &progress)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid(invalid) => {
                CliError::Usage(format!("{}: {invalid}", file.display()))
            }
            other => CliError::failed(&other),
        })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(layout) = summary.layout {
        eprintln!("insigne: read as {}", layout.describe());
    }
    eprintln!(
        "insigne: {} rows read, {} accepted, {} rejected; {} new completions ({} already known); {} awards issued",
        summary.rows_read,
        summary.rows_accepted,
        summary.rows_rejected.len(),
        summary.completions_new,
        summary.completions_known,
        summary.awards_issued
    );
    for r in &summary.rows_rejected {
        eprintln!("insigne: line {}: {}", r.line, r.reason);
    }
    if !summary.pending.is_empty() {
        eprintln!(
            "insigne: {} learners still waiting for evaluation: a running `insigne serve` (or `insigne awards reconcile`) awards what they earn",
            summary.pending.len()
        );
    }
    println!("{}", serde_json::to_string_pretty(&summary)?);
    let file_name = file.display().to_string();
    let detail = format!(
        "{} new completions, {} awards",
        summary.completions_new, summary.awards_issued
    );
    app.audit(
        &Actor::Cli,
        "completions import",
        Some(&file_name),
        Some(&detail),
    )
    .await?;
    app.store.close().await;
    Ok(())
}
