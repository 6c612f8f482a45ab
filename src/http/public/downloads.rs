//! Baked badge images, and reading the badge out of an uploaded one.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::bake::{self, BakeError, Generation, ImageFormat};
use crate::domain::AwardId;
use crate::http::error::ApiError;
use crate::service::{BakedForm, Insigne};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/badges/{id}/badge.png", get(png))
        .route("/badges/{id}/badge.svg", get(svg))
        .route(
            "/api/v1/unbake",
            post(unbake).layer(DefaultBodyLimit::max(bake::MAX_IMAGE_BYTES)),
        )
}

#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    /// `signed` (default) or `hosted`.
    form: Option<String>,
}

fn form(q: &FormQuery) -> Result<BakedForm, ApiError> {
    match q.form.as_deref() {
        None | Some("signed") => Ok(BakedForm::Signed),
        Some("hosted") => Ok(BakedForm::Hosted),
        Some(other) => Err(ApiError::BadField {
            field: "form".into(),
            message: format!("form must be signed or hosted, not {other:?}"),
        }),
    }
}

fn award_id(raw: &str) -> Result<AwardId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no badge with id {raw}")))
}

fn image(bytes: Vec<u8>, mime: &'static str, filename: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:".into(),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn png(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<Response, ApiError> {
    let id = award_id(&raw)?;
    let bytes = app.baked_png(id, form(&q)?).await?;
    Ok(image(bytes, "image/png", format!("badge-{id}.png")))
}

async fn svg(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<Response, ApiError> {
    let id = award_id(&raw)?;
    let bytes = app.baked_svg(id, form(&q)?).await?;
    Ok(image(bytes, "image/svg+xml", format!("badge-{id}.svg")))
}

/// Reads every badge baked in the uploaded PNG or SVG (the request body, any content type).
#[utoipa::path(
    post,
    path = "/api/v1/unbake",
    tag = "baking",
    request_body(content = String, content_type = "image/png", description = "A PNG or SVG badge image"),
    responses((status = 200, description = "The badges baked in the image"), (status = 413, description = "Larger than 16 MiB"), (status = 422, description = "Not an image, malformed, or no badge")),
)]
pub(crate) async fn unbake(body: Bytes) -> Result<Json<Value>, ApiError> {
    let found = bake::unbake_any(&body).map_err(|e| match e {
        BakeError::TooLarge => ApiError::TooLarge(bake::MAX_IMAGE_BYTES / (1024 * 1024)),
        other => ApiError::BadImage(other.to_string()),
    })?;
    let badges: Vec<Value> = found
        .into_iter()
        .map(|u| {
            json!({
                "generation": match u.generation { Generation::Ob2 => "ob2", Generation::Ob3 => "ob3" },
                "image": match u.format { ImageFormat::Png => "png", ImageFormat::Svg => "svg" },
                "payload": u.payload,
            })
        })
        .collect();
    Ok(Json(json!({ "badges": badges })))
}
