//! A trainer's data rights exercised through an admin, on request: export and erasure.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::domain::EmailAddress;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/trainers/{email}/export", get(export))
        .route("/api/v1/trainers/{email}/erase", post(erase))
}

fn address(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw).map_err(|message| ApiError::BadField {
        field: "email".into(),
        message,
    })
}

/// Everything insigne holds about the trainer with this address (JSON).
#[utoipa::path(
    get,
    path = "/api/v1/trainers/{email}/export",
    tag = "trainers",
    params(("email" = String, Path, description = "The trainer's email address")),
    responses((status = 200, description = "Their awards, completions, language and messages"), (status = 400, description = "Not an email address")),
    security(("bearer" = [])),
)]
pub(crate) async fn export(
    State(app): State<Insigne>,
    _: Admin,
    Path(email): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.export_trainer(&address(&email)?).await?))
}

/// Erases the trainer's personal data and revokes their badges ("effacement à la demande du
/// titulaire"); nobody else's data changes.
#[utoipa::path(
    post,
    path = "/api/v1/trainers/{email}/erase",
    tag = "trainers",
    params(("email" = String, Path, description = "The trainer's email address")),
    responses((status = 200, description = "How many badges were revoked"), (status = 400, description = "Not an email address")),
    security(("bearer" = [])),
)]
pub(crate) async fn erase(
    State(app): State<Insigne>,
    _: Admin,
    Path(email): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let count = app.erase_trainer(&address(&email)?).await?;
    Ok(Json(json!({"erased": true, "badges_revoked": count})))
}
