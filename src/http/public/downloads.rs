//! Baked badge images.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::domain::AwardId;
use crate::http::error::ApiError;
use crate::service::{BakedForm, Insigne};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/badges/{id}/badge.png", get(png))
        .route("/badges/{id}/badge.svg", get(svg))
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
