//! Badge classes (admin): create, list, read, update.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::path_id;
use crate::auth::Admin;
use crate::domain::BadgeClassId;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::service::inputs::BadgeClassInput;
use crate::service::views::{BadgeClassView, Items};
use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
}

#[utoipa::path(
    post,
    path = "/api/v1/badge-classes",
    tag = "badge classes",
    request_body = BadgeClassInput,
    responses(
        (status = 201, description = "The badge class, with its id", body = BadgeClassView,
         headers(("Location" = String, description = "The badge class's address in the API"))),
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
    JsonBody(input): JsonBody<BadgeClassInput>,
) -> Result<impl IntoResponse, ApiError> {
    let class = app.create_badge_class(&input).await?;
    let location = format!("/api/v1/badge-classes/{}", class.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(app.badge_class_view(&class)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/badge-classes",
    tag = "badge classes",
    responses((status = 200, description = "Every badge class", body = Items<BadgeClassView>)),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn list(
    State(app): State<Insigne>,
    _: Admin,
) -> Result<Json<Items<BadgeClassView>>, ApiError> {
    let classes = app.badge_classes().await?;
    Ok(Json(
        classes
            .iter()
            .map(|c| app.badge_class_view(c))
            .collect::<Vec<_>>()
            .into(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/badge-classes/{id}",
    tag = "badge classes",
    params(("id" = String, Path, description = "The badge class's id")),
    responses(
        (status = 200, description = "The badge class", body = BadgeClassView),
        (status = 404, description = "No such badge class"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<BadgeClassView>, ApiError> {
    let id: BadgeClassId = path_id("badge class", &id)?;
    Ok(Json(app.badge_class_view(&app.badge_class(id).await?)))
}

#[utoipa::path(
    put,
    path = "/api/v1/badge-classes/{id}",
    tag = "badge classes",
    params(("id" = String, Path, description = "The badge class's id")),
    request_body = BadgeClassInput,
    responses(
        (status = 200, description = "The badge class as updated", body = BadgeClassView),
        (status = 400, description = "Not JSON, or a field of the wrong type"),
        (status = 404, description = "No such badge class"),
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
    JsonBody(input): JsonBody<BadgeClassInput>,
) -> Result<Json<BadgeClassView>, ApiError> {
    let id: BadgeClassId = path_id("badge class", &id)?;
    Ok(Json(app.badge_class_view(
        &app.update_badge_class(id, &input).await?,
    )))
}
