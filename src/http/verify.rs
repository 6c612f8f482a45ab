//! `POST /api/v1/verify`: any badge in, the report out. The body is JSON `{"url"}` or
//! `{"credential"}` (a credential object, or a JWS/JWT string), with an optional `"recipient"`
//! email; or the raw badge: `text/plain` (JWS, JWT, JSON or URL), `image/png`, `image/svg+xml`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{form_fields, media_type, parse_json};
use super::resolve::LocalResolver;
use crate::service::Insigne;
use crate::verify::{self, Options, Report};

pub fn router() -> Router<Insigne> {
    Router::new().route(
        "/api/v1/verify",
        post(verify_any).layer(DefaultBodyLimit::max(verify::MAX_INPUT_BYTES)),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    url: Option<String>,
    credential: Option<serde_json::Value>,
    recipient: Option<String>,
}

async fn verify_any(
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
        let file = fields.remove("file").unwrap_or_default();
        let recipient = fields
            .get("recipient")
            .map(|r| String::from_utf8_lossy(r).trim().to_string())
            .filter(|r| !r.is_empty());
        if file.is_empty() {
            return Err(ApiError::BadField {
                field: "file".into(),
                message: "the form has no file".into(),
            });
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
