//! `insigne bake IMAGE PAYLOAD -o OUT` and `insigne unbake FILE`: baking from the command line.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;
use crate::bake::{self, Generation, ImageFormat};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenerationArg {
    /// Open Badges 2.0 (`openbadges` chunk, `<openbadges:assertion>`).
    Ob2,
    /// Open Badges 3.0 (`openbadgecredential` chunk, `<openbadges:credential>`).
    Ob3,
}

impl From<GenerationArg> for Generation {
    fn from(g: GenerationArg) -> Self {
        match g {
            GenerationArg::Ob2 => Generation::Ob2,
            GenerationArg::Ob3 => Generation::Ob3,
        }
    }
}

#[derive(Debug, Args)]
pub struct BakeArgs {
    /// The PNG or SVG image to bake into.
    image: PathBuf,
    /// The badge: a file holding a JWS, the JSON document or its URL (`-` for stdin).
    payload: String,
    /// Where to write the baked image.
    #[arg(short, long)]
    out: PathBuf,
    #[arg(long, value_enum, default_value = "ob2")]
    generation: GenerationArg,
}

#[derive(Debug, Args)]
pub struct UnbakeArgs {
    /// A baked PNG or SVG (`-` for stdin).
    file: String,
    /// Which generation to print when the image carries both (default: Open Badges 2.0 first).
    #[arg(long, value_enum)]
    generation: Option<GenerationArg>,
    /// Print every badge found as JSON: [{"generation", "image", "payload"}].
    #[arg(long)]
    json: bool,
}

/// Reads at most `limit` bytes, so that a huge input never becomes a huge allocation.
fn read_limited(source: &str, limit: usize) -> Result<Vec<u8>, CliError> {
    let mut reader: Box<dyn Read> = if source == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(Path::new(source))
                .map_err(|e| CliError::Usage(format!("cannot read {source}: {e}")))?,
        )
    };
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Usage(format!("cannot read {source}: {e}")))?;
    if bytes.len() > limit {
        return Err(CliError::Usage(format!(
            "{source} is larger than {} MiB",
            limit / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

pub fn bake(args: BakeArgs) -> Result<(), CliError> {
    let image = read_limited(&args.image.display().to_string(), bake::MAX_IMAGE_BYTES)?;
    let payload = read_limited(&args.payload, bake::MAX_IMAGE_BYTES)?;
    let payload = String::from_utf8(payload)
        .map_err(|_| CliError::Usage("the payload is not UTF-8 text".into()))?;
    let payload = payload.trim();
    let generation = Generation::from(args.generation);
    let usage = |e: bake::BakeError| CliError::Usage(e.to_string());
    let baked = match bake::sniff(&image) {
        Some(ImageFormat::Png) => bake::png::bake(&image, generation, payload).map_err(usage)?,
        Some(ImageFormat::Svg) => {
            // JSON goes in the element's content, with its id (when a URL) as `verify`;
            // a JWS, JWT or URL goes in `verify`.
            if payload.starts_with('{') {
                let id = serde_json::from_str::<serde_json::Value>(payload)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string))
                    .filter(|id| id.starts_with("http"));
                bake::svg::bake(&image, generation, id.as_deref(), Some(payload)).map_err(usage)?
            } else {
                bake::svg::bake(&image, generation, Some(payload), None).map_err(usage)?
            }
        }
        None => return Err(usage(bake::BakeError::NotAnImage)),
    };
    std::fs::write(&args.out, baked)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", args.out.display())))
}

pub fn unbake(args: UnbakeArgs) -> Result<(), CliError> {
    let bytes = read_limited(&args.file, bake::MAX_IMAGE_BYTES)?;
    let found = bake::unbake_any(&bytes).map_err(|e| CliError::Usage(e.to_string()))?;
    if args.json {
        // The same objects as `POST /api/v1/unbake` answers under `badges`.
        println!("{}", serde_json::to_string(&found)?);
        return Ok(());
    }
    let chosen = match args.generation {
        Some(g) => {
            let g = Generation::from(g);
            found
                .iter()
                .find(|u| u.generation == g)
                .ok_or_else(|| CliError::Usage(format!("no {g:?} badge in {}", args.file)))?
        }
        None => &found[0],
    };
    println!("{}", chosen.payload);
    Ok(())
}
