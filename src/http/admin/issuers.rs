//! Issuers (admin): create, list, read, update.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::path_id;
use crate::auth::Admin;
use crate::domain::IssuerId;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::service::inputs::IssuerInput;
use crate::service::views::{IssuerView, Items};
use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
}

#[utoipa::path(
    post,
    path = "/api/v1/issuers",
    tag = "issuers",
    request_body = IssuerInput,
    responses(
        (status = 201, description = "The issuer, with its id", body = IssuerView,
         headers(("Location" = String, description = "The issuer's address in the API"))),
        (status = 400, description = "Not JSON, or a field of the wrong type"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "A field is wrong (named in the error)"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn create(
    State(app): State<Insigne>,
    _: Admin,
    JsonBody(input): JsonBody<IssuerInput>,
) -> Result<impl IntoResponse, ApiError> {
    let issuer = app.create_issuer(&input).await?;
    let location = format!("/api/v1/issuers/{}", issuer.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(app.issuer_view(&issuer)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/issuers",
    tag = "issuers",
    responses((status = 200, description = "Every issuer", body = Items<IssuerView>)),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn list(
    State(app): State<Insigne>,
    _: Admin,
) -> Result<Json<Items<IssuerView>>, ApiError> {
    let issuers = app.issuers().await?;
    Ok(Json(
        issuers
            .iter()
            .map(|i| app.issuer_view(i))
            .collect::<Vec<_>>()
            .into(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/issuers/{id}",
    tag = "issuers",
    params(("id" = String, Path, description = "The issuer's id")),
    responses(
        (status = 200, description = "The issuer", body = IssuerView),
        (status = 404, description = "No such issuer"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<IssuerView>, ApiError> {
    let id: IssuerId = path_id("issuer", &id)?;
    Ok(Json(app.issuer_view(&app.issuer(id).await?)))
}

#[utoipa::path(
    put,
    path = "/api/v1/issuers/{id}",
    tag = "issuers",
    params(("id" = String, Path, description = "The issuer's id")),
    request_body = IssuerInput,
    responses(
        (status = 200, description = "The issuer as updated", body = IssuerView),
        (status = 400, description = "Not JSON, or a field of the wrong type"),
        (status = 404, description = "No such issuer"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "A field is wrong (named in the error)"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn update(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<IssuerInput>,
) -> Result<Json<IssuerView>, ApiError> {
    let id: IssuerId = path_id("issuer", &id)?;
    Ok(Json(app.issuer_view(&app.update_issuer(id, &input).await?)))
}
