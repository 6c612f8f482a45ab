//! `GET /verify`: the page where anyone pastes a badge URL, JWS or JSON, or drops an image, and
//! reads the verdict check by check, in French (default) or English. No JavaScript needed.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::http::error::ApiError;
use crate::http::extract::form_fields;
use crate::http::resolve::LocalResolver;
use crate::service::Insigne;
use crate::verify::{self, Options, Status, Verdict};

pub fn router() -> Router<Insigne> {
    Router::new().route(
        "/verify",
        get(page)
            .post(submit)
            .layer(DefaultBodyLimit::max(verify::MAX_INPUT_BYTES + 64 * 1024)),
    )
}

struct Texts {
    lang: &'static str,
    other_lang: &'static str,
    other_label: &'static str,
    title: &'static str,
    intro: &'static str,
    paste: &'static str,
    file: &'static str,
    recipient: &'static str,
    submit: &'static str,
    result: &'static str,
    valid: &'static str,
    valid_with_warnings: &'static str,
    invalid: &'static str,
    unknown: &'static str,
    passed: &'static str,
    failed: &'static str,
    warning: &'static str,
    skipped: &'static str,
    /// ": " in English, a no-break space before it in French.
    colon: &'static str,
}

const FR: Texts = Texts {
    lang: "fr",
    other_lang: "en",
    other_label: "English",
    title: "Vérifier un badge",
    intro: "Collez l'adresse d'un badge, un badge signé (JWS ou JWT) ou son JSON, ou choisissez l'image du badge (PNG ou SVG).",
    paste: "Adresse, JWS, JWT ou JSON du badge",
    file: "Ou l'image du badge (PNG ou SVG)",
    recipient: "Adresse électronique du titulaire (facultatif)",
    submit: "Vérifier",
    result: "Résultat",
    valid: "Badge authentique, en cours de validité et non révoqué.",
    valid_with_warnings: "Badge authentique, en cours de validité et non révoqué, avec des réserves : lisez les avertissements.",
    invalid: "Badge non valide : voir les vérifications en échec.",
    unknown: "Vérification incomplète : certaines vérifications n'ont pas pu être faites.",
    passed: "Réussi",
    failed: "Échec",
    warning: "Avertissement",
    skipped: "Non vérifié",
    colon: "\u{a0}: ",
};

const EN: Texts = Texts {
    lang: "en",
    other_lang: "fr",
    other_label: "Français",
    title: "Verify a badge",
    intro: "Paste a badge's URL, a signed badge (JWS or JWT) or its JSON, or choose the badge image (PNG or SVG).",
    paste: "The badge's URL, JWS, JWT or JSON",
    file: "Or the badge image (PNG or SVG)",
    recipient: "The holder's email address (optional)",
    submit: "Verify",
    result: "Result",
    valid: "Genuine badge, current and not revoked.",
    valid_with_warnings: "Genuine badge, current and not revoked, with reservations: read the warnings.",
    invalid: "Invalid badge: see the failed checks.",
    unknown: "Incomplete verification: some checks could not be made.",
    passed: "Passed",
    failed: "Failed",
    warning: "Warning",
    skipped: "Not checked",
    colon: ": ",
};

struct CheckView {
    label: &'static str,
    status: &'static str,
    message: String,
    /// The language of `message` when it is not the page's (the verifier's details are English).
    message_lang: Option<&'static str>,
}

/// What each check of the verifier looks at, in words, in French and in English.
fn check_label(name: &str, lang: &str) -> &'static str {
    let (fr, en) = match name {
        "input" => ("Fichier reçu", "Input"),
        "unbake" => ("Badge intégré à l'image", "Badge baked in the image"),
        "format" => ("Format du badge", "Badge format"),
        "fetch" => ("Téléchargement du badge", "Fetching the badge"),
        "structure" | "assertion" => ("Champs obligatoires", "Required fields"),
        "badge-class" => ("Description du badge", "Badge class"),
        "issuer" => ("Profil de l'émetteur", "Issuer profile"),
        "contexts" => (
            "Vocabulaire (contextes JSON-LD)",
            "Vocabulary (JSON-LD contexts)",
        ),
        "json-schema" => ("Schéma JSON", "JSON Schema"),
        "proof" | "signature" | "jwt-signature" => ("Signature", "Signature"),
        "jwt-alg" => ("Algorithme de signature", "Signature algorithm"),
        "jwt-claims" => ("Contenu du jeton signé", "Signed token claims"),
        "key-owner" => ("Clé de l'émetteur", "Issuer's key"),
        "verification-policy" => (
            "Adresse autorisée par l'émetteur",
            "Issuer's verification policy",
        ),
        "hosted" => ("Badge publié par l'émetteur", "Badge hosted by the issuer"),
        "issued-on" | "valid-from" => ("Date d'émission", "Issue date"),
        "expiry" => ("Date d'expiration", "Expiry"),
        "status" | "revocation" => ("Révocation", "Revocation"),
        "recipient" => ("Titulaire", "Holder"),
        "endorsement" => ("Recommandation", "Endorsement"),
        _ => ("Autre vérification", "Other check"),
    };
    if lang == "en" {
        en
    } else {
        fr
    }
}

struct ResultView {
    class: &'static str,
    verdict: &'static str,
    name: String,
    checks: Vec<CheckView>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    t: &'static Texts,
    input: String,
    recipient: String,
    result: Option<ResultView>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn texts(lang: Option<&str>, headers: &HeaderMap) -> &'static Texts {
    let wanted = lang.map(str::to_string).or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_ascii_lowercase())
    });
    match wanted.as_deref() {
        Some(l) if l.starts_with("en") => &EN,
        _ => &FR,
    }
}

fn render(page: VerifyPage) -> Result<Response, ApiError> {
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("verify page template: {e}")))?;
    Ok(Html(html).into_response())
}

async fn page(Query(q): Query<LangQuery>, headers: HeaderMap) -> Result<Response, ApiError> {
    render(VerifyPage {
        t: texts(q.lang.as_deref(), &headers),
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
    let t = texts(lang.as_deref(), &headers);
    let data = if file.is_empty() {
        input.clone().into_bytes()
    } else {
        file
    };
    let result = if data.is_empty() {
        None
    } else {
        let options = Options {
            now: app.clock.now(),
            recipient_email: Some(recipient.clone()).filter(|r| !r.is_empty()),
        };
        let report = verify::verify_bytes(&data, &LocalResolver::new(app.clone()), &options).await;
        let warned = report.checks.iter().any(|c| c.status == Status::Warning);
        let (class, verdict) = match report.verdict() {
            Verdict::Valid if warned => ("valid", t.valid_with_warnings),
            Verdict::Valid => ("valid", t.valid),
            Verdict::Invalid => ("invalid", t.invalid),
            Verdict::Unknown => ("unknown", t.unknown),
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
                .map(|c| CheckView {
                    label: check_label(&c.name, t.lang),
                    message_lang: (t.lang != "en").then_some("en"),
                    status: match c.status {
                        Status::Passed => t.passed,
                        Status::Failed => t.failed,
                        Status::Warning => t.warning,
                        Status::Skipped => t.skipped,
                    },
                    message: c.message.clone(),
                })
                .collect(),
        })
    };
    render(VerifyPage {
        t,
        input,
        recipient,
        result,
    })
}
