//! `POST /api/v1/verify`: any badge in, the report out. The body is JSON `{"url"}` or
//! `{"credential"}` (a credential object, or a JWS/JWT string), with an optional `"recipient"`
//! email; or the raw badge: `text/plain` (JWS, JWT, JSON or URL), `image/png`, `image/svg+xml`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{media_type, parse_json};
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
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Report>, ApiError> {
    let mime = media_type(&headers);
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
            "application/json ({\"url\"} or {\"credential\"}), text/plain, image/png or image/svg+xml",
        ));
    };
    let options = Options {
        now: app.clock.now(),
        recipient_email: recipient,
    };
    let resolver = LocalResolver::new(app.clone());
    Ok(Json(
        verify::verify_bytes(&input, &resolver, &options).await,
    ))
}
