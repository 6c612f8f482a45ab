use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::path_id;
use crate::domain::clock::rfc3339 as time_to_db;
use crate::domain::issuer::IssuerInput;
use crate::domain::{Issuer, IssuerId};
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/issuers", get(list).post(create))
        .route("/api/v1/issuers/{id}", get(read).put(update))
}

#[utoipa::path(
    post,
    path = "/api/v1/issuers",
    tag = "issuers",
    request_body = IssuerInput,
    responses((status = 201, description = "The issuer, with its id"), (status = 400, description = "Not JSON, or a field of the wrong type"), (status = 401, description = "No or unknown token"), (status = 403, description = "Not an admin token"), (status = 422, description = "A field is wrong (named in the error)")),
    security(("bearer" = [])),
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
        Json(view(&app, &issuer)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/issuers",
    tag = "issuers",
    responses((status = 200, description = "Every issuer, under items"), (status = 401, description = "No or unknown token")),
    security(("bearer" = [])),
)]
pub(crate) async fn list(State(app): State<Insigne>, _: Admin) -> Result<Json<Value>, ApiError> {
    let issuers = app.issuers().await?;
    let items: Vec<Value> = issuers.iter().map(|i| view(&app, i)).collect();
    Ok(Json(json!({ "items": items })))
}

#[utoipa::path(
    get,
    path = "/api/v1/issuers/{id}",
    tag = "issuers",
    params(("id" = String, Path, description = "The resource id")),
    responses((status = 200, description = "The issuer"), (status = 404, description = "No such issuer")),
    security(("bearer" = [])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: IssuerId = path_id("issuer", &id)?;
    Ok(Json(view(&app, &app.issuer(id).await?)))
}

#[utoipa::path(
    put,
    path = "/api/v1/issuers/{id}",
    tag = "issuers",
    params(("id" = String, Path, description = "The resource id")),
    request_body = IssuerInput,
    responses((status = 200, description = "The issuer as updated"), (status = 404, description = "No such issuer"), (status = 422, description = "A field is wrong")),
    security(("bearer" = [])),
)]
pub(crate) async fn update(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<IssuerInput>,
) -> Result<Json<Value>, ApiError> {
    let id: IssuerId = path_id("issuer", &id)?;
    Ok(Json(view(&app, &app.update_issuer(id, &input).await?)))
}

fn view(app: &Insigne, issuer: &Issuer) -> Value {
    json!({
        "id": issuer.id.to_string(),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email.as_str(),
        "description": issuer.description,
        "image": issuer.image.as_ref().map(|_| app.urls.issuer_image(issuer.id)),
        "created_at": time_to_db(issuer.created_at),
        "updated_at": time_to_db(issuer.updated_at),
        "links": { "ob2_profile": app.urls.issuer(issuer.id) },
    })
}
