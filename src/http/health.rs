//! `GET /healthz`: whether the process and its database answer, for load balancers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new().routes(routes!(healthz))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok` or `unreachable`.
    pub database: String,
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The service and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    ),
)]
pub(crate) async fn healthz(State(app): State<Insigne>) -> (StatusCode, Json<Health>) {
    if app.store.ping().await {
        let health = Health {
            status: "ok".into(),
            database: "ok".into(),
        };
        (StatusCode::OK, Json(health))
    } else {
        let health = Health {
            status: "unavailable".into(),
            database: "unreachable".into(),
        };
        (StatusCode::SERVICE_UNAVAILABLE, Json(health))
    }
}
