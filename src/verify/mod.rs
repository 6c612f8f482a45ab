//! The verifier: any badge in (JSON, JWS/JWT, baked PNG or SVG), a report out, check by check.
//!
//! Documents a badge refers to (keys, DID documents, status lists, revocation lists) come
//! through a `Resolver`: insigne's own are answered locally, did:key is computed. A check whose
//! document cannot be had is reported as "could not check" (skipped), never as passed: the
//! verdict is then unknown, not valid.

pub mod fetch;
pub mod limits;
mod ob2;
mod ob3;
pub mod resolve;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

pub use resolve::{Resolved, Resolver};

use crate::bake::{self, Generation};
use crate::cpu::CpuPool;

/// The largest input accepted, bytes.
pub const MAX_INPUT_BYTES: usize = bake::MAX_IMAGE_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    /// The input is no badge at all (random bytes, a photo, an image with nothing baked, JSON
    /// of another kind): bad input rather than a badge that fails.
    NotABadge,
}

/// What the verifier found.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The proof holds, the issuer is proven, the badge is neither revoked nor expired.
    pub valid: bool,
    pub format: Option<Format>,
    pub checks: Vec<Check>,
    /// What the badge says: name, issuer, dates.
    #[schema(value_type = Option<Object>)]
    pub credential: Value,
    pub errors: Vec<String>,
    /// Set when the input is no badge at all.
    #[serde(skip)]
    not_a_badge: bool,
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

    /// A failed check that says the input is no badge at all.
    pub(crate) fn not_a_badge(&mut self, name: &str, message: impl Into<String>) {
        self.not_a_badge = true;
        self.fail(name, message);
    }

    pub fn verdict(&self) -> Verdict {
        if self.not_a_badge {
            Verdict::NotABadge
        } else if self.checks.is_empty() || self.checks.iter().any(|c| c.status == Status::Failed) {
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

/// How long a whole verification may take, every fetch included, unless configured.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// What to verify against: the time, optionally the recipient's email; how long it may take
/// and where its CPU-bound steps run.
#[derive(Debug, Clone)]
pub struct Options {
    pub now: DateTime<Utc>,
    pub recipient_email: Option<String>,
    /// One deadline for the whole verification: a fetch still running then is "could not
    /// check".
    pub deadline: Duration,
    /// The pool for canonicalisation, signatures and decoding; in place when `None`.
    pub cpu: Option<CpuPool>,
}

impl Options {
    /// At `now`, no recipient, the default deadline, CPU-bound steps in place.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now,
            recipient_email: None,
            deadline: DEADLINE,
            cpu: None,
        }
    }

    /// Runs a CPU-bound step where the options say.
    pub(crate) async fn compute<T, F>(&self, job: F) -> Result<T, crate::cpu::Lost>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        crate::cpu::run_on(self.cpu.as_ref(), job).await
    }
}

/// A resolver whose every answer comes before one deadline, or is "could not check".
struct Deadlined<'a> {
    inner: &'a dyn Resolver,
    until: tokio::time::Instant,
    budget: Duration,
}

impl Resolver for Deadlined<'_> {
    fn get<'a>(&'a self, url: &'a str) -> resolve::ResolveFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout_at(self.until, self.inner.get(url)).await {
                Ok(answer) => answer,
                Err(_) => Resolved::Unavailable(format!(
                    "{url} was not had within the verification's {} s",
                    self.budget.as_secs_f32()
                )),
            }
        })
    }
}

/// Verifies any badge given as bytes (a file, an upload, a pasted text), within the options'
/// deadline: the fetches share it, and a verification still running when it passes (it
/// should not: every step is bounded) is answered "could not check".
pub async fn verify_bytes(input: &[u8], resolver: &dyn Resolver, options: &Options) -> Report {
    let until = tokio::time::Instant::now() + options.deadline;
    let bounded = Deadlined {
        inner: resolver,
        until,
        budget: options.deadline,
    };
    // A little past the fetches' deadline, so that a fetch timing out is reported as such.
    let grace = until + Duration::from_millis(500);
    match tokio::time::timeout_at(grace, verify_within(input, &bounded, options)).await {
        Ok(report) => report,
        Err(_) => {
            let mut report = Report::default();
            report.skip(
                "deadline",
                format!(
                    "the verification did not finish within {} s",
                    options.deadline.as_secs_f32()
                ),
            );
            report.finish()
        }
    }
}

async fn verify_within(input: &[u8], resolver: &dyn Resolver, options: &Options) -> Report {
    let mut report = Report::default();
    if input.len() > MAX_INPUT_BYTES {
        report.not_a_badge(
            "input",
            format!("larger than {} MiB", MAX_INPUT_BYTES / (1024 * 1024)),
        );
        return report.finish();
    }
    if let Some(kind) = bake::sniff(input) {
        let bytes = input.to_vec();
        let unbaked = match options.compute(move || bake::unbake_any(&bytes)).await {
            Ok(unbaked) => unbaked,
            Err(lost) => {
                report.skip("unbake", lost.to_string());
                return report.finish();
            }
        };
        match unbaked {
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
                report.not_a_badge("unbake", "an image with no baked badge");
            }
            Err(e) => report.not_a_badge("unbake", e.to_string()),
        }
        return report.finish();
    }
    match std::str::from_utf8(input) {
        Ok(text) => verify_text(text, resolver, options, report).await,
        Err(_) => {
            report.not_a_badge("input", "neither a PNG, an SVG, JSON nor a JWS");
            report.finish()
        }
    }
}

/// Parses a document the verifier will read, and holds it to the limits before anything else
/// looks at it.
async fn parse_within_limits(text: &str, options: &Options) -> Result<Value, String> {
    let text = text.to_string();
    let parsed = options
        .compute(move || {
            // serde_json refuses nesting deeper than 128, the limits 24.
            let doc = serde_json::from_str::<Value>(&text).map_err(|e| format!("not JSON: {e}"))?;
            match limits::exceeded(&doc) {
                None => Ok(doc),
                Some(what) => Err(format!("{what}: more than insigne reads of a badge")),
            }
        })
        .await;
    parsed.map_err(|lost| lost.to_string())?
}

async fn verify_text(
    text: &str,
    resolver: &dyn Resolver,
    options: &Options,
    mut report: Report,
) -> Report {
    let text = text.trim().trim_start_matches('\u{feff}');
    if text.starts_with('{') {
        match parse_within_limits(text, options).await {
            Ok(doc) => {
                if is_ob3(&doc) {
                    report.format = Some(Format::Ob3Json);
                    ob3::verify_json(&doc, resolver, options, &mut report).await;
                } else if is_ob2_assertion(&doc) {
                    report.format = Some(Format::Ob2Hosted);
                    ob2::verify_hosted(&doc, resolver, options, &mut report).await;
                } else {
                    report.not_a_badge(
                        "format",
                        "JSON that is neither an OB 3.0 credential nor an OB 2.0 Assertion",
                    );
                }
            }
            Err(e) if e.starts_with("not JSON") => report.not_a_badge("format", e),
            Err(e) => report.fail("limits", e),
        }
    } else if text.split('.').count() == 3 && !text.contains(char::is_whitespace) {
        let payload = crate::proof::jws::unverified_payload_text(text);
        let payload = match payload {
            Some(json) if json.trim_start().starts_with('{') => {
                parse_within_limits(&json, options).await
            }
            _ => Err("not JSON".to_string()),
        };
        match payload {
            Ok(payload) if is_ob3(&payload) || payload.get("vc").is_some() => {
                report.format = Some(Format::Ob3Jwt);
                ob3::verify_jwt(text, &payload, resolver, options, &mut report).await;
            }
            Ok(payload) if is_ob2_assertion(&payload) => {
                report.format = Some(Format::Ob2Signed);
                ob2::verify_signed(text, &payload, resolver, options, &mut report).await;
            }
            Ok(_) => report.not_a_badge("format", "a JWS whose payload is no badge"),
            Err(e) if e.starts_with("not JSON") => {
                report.not_a_badge("format", "a JWS whose payload is not JSON")
            }
            Err(e) => report.fail("limits", e),
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
        report.not_a_badge("format", "neither a PNG, an SVG, JSON, a JWS nor a URL");
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
