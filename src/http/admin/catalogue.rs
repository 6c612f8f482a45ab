//! `PUT /api/v1/catalogue` (admin): the whole catalogue, as the TOML file.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::{media_type, RawBody};
use crate::service::{CatalogueLoaded, Insigne};

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new().routes(routes!(load))
}

/// The whole catalogue, as the TOML file (images as data URIs).
#[utoipa::path(
    put,
    path = "/api/v1/catalogue",
    tag = "catalogue",
    request_body(
        content((String = "application/toml"), (String = "text/plain")),
        description = "The catalogue file (UTF-8)",
    ),
    responses(
        (status = 200, description = "What was loaded, and how many learners were marked for evaluation against it (`learners_marked`)", body = CatalogueLoaded),
        (status = 400, description = "Not UTF-8 text"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "Not application/toml"),
        (status = 422, description = "The catalogue is refused (entry and field named)"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn load(
    State(app): State<Insigne>,
    _: Admin,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<CatalogueLoaded>, ApiError> {
    let mime = media_type(&headers);
    if !matches!(
        mime.as_str(),
        "application/toml" | "text/plain" | "text/x-toml"
    ) {
        return Err(ApiError::UnsupportedMediaType(
            "the catalogue file (Content-Type: application/toml)",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadJson("the catalogue is not UTF-8 text".into()))?;
    let loaded = app
        .load_catalogue(text.trim_start_matches('\u{feff}'), None)
        .await?;
    Ok(Json(loaded))
}
