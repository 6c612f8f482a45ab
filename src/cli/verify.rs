//! `insigne verify INPUT`: a file, a URL or `-`; the JSON report on stdout. Exit 0 valid,
//! 1 invalid, 2 could not check.

use std::io::Read;

use clap::Args;

use super::{open_app, CliError};
use crate::config::Config;
use crate::http::resolve::LocalResolver;
use crate::verify::{self, Options, Verdict};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A badge: a file (PNG, SVG, JSON, JWS), a URL, or `-` for stdin.
    input: String,
    /// Check that the badge was awarded to this email address.
    #[arg(long)]
    recipient: Option<String>,
}

pub async fn run(config: &Config, args: VerifyArgs) -> Result<(), CliError> {
    let input = if args.input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(verify::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read stdin: {e}")))?;
        bytes
    } else if args.input.starts_with("http://") || args.input.starts_with("https://") {
        args.input.clone().into_bytes()
    } else {
        let meta = std::fs::metadata(&args.input)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.input)))?;
        if meta.len() > verify::MAX_INPUT_BYTES as u64 {
            return Err(CliError::Usage(format!(
                "{} is larger than 16 MiB",
                args.input
            )));
        }
        std::fs::read(&args.input)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.input)))?
    };
    let app = open_app(config, true).await?;
    let options = Options {
        now: app.clock.now(),
        recipient_email: args.recipient,
    };
    let report = verify::verify_bytes(&input, &LocalResolver::new(app.clone()), &options).await;
    println!("{}", serde_json::to_string_pretty(&report)?);
    app.store.close().await;
    match report.verdict() {
        Verdict::Valid => Ok(()),
        Verdict::Invalid => Err(CliError::Invalid),
        Verdict::Unknown => Err(CliError::Usage(
            "could not check everything (see the skipped checks)".into(),
        )),
    }
}
