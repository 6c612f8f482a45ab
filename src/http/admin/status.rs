//! `GET /api/v1/status` (admin): what an operator watches — learners waiting for evaluation,
//! the outbox by status, the last import. `/healthz` stays the cheap liveness check.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::service::{Insigne, ServiceStatus};

pub fn router() -> Router<Insigne> {
    Router::new().route("/api/v1/status", get(status))
}

/// Learners waiting for evaluation (how many, since when, how many failing), messages by
/// status, and the last import.
#[utoipa::path(
    get,
    path = "/api/v1/status",
    tag = "operations",
    responses((status = 200, description = "The queues and the last import", body = ServiceStatus), (status = 401, description = "No token"), (status = 403, description = "Not an admin token")),
    security(("bearer" = [])),
)]
pub(crate) async fn status(
    State(app): State<Insigne>,
    _: Admin,
) -> Result<Json<ServiceStatus>, ApiError> {
    Ok(Json(app.status().await?))
}
