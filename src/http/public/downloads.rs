//! Baked badge images.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::domain::AwardId;
use crate::http::cache::revalidated;
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

/// A baked image, tagged: its bytes never change for a given award and key, so a link
/// preview or a browser that holds it gets a 304 without a body.
fn image(request: &HeaderMap, bytes: Vec<u8>, mime: &'static str, filename: String) -> Response {
    let mut response = revalidated(request, mime, bytes, None);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
    );
    response
}

async fn png(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<FormQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = award_id(&raw)?;
    let bytes = app.baked_png(id, form(&q)?).await?;
    Ok(image(
        &headers,
        bytes,
        "image/png",
        format!("badge-{id}.png"),
    ))
}

async fn svg(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<FormQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = award_id(&raw)?;
    let bytes = app.baked_svg(id, form(&q)?).await?;
    Ok(image(
        &headers,
        bytes,
        "image/svg+xml",
        format!("badge-{id}.svg"),
    ))
}
