//! `POST /api/v1/verify`: any badge in, the report out. The body is JSON `{"url"}` or
//! `{"credential"}` (a credential object, or a JWS/JWT string), with an optional `"recipient"`
//! email; or the raw badge: `text/plain` (JWS, JWT, JSON or URL), `image/png`, `image/svg+xml`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::error::ApiError;
use super::extract::{form_fields, media_type, parse_json};
use super::resolve::LocalResolver;
use crate::service::Insigne;
use crate::verify::{self, Options, Report};

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(verify_any).layer(DefaultBodyLimit::max(verify::MAX_INPUT_BYTES)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    url: Option<String>,
    credential: Option<serde_json::Value>,
    recipient: Option<String>,
}

/// A badge to verify, by its address or as it is: `url` or `credential`, not both. (The
/// document's form of [`VerifyRequest`], which is read by hand to say what is wrong.)
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum VerifyBody {
    Url(ByUrl),
    Credential(ByCredential),
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ByUrl {
    /// Where the badge is published (an OB 2.0 Assertion, an OB 3.0 credential, a baked image).
    #[schema(format = "uri")]
    url: String,
    /// The email address the badge is expected to be awarded to.
    recipient: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct ByCredential {
    credential: CredentialInput,
    /// The email address the badge is expected to be awarded to.
    recipient: Option<String>,
}

/// The badge itself: a compact JWS or JWT, or a JSON document.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum CredentialInput {
    Compact(String),
    Document(std::collections::BTreeMap<String, serde_json::Value>),
}

/// The verifier's form: the badge as a file (no other field).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read by hand from the multipart body; declared for the document.
pub(crate) struct VerifyForm {
    /// The badge: a baked PNG or SVG, or a file holding the JSON, JWS or JWT.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The email address the badge is expected to be awarded to.
    recipient: Option<String>,
}

/// Verifies any badge: proof, issuer, status, dates, recipient. The answer is a report, whatever
/// its verdict; an input that is no badge at all is refused (422).
#[utoipa::path(
    post,
    path = "/api/v1/verify",
    tag = "verification",
    request_body(
        content(
            (VerifyBody = "application/json"),
            (String = "text/plain"),
            (Vec<u8> = "image/png"),
            (String = "image/svg+xml"),
            (VerifyForm = "multipart/form-data"),
        ),
        description = "The badge: JSON {url} or {credential}, the raw text (JWS, JWT, JSON or a URL), a baked image, or a form with a file",
    ),
    params(("X-Recipient-Email" = Option<String>, Header, description = "For a raw body: the email address the badge is expected to be awarded to")),
    responses(
        (status = 200, description = "The report: valid, the checks one by one, what the badge says", body = Report),
        (status = 400, description = "Not JSON, or neither url nor credential"),
        (status = 413, description = "The badge is too large"),
        (status = 415, description = "A media type the verifier does not read"),
        (status = 422, description = "Not a badge at all"),
        (status = 503, description = "The verifier is busy; retry after the Retry-After delay",
         headers(("Retry-After" = String, description = "Seconds to wait"))),
    ),
)]
pub(crate) async fn verify_any(
    State(app): State<Insigne>,
    request: Request,
) -> Result<Json<Report>, ApiError> {
    let headers: HeaderMap = request.headers().clone();
    let mime = media_type(&headers);
    if mime == "multipart/form-data" {
        let form =
            Multipart::from_request(request, &app)
                .await
                .map_err(|e| ApiError::BadField {
                    field: "(form)".into(),
                    message: e.body_text(),
                })?;
        let mut fields = form_fields(form).await?;
        let Some(file) = fields.remove("file") else {
            return Err(ApiError::BadField {
                field: "file".into(),
                message: "the form has no file".into(),
            });
        };
        let recipient = fields
            .remove("recipient")
            .map(|r| String::from_utf8_lossy(&r).trim().to_string())
            .filter(|r| !r.is_empty());
        if let Some(unknown) = fields.keys().next() {
            return Err(ApiError::BadField {
                field: unknown.clone(),
                message: format!("{unknown:?} is no field of the form (file, recipient)"),
            });
        }
        if file.is_empty() {
            return Err(ApiError::NotABadge("the file is empty".into()));
        }
        return answer(run(&app, &file, recipient).await?);
    }
    let body = Bytes::from_request(request, &app).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(verify::MAX_INPUT_BYTES / (1024 * 1024))
        } else {
            ApiError::BadJson(e.body_text())
        }
    })?;
    let (input, recipient): (Vec<u8>, Option<String>) = if mime == "application/json" {
        let req: VerifyRequest = parse_json(&body)?;
        match (req.url, req.credential) {
            (Some(url), None) => (url.into_bytes(), req.recipient),
            (None, Some(serde_json::Value::String(text))) => (text.into_bytes(), req.recipient),
            (None, Some(doc)) => (doc.to_string().into_bytes(), req.recipient),
            _ => {
                return Err(ApiError::BadField {
                    field: "(body)".into(),
                    message: "give either url or credential".into(),
                })
            }
        }
    } else if matches!(
        mime.as_str(),
        "text/plain" | "image/png" | "image/svg+xml" | "application/octet-stream"
    ) {
        (
            body.to_vec(),
            headers
                .get("x-recipient-email")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        )
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "application/json ({\"url\"} or {\"credential\"}), text/plain, image/png, image/svg+xml or multipart/form-data (file)",
        ));
    };
    answer(run(&app, &input, recipient).await?)
}

/// A report is the answer (200, whatever its verdict), unless the input is no badge at all.
fn answer(report: Report) -> Result<Json<Report>, ApiError> {
    if report.verdict() == verify::Verdict::NotABadge {
        let why = report.errors.first().cloned().unwrap_or_default();
        return Err(ApiError::NotABadge(why));
    }
    Ok(Json(report))
}

/// Verifies `input` as the service does for every surface: admitted to the CPU pool (or
/// refused at once when it is full), within the configured deadline.
pub(crate) async fn run(
    app: &Insigne,
    input: &[u8],
    recipient: Option<String>,
) -> Result<Report, crate::cpu::Busy> {
    let _admitted = app.cpu.admit()?;
    let options = Options {
        recipient_email: recipient,
        deadline: app.verify_deadline,
        cpu: Some(app.cpu.clone()),
        ..Options::at(app.clock.now())
    };
    Ok(verify::verify_bytes(input, &LocalResolver::new(app.clone()), &options).await)
}
