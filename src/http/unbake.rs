//! `POST /api/v1/unbake` (public): the badges baked in an uploaded PNG or SVG.

use axum::extract::DefaultBodyLimit;
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::error::ApiError;
use super::extract::RawBody;
use crate::bake::{self, BakeError, Unbaked};
use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new().routes(routes!(unbake).layer(DefaultBodyLimit::max(bake::MAX_IMAGE_BYTES)))
}

/// What an image carries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnbakedBadges {
    /// Every badge found (a PNG may carry an OB 2.0 and an OB 3.0 one).
    pub badges: Vec<Unbaked>,
}

/// Reads every badge baked in the uploaded PNG or SVG (the request body, any content type).
#[utoipa::path(
    post,
    path = "/api/v1/unbake",
    tag = "baking",
    request_body(
        content(
            (Vec<u8> = "image/png"),
            (String = "image/svg+xml"),
            (Vec<u8> = "application/octet-stream"),
        ),
        description = "A PNG or SVG badge image",
    ),
    responses(
        (status = 200, description = "The badges baked in the image", body = UnbakedBadges),
        (status = 413, description = "Larger than 16 MiB"),
        (status = 422, description = "Not an image, malformed, or no badge"),
    ),
)]
pub(crate) async fn unbake(RawBody(body): RawBody) -> Result<Json<UnbakedBadges>, ApiError> {
    let badges = bake::unbake_any(&body).map_err(|e| match e {
        BakeError::TooLarge => ApiError::TooLarge(bake::MAX_IMAGE_BYTES / (1024 * 1024)),
        other => ApiError::BadImage(other.to_string()),
    })?;
    Ok(Json(UnbakedBadges { badges }))
}
