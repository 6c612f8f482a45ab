//! `insigne moodle sync [--dry-run] [--course ID]`: pull completions from Moodle's web services
//! (`INSIGNE_MOODLE_URL`, `INSIGNE_MOODLE_TOKEN`), with progress on stderr and the summary as
//! JSON on stdout.

use std::io::IsTerminal;
use std::sync::Mutex;

use clap::Subcommand;

use super::{open_app, CliError};
use crate::config::Config;
use crate::import::moodle_ws::{MoodleClient, Token};
use crate::service::{ServiceError, SyncProgress};

#[derive(Debug, Subcommand)]
pub enum MoodleCommand {
    /// Pull the completions of every parcours that names its Moodle course.
    Sync {
        /// Say what would be recorded, record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only this Moodle course (a parcours' `moodle_course_id`).
        #[arg(long)]
        course: Option<i64>,
    },
}

/// The client the configuration describes, or why there is none.
pub fn client(config: &Config) -> Result<MoodleClient, String> {
    let (Some(url), Some(token)) = (&config.moodle_url, &config.moodle_token) else {
        return Err(
            "INSIGNE_MOODLE_URL and INSIGNE_MOODLE_TOKEN must both be set (the Moodle site and a web service token)"
                .into(),
        );
    };
    MoodleClient::new(
        url,
        Token::new(token.clone()),
        std::time::Duration::from_secs(config.moodle.timeout_secs),
    )
}

pub async fn run(config: &Config, cmd: MoodleCommand) -> Result<(), CliError> {
    let MoodleCommand::Sync { dry_run, course } = cmd;
    let client = client(config).map_err(CliError::Usage)?;
    let app = open_app(config, true).await?;
    super::serve::load_catalogue_on_first_start(&app, config).await?;

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let current = Mutex::new((0i64, 0usize));
    let progress = |p: SyncProgress| match p {
        SyncProgress::Course {
            course_id,
            learners,
        } => {
            if let Ok(mut c) = current.lock() {
                *c = (course_id, learners);
            }
            match &bar {
                Some(bar) => {
                    bar.set_message(format!("course {course_id}"));
                    bar.set_length(learners as u64);
                    bar.set_position(0);
                }
                None => eprintln!("insigne: course {course_id}: {learners} learners"),
            }
        }
        SyncProgress::Learner { done } => {
            let (course_id, total) = current.lock().map(|c| *c).unwrap_or_default();
            match &bar {
                Some(bar) => bar.set_position(done as u64),
                None if done == total || (total >= 10 && done % (total / 10) == 0 && done > 0) => {
                    eprintln!("insigne: course {course_id}: {done}/{total} learners")
                }
                None => {}
            }
        }
    };
    let result = app.moodle_sync(&client, course, dry_run, &progress).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let summary = result.map_err(|e| match e {
        ServiceError::Invalid(invalid) => CliError::Usage(invalid.to_string()),
        ServiceError::Moodle(ws) if ws.is_configuration() => CliError::Usage(ws.to_string()),
        other => CliError::failed(&other),
    })?;
    if !dry_run {
        let detail = format!(
            "{} completions new, {} awards issued, {} errors",
            summary.completions_new,
            summary.awards_issued,
            summary.errors.len()
        );
        app.audit(
            &crate::service::Actor::Cli,
            "moodle sync",
            course.map(|c| c.to_string()).as_deref(),
            Some(&detail),
        )
        .await
        .map_err(|e| CliError::failed(&e))?;
    }
    eprintln!(
        "insigne: {}{}: {} learners seen, {} completions ({} new, {} already known); {} awards issued; {} withdrawn; {} errors",
        if dry_run { "dry run of " } else { "" },
        if summary.site.is_empty() { "Moodle" } else { summary.site.as_str() },
        summary.learners_seen,
        summary.completions_seen,
        summary.completions_new,
        summary.completions_known,
        summary.awards_issued,
        summary.withdrawn.len(),
        summary.errors.len()
    );
    for w in &summary.withdrawn {
        eprintln!(
            "insigne: withdrawn in Moodle, kept here: {} {} (completed {})",
            w.email,
            w.module,
            w.completed_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    for e in &summary.errors {
        eprintln!("insigne: {e}");
    }
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}
