//! `GET /verify`: the page where anyone pastes a badge URL, JWS or JSON, or drops an image, and
//! reads the verdict check by check, in French (default) or English. No JavaScript needed.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::http::error::ApiError;
use crate::http::extract::form_fields;
use crate::http::public::pages::LangQuery;
use crate::i18n::Lang;
use crate::service::Insigne;
use crate::verify::{Status, Verdict};

pub fn router() -> Router<Insigne> {
    Router::new().route(
        "/verify",
        get(page)
            .post(submit)
            .layer(DefaultBodyLimit::max(super::VERIFY_FORM_MAX_BYTES)),
    )
}

struct CheckView {
    /// "Signature : Réussi." — what was checked and how it went, in the page's language.
    line: String,
    message: String,
    /// The language of `message` when it is not the page's (the verifier's details are English).
    message_lang: Option<&'static str>,
}

/// The translation key of what a check of the verifier looks at.
fn check_key(name: &str) -> &'static str {
    match name {
        "input" => "check-input",
        "unbake" => "check-unbake",
        "format" => "check-format",
        "fetch" => "check-fetch",
        "structure" | "assertion" => "check-structure",
        "badge-class" => "check-badge-class",
        "issuer" => "check-issuer",
        "contexts" => "check-contexts",
        "json-schema" => "check-json-schema",
        "proof" | "signature" | "jwt-signature" => "check-signature",
        "jwt-alg" => "check-jwt-alg",
        "jwt-claims" => "check-jwt-claims",
        "key-owner" => "check-key-owner",
        "verification-policy" => "check-verification-policy",
        "hosted" => "check-hosted",
        "issued-on" | "valid-from" => "check-issued-on",
        "expiry" => "check-expiry",
        "status" | "revocation" => "check-revocation",
        "recipient" => "check-recipient",
        "endorsement" => "check-endorsement",
        "limits" => "check-limits",
        "deadline" => "check-deadline",
        _ => "check-other",
    }
}

struct ResultView {
    class: &'static str,
    verdict: String,
    name: String,
    checks: Vec<CheckView>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    t: Lang,
    switch_url: String,
    input: String,
    recipient: String,
    result: Option<ResultView>,
}

fn render(page: VerifyPage) -> Result<Response, ApiError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("verify page template")))?;
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::http::public::pages::PAGE_POLICY),
    );
    Ok(response)
}

async fn page(Query(q): Query<LangQuery>, headers: HeaderMap) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    render(VerifyPage {
        t,
        switch_url: format!("/verify?lang={}", t.other().code()),
        input: String::new(),
        recipient: String::new(),
        result: None,
    })
}

async fn submit(
    State(app): State<Insigne>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let mut fields = form_fields(form).await?;
    let text = |name: &str| {
        fields
            .get(name)
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
    };
    let (input, recipient, lang) = (
        text("input").unwrap_or_default(),
        text("recipient").unwrap_or_default(),
        text("lang"),
    );
    let file = fields.remove("file").unwrap_or_default();
    let t = Lang::negotiate(lang.as_deref(), &headers);
    let data = if file.is_empty() {
        input.clone().into_bytes()
    } else {
        file
    };
    let result = if data.is_empty() {
        None
    } else {
        let recipient = Some(recipient.clone()).filter(|r| !r.is_empty());
        let Ok(report) = crate::http::verify::run(&app, &data, recipient).await else {
            return busy(t, input);
        };
        let warned = report.checks.iter().any(|c| c.status == Status::Warning);
        // A signature that holds by a key nobody vouches for: said in words beside the verdict.
        let intact_only = report
            .checks
            .iter()
            .any(|c| c.name == "key-owner" && c.status == Status::Failed)
            && report.checks.iter().any(|c| {
                matches!(c.name.as_str(), "proof" | "jwt-signature") && c.status == Status::Passed
            });
        let (class, verdict) = match report.verdict() {
            Verdict::Valid if warned => ("valid", t.t("verdict-valid-warnings")),
            Verdict::Valid => ("valid", t.t("verdict-valid")),
            Verdict::Invalid if intact_only => (
                "invalid",
                format!("{} {}", t.t("verdict-invalid"), t.t("verdict-intact-only")),
            ),
            Verdict::Invalid => ("invalid", t.t("verdict-invalid")),
            Verdict::Unknown => ("unknown", t.t("verdict-unknown")),
            Verdict::NotABadge => ("invalid", t.t("verdict-not-a-badge")),
        };
        Some(ResultView {
            class,
            verdict,
            name: report.credential["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            checks: report
                .checks
                .iter()
                .map(|c| {
                    let status = t.t(match c.status {
                        Status::Passed => "check-passed",
                        Status::Failed => "check-failed",
                        Status::Warning => "check-warning",
                        Status::Skipped => "check-skipped",
                    });
                    CheckView {
                        line: t.t_with(
                            "check-line",
                            &[("label", &t.t(check_key(&c.name))), ("status", &status)],
                        ),
                        message_lang: (t != Lang::En).then_some("en"),
                        message: c.message.clone(),
                    }
                })
                .collect(),
        })
    };
    render(VerifyPage {
        t,
        switch_url: format!("/verify?lang={}", t.other().code()),
        input,
        recipient,
        result,
    })
}

/// The page again with its input, saying that the verifier is busy (503, `Retry-After`).
fn busy(t: Lang, input: String) -> Result<Response, ApiError> {
    let mut response = render(VerifyPage {
        t,
        switch_url: format!("/verify?lang={}", t.other().code()),
        input,
        recipient: String::new(),
        result: Some(ResultView {
            class: "unknown",
            verdict: t.t("verdict-busy"),
            name: String::new(),
            checks: Vec::new(),
        }),
    })?;
    *response.status_mut() = axum::http::StatusCode::SERVICE_UNAVAILABLE;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check the verifier reports (its `pass`/`fail`/`warn`/`skip` names, read from its
    /// source) has its own label in both languages: a new check cannot reach the page as
    /// "other check".
    #[test]
    fn every_check_of_the_verifier_has_a_label() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/verify");
        let mut names = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).expect("src/verify") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            for call in [".pass(", ".fail(", ".warn(", ".skip("] {
                for (i, _) in text.match_indices(call) {
                    let rest = text[i + call.len()..].trim_start();
                    if let Some(name) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        assert!(names.len() > 15, "{names:?}");
        for name in &names {
            let key = check_key(name);
            assert_ne!(key, "check-other", "the check {name:?} has no label");
            assert!(Lang::Fr.has(key) && Lang::En.has(key), "{key}");
        }
        assert!(Lang::Fr.has("check-other") && Lang::En.has("check-other"));
    }
}
