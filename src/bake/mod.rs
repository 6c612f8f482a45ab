//! Baking: a badge carried inside its own image. Pure functions, bytes in and bytes out.
//!
//! - PNG: one uncompressed `iTXt` chunk (`openbadges` for Open Badges 2.0, `openbadgecredential`
//!   for 3.0), placed right after `IHDR`; every other chunk, pixels included, is copied untouched.
//! - SVG: an `<openbadges:assertion>` (2.0) or `<openbadges:credential>` (3.0) element right after
//!   the root start tag, its namespace declared on the root.
//!
//! Inputs come from anyone (the verifier unbakes uploads), so every length is checked against the
//! bytes actually there, nothing is allocated from a declared size, and an SVG with a DOCTYPE is
//! refused outright (entities are never expanded).

pub mod convert;
pub mod png;
#[cfg(test)]
mod proptests;
pub mod svg;

/// The largest image baked or unbaked.
pub const MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;

/// Which Open Badges generation a baked payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Generation {
    /// Open Badges 2.0: an Assertion (JSON), its URL, or a signed JWS.
    Ob2,
    /// Open Badges 3.0: a credential (JSON) or a VC-JWT.
    Ob3,
}

impl Generation {
    pub fn png_keyword(self) -> &'static str {
        match self {
            Generation::Ob2 => "openbadges",
            Generation::Ob3 => "openbadgecredential",
        }
    }

    pub fn svg_namespace(self) -> &'static str {
        match self {
            Generation::Ob2 => "http://openbadges.org",
            Generation::Ob3 => "https://purl.imsglobal.org/ob/v3p0",
        }
    }

    pub fn svg_element(self) -> &'static str {
        match self {
            Generation::Ob2 => "assertion",
            Generation::Ob3 => "credential",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakeError {
    #[error("this file is neither a PNG nor an SVG image")]
    NotAnImage,
    #[error("the image is larger than {} MiB", MAX_IMAGE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the PNG is truncated: {0}")]
    TruncatedPng(String),
    #[error("the PNG chunk {chunk} at byte {offset} declares {declared} bytes but only {available} remain")]
    BadChunkLength {
        chunk: String,
        offset: usize,
        declared: u64,
        available: usize,
    },
    #[error("the PNG chunk {chunk} at byte {offset} is corrupt (its CRC does not match)")]
    BadCrc { chunk: String, offset: usize },
    #[error("the PNG is malformed: {0}")]
    MalformedPng(String),
    #[error("the SVG has a DOCTYPE or entity declarations, which are refused (never expanded)")]
    SvgDoctype,
    #[error("the SVG is malformed: {0}")]
    MalformedSvg(String),
    #[error("no baked badge in this image")]
    NoBadge,
    #[error("this image holds {0} baked badges of the same kind; exactly one is allowed")]
    SeveralBadges(usize),
    #[error("the baked badge is compressed, which the Open Badges baking rules forbid")]
    Compressed,
    #[error("the baked badge is not UTF-8 text")]
    NotUtf8,
    #[error("the payload to bake is empty")]
    EmptyPayload,
}

/// What kind of image these bytes are, by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Png,
    Svg,
}

pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(png::SIGNATURE) {
        return Some(ImageFormat::Png);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<')
        && (text.contains("<svg") || text.starts_with("<?xml") || text.starts_with("<!--"))
    {
        return Some(ImageFormat::Svg);
    }
    None
}

/// One badge found in an image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Unbaked {
    pub generation: Generation,
    /// The image it was found in.
    #[serde(rename = "image")]
    pub format: ImageFormat,
    /// The payload: a JWS, a JSON document or a URL.
    pub payload: String,
}

/// Every badge baked in `bytes`, of either generation (a PNG may carry both). Errors when the
/// image is malformed or holds none.
pub fn unbake_any(bytes: &[u8]) -> Result<Vec<Unbaked>, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    let format = sniff(bytes).ok_or(BakeError::NotAnImage)?;
    let mut found = Vec::new();
    for generation in [Generation::Ob2, Generation::Ob3] {
        let payload = match format {
            ImageFormat::Png => png::unbake(bytes, generation),
            ImageFormat::Svg => svg::unbake(bytes, generation).map(|u| u.payload()),
        };
        match payload {
            Ok(payload) => found.push(Unbaked {
                generation,
                format,
                payload,
            }),
            Err(BakeError::NoBadge) => {}
            Err(e) => return Err(e),
        }
    }
    if found.is_empty() {
        return Err(BakeError::NoBadge);
    }
    Ok(found)
}
