//! `insigne verify INPUT`: a file, a URL or `-`; the JSON report on stdout. Exit 0 valid,
//! 1 invalid, 2 not a badge or could not check.
//!
//! An employer's command: it opens no database, needs no keys and writes nothing. Every
//! document the badge names, insigne's own included, is had over the network as anyone would
//! have it (through the guarded fetcher: `INSIGNE_FETCH_ALLOW` for private hosts).

use std::io::Read;

use clap::Args;

use super::CliError;
use crate::config::Config;
use crate::verify::fetch::GuardedFetcher;
use crate::verify::{self, Options, Verdict};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A badge: a file (PNG, SVG, JSON, JWS), a URL, or `-` for stdin.
    input: String,
    /// Check that the badge was awarded to this email address.
    #[arg(long)]
    recipient: Option<String>,
}

/// Reads at most the verifier's limit, never more: a larger input is refused before it is
/// read whole (a 100 MB SVG costs 16 MiB of memory at most, and no parsing).
fn read_limited(reader: impl Read, name: &str) -> Result<Vec<u8>, CliError> {
    let limit = verify::MAX_INPUT_BYTES;
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?;
    if bytes.len() > limit {
        return Err(CliError::Usage(format!(
            "{name} is larger than {} MiB, the most a badge may weigh",
            limit >> 20
        )));
    }
    Ok(bytes)
}

pub async fn run(config: &Config, args: VerifyArgs) -> Result<(), CliError> {
    let input = if args.input == "-" {
        read_limited(std::io::stdin(), "stdin")?
    } else if args.input.starts_with("http://") || args.input.starts_with("https://") {
        args.input.clone().into_bytes()
    } else {
        let file = std::fs::File::open(&args.input)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.input)))?;
        read_limited(file, &args.input)?
    };
    let options = Options {
        recipient_email: args.recipient,
        deadline: config.verify_deadline(),
        ..Options::at(crate::domain::Clock::now(
            &crate::domain::clock::SystemClock,
        ))
    };
    let fetcher = GuardedFetcher::new(&config.fetch_allow);
    let report = verify::verify_bytes(&input, &fetcher, &options).await;
    println!("{}", serde_json::to_string_pretty(&report)?);
    match report.verdict() {
        Verdict::Valid => Ok(()),
        Verdict::Invalid => Err(CliError::Invalid),
        Verdict::NotABadge => Err(CliError::Usage(format!(
            "not a badge: {}",
            report.errors.first().map_or("", String::as_str)
        ))),
        Verdict::Unknown => Err(CliError::Usage(
            "could not check everything (see the skipped checks)".into(),
        )),
    }
}
