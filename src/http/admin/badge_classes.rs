use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::path_id;
use crate::domain::badge_class::BadgeClassInput;
use crate::domain::clock::rfc3339 as time_to_db;
use crate::domain::{BadgeClass, BadgeClassId};
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/badge-classes", get(list).post(create))
        .route("/api/v1/badge-classes/{id}", get(read).put(update))
}

#[utoipa::path(
    post,
    path = "/api/v1/badge-classes",
    tag = "badge classes",
    request_body = BadgeClassInput,
    responses((status = 201, description = "The badge class, with its id"), (status = 400, description = "Not JSON, or a field of the wrong type"), (status = 422, description = "A field is wrong (named in the error)")),
    security(("bearer" = [])),
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
        Json(view(&app, &class)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/badge-classes",
    tag = "badge classes",
    responses((status = 200, description = "Every badge class, under items")),
    security(("bearer" = [])),
)]
pub(crate) async fn list(State(app): State<Insigne>, _: Admin) -> Result<Json<Value>, ApiError> {
    let classes = app.badge_classes().await?;
    let items: Vec<Value> = classes.iter().map(|c| view(&app, c)).collect();
    Ok(Json(json!({ "items": items })))
}

#[utoipa::path(
    get,
    path = "/api/v1/badge-classes/{id}",
    tag = "badge classes",
    params(("id" = String, Path, description = "The resource id")),
    responses((status = 200, description = "The badge class"), (status = 404, description = "No such badge class")),
    security(("bearer" = [])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: BadgeClassId = path_id("badge class", &id)?;
    Ok(Json(view(&app, &app.badge_class(id).await?)))
}

#[utoipa::path(
    put,
    path = "/api/v1/badge-classes/{id}",
    tag = "badge classes",
    params(("id" = String, Path, description = "The resource id")),
    request_body = BadgeClassInput,
    responses((status = 200, description = "The badge class as updated"), (status = 404, description = "No such badge class"), (status = 422, description = "A field is wrong")),
    security(("bearer" = [])),
)]
pub(crate) async fn update(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<BadgeClassInput>,
) -> Result<Json<Value>, ApiError> {
    let id: BadgeClassId = path_id("badge class", &id)?;
    Ok(Json(view(&app, &app.update_badge_class(id, &input).await?)))
}

fn view(app: &Insigne, class: &BadgeClass) -> Value {
    json!({
        "id": class.id.to_string(),
        "issuer": class.issuer.to_string(),
        "name": class.name,
        "description": class.description,
        "image": app.urls.badge_class_image(class.id),
        "criteria": class.criteria,
        "alignments": class.alignments,
        "tags": class.tags,
        "validity_days": class.validity_days,
        "created_at": time_to_db(class.created_at),
        "updated_at": time_to_db(class.updated_at),
        "links": { "ob2_badge_class": app.urls.badge_class(class.id) },
    })
}
