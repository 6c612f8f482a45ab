//! The verifier: any badge in (JSON, JWS/JWT, baked PNG or SVG), a report out, check by check.
//!
//! Documents a badge refers to (keys, DID documents, status lists, revocation lists) come
//! through a `Resolver`: insigne's own are answered locally, did:key is computed. A check whose
//! document cannot be had is reported as "could not check" (skipped), never as passed: the
//! verdict is then unknown, not valid.

pub mod fetch;
mod ob2;
mod ob3;
pub mod resolve;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

pub use resolve::{Resolved, Resolver};

use crate::bake::{self, Generation};

/// The largest input accepted, bytes.
pub const MAX_INPUT_BYTES: usize = bake::MAX_IMAGE_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    #[serde(rename = "ob2-hosted")]
    Ob2Hosted,
    #[serde(rename = "ob2-signed")]
    Ob2Signed,
    #[serde(rename = "ob3-json")]
    Ob3Json,
    #[serde(rename = "ob3-jwt")]
    Ob3Jwt,
}

/// The verdict of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// Nothing failed, but something could not be checked.
    Unknown,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub valid: bool,
    pub format: Option<Format>,
    pub checks: Vec<Check>,
    /// What the badge says: name, issuer, dates.
    pub credential: Value,
    pub errors: Vec<String>,
}

impl Report {
    fn check(&mut self, name: &str, status: Status, message: impl Into<String>) {
        let message = message.into();
        if status == Status::Failed {
            self.errors.push(format!("{name}: {message}"));
        }
        self.checks.push(Check {
            name: name.into(),
            status,
            message,
        });
    }

    pub(crate) fn pass(&mut self, name: &str, message: impl Into<String>) {
        self.check(name, Status::Passed, message);
    }

    pub(crate) fn fail(&mut self, name: &str, message: impl Into<String>) {
        self.check(name, Status::Failed, message);
    }

    pub(crate) fn warn(&mut self, name: &str, message: impl Into<String>) {
        self.check(name, Status::Warning, message);
    }

    /// A check that could not run: the verdict becomes unknown.
    pub(crate) fn skip(&mut self, name: &str, message: impl Into<String>) {
        self.check(
            name,
            Status::Skipped,
            format!("could not check: {}", message.into()),
        );
    }

    pub fn verdict(&self) -> Verdict {
        if self.checks.is_empty() || self.checks.iter().any(|c| c.status == Status::Failed) {
            Verdict::Invalid
        } else if self.checks.iter().any(|c| c.status == Status::Skipped) {
            Verdict::Unknown
        } else {
            Verdict::Valid
        }
    }

    fn finish(mut self) -> Self {
        self.valid = self.verdict() == Verdict::Valid;
        self
    }
}

/// What to verify against: the time, and optionally the recipient's email.
#[derive(Debug, Clone)]
pub struct Options {
    pub now: DateTime<Utc>,
    pub recipient_email: Option<String>,
}

/// Verifies any badge given as bytes (a file, an upload, a pasted text).
pub async fn verify_bytes(input: &[u8], resolver: &dyn Resolver, options: &Options) -> Report {
    let mut report = Report::default();
    if input.len() > MAX_INPUT_BYTES {
        report.fail(
            "input",
            format!("larger than {} MiB", MAX_INPUT_BYTES / (1024 * 1024)),
        );
        return report.finish();
    }
    if let Some(kind) = bake::sniff(input) {
        match bake::unbake_any(input) {
            Ok(found) => {
                // The newer generation first when both are baked.
                let chosen = found
                    .iter()
                    .find(|u| u.generation == Generation::Ob3)
                    .or_else(|| found.first());
                if let Some(u) = chosen {
                    report.pass(
                        "unbake",
                        format!("{:?} image with {} baked badge(s)", kind, found.len()),
                    );
                    let payload = u.payload.clone();
                    return verify_text(&payload, resolver, options, report).await;
                }
                report.fail("unbake", "no baked badge");
            }
            Err(e) => report.fail("unbake", e.to_string()),
        }
        return report.finish();
    }
    match std::str::from_utf8(input) {
        Ok(text) => verify_text(text, resolver, options, report).await,
        Err(_) => {
            report.fail("input", "neither a PNG, an SVG, JSON nor a JWS");
            report.finish()
        }
    }
}

async fn verify_text(
    text: &str,
    resolver: &dyn Resolver,
    options: &Options,
    mut report: Report,
) -> Report {
    let text = text.trim().trim_start_matches('\u{feff}');
    if text.starts_with('{') {
        // serde_json refuses nesting deeper than 128: a hostile document fails here.
        match serde_json::from_str::<Value>(text) {
            Ok(doc) => {
                if is_ob3(&doc) {
                    report.format = Some(Format::Ob3Json);
                    ob3::verify_json(&doc, resolver, options, &mut report).await;
                } else if is_ob2_assertion(&doc) {
                    report.format = Some(Format::Ob2Hosted);
                    ob2::verify_hosted(&doc, resolver, options, &mut report).await;
                } else {
                    report.fail(
                        "format",
                        "JSON that is neither an OB 3.0 credential nor an OB 2.0 Assertion",
                    );
                }
            }
            Err(e) => report.fail("format", format!("not JSON: {e}")),
        }
    } else if text.split('.').count() == 3 && !text.contains(char::is_whitespace) {
        match crate::proof::jws::unverified_payload(text) {
            Some(payload) if is_ob3(&payload) || payload.get("vc").is_some() => {
                report.format = Some(Format::Ob3Jwt);
                ob3::verify_jwt(text, &payload, resolver, options, &mut report).await;
            }
            Some(payload) if is_ob2_assertion(&payload) => {
                report.format = Some(Format::Ob2Signed);
                ob2::verify_signed(text, &payload, resolver, options, &mut report).await;
            }
            Some(_) => report.fail("format", "a JWS whose payload is no badge"),
            None => report.fail("format", "a JWS whose payload is not JSON"),
        }
    } else if text.starts_with("http://") || text.starts_with("https://") {
        let mut url = text.to_string();
        let mut answer = resolver.get(&url).await;
        // A badge's public page (what a CV links to) names its machine form: followed once.
        if let Resolved::Page(Some(alternate)) = &answer {
            report.pass(
                "fetch",
                format!("{url} is a web page; the badge it shows is {alternate}"),
            );
            url = alternate.clone();
            answer = resolver.get(&url).await.page_as_unavailable(&url);
        }
        match answer {
            Resolved::Json(doc) => {
                // A hosted assertion is what its id names: one served elsewhere (another
                // host, another path) is a copy, not the issuer's.
                if is_ob2_assertion(&doc) && doc["id"].as_str() != Some(url.as_str()) {
                    report.fail(
                        "hosted",
                        format!("fetched from {url}, but its id is {}", doc["id"]),
                    );
                }
                return Box::pin(verify_text(&doc.to_string(), resolver, options, report)).await;
            }
            Resolved::Gone(body) => {
                report.format = Some(Format::Ob2Hosted);
                report.fail(
                    "revocation",
                    format!(
                        "the issuer answers 410 Gone: revoked ({})",
                        body["revocationReason"]
                            .as_str()
                            .unwrap_or("no reason given")
                    ),
                );
            }
            Resolved::NotFound => report.fail("fetch", format!("{url} does not exist")),
            Resolved::Unavailable(why) => report.skip("fetch", why),
            Resolved::Page(_) => report.fail(
                "fetch",
                format!("{url} is a web page that names no badge document (no <link rel=\"alternate\" type=\"application/ld+json\">)"),
            ),
        }
    } else {
        report.fail("format", "neither a PNG, an SVG, JSON, a JWS nor a URL");
    }
    report.finish()
}

/// An OB 2.0 Assertion by its type (alone or among others: the structure check then says
/// what is wrong).
fn is_ob2_assertion(doc: &Value) -> bool {
    match &doc["type"] {
        Value::String(t) => t == "Assertion",
        Value::Array(list) => list.iter().any(|t| t == "Assertion"),
        _ => false,
    }
}

fn is_ob3(doc: &Value) -> bool {
    doc["@context"]
        .as_array()
        .and_then(|c| c.first())
        .and_then(Value::as_str)
        .is_some_and(|c| {
            c == "https://www.w3.org/ns/credentials/v2"
                || c == "https://www.w3.org/2018/credentials/v1"
        })
}

/// `sha256$hex(sha256(email + salt))` compared with a hashed identity, or plain equality.
fn identity_matches(email: &str, hashed: bool, salt: Option<&str>, identity: &str) -> bool {
    use sha2::{Digest, Sha256};
    let email = email.trim().to_lowercase();
    if !hashed {
        return identity.trim().eq_ignore_ascii_case(&email);
    }
    let Some(hex) = identity.strip_prefix("sha256$") else {
        return false;
    };
    let digest = Sha256::digest(format!("{email}{}", salt.unwrap_or("")).as_bytes());
    hex.eq_ignore_ascii_case(&::hex::encode(digest))
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}
