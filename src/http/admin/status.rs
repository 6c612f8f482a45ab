//! `GET /api/v1/status` (admin): what an operator watches — learners waiting for evaluation,
//! the outbox by status, the last import. `/healthz` stays the cheap liveness check.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Admin;
use crate::http::error::ApiError;
use crate::service::{Insigne, ServiceStatus};

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new().routes(routes!(status))
}

/// Learners waiting for evaluation (how many, since when, how many failing), messages by
/// status, and the last import.
#[utoipa::path(
    get,
    path = "/api/v1/status",
    tag = "operations",
    responses((status = 200, description = "The queues and the last import", body = ServiceStatus)),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn status(
    State(app): State<Insigne>,
    _: Admin,
) -> Result<Json<ServiceStatus>, ApiError> {
    Ok(Json(app.status().await?))
}
