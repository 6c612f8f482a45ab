//! A trainer's data rights exercised through an admin, on request: export and erasure.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Admin;
use crate::domain::EmailAddress;
use crate::http::error::ApiError;
use crate::service::views::{Erasure, TrainerExport};
use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(erase))
}

fn address(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw).map_err(|message| ApiError::BadField {
        field: "email".into(),
        message,
    })
}

/// Everything insigne holds about the trainer with this address.
#[utoipa::path(
    get,
    path = "/api/v1/trainers/{email}/export",
    tag = "trainers",
    params(("email" = String, Path, format = Email, description = "The trainer's email address")),
    responses(
        (status = 200, description = "Their awards, completions, language and messages", body = TrainerExport),
        (status = 400, description = "Not an email address"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn export(
    State(app): State<Insigne>,
    _: Admin,
    Path(email): Path<String>,
) -> Result<Json<TrainerExport>, ApiError> {
    Ok(Json(app.export_trainer(&address(&email)?).await?))
}

/// Erases the trainer's personal data and revokes their badges ("effacement à la demande du
/// titulaire"); nobody else's data changes.
#[utoipa::path(
    post,
    path = "/api/v1/trainers/{email}/erase",
    tag = "trainers",
    params(("email" = String, Path, format = Email, description = "The trainer's email address")),
    responses(
        (status = 200, description = "How many badges were revoked", body = Erasure),
        (status = 400, description = "Not an email address"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn erase(
    State(app): State<Insigne>,
    _: Admin,
    Path(email): Path<String>,
) -> Result<Json<Erasure>, ApiError> {
    Ok(Json(app.erase_trainer(&address(&email)?).await?))
}
