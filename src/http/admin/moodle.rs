//! `GET /api/v1/moodle/syncs` (admin): the summaries of the last Moodle web-service syncs.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::QueryParams;
use crate::service::{Insigne, SyncView};

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new().routes(routes!(syncs))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Page {
    /// How many, the latest first (1 to 500; 50 by default).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The last syncs: learners seen, completions new, awards, withdrawn completions, errors.
#[utoipa::path(
    get,
    path = "/api/v1/moodle/syncs",
    tag = "completions",
    params(Page),
    responses(
        (status = 200, description = "The syncs, the latest first", body = [SyncView]),
        (status = 400, description = "The limit is not a number"),
        (status = 422, description = "The limit is out of range"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn syncs(
    State(app): State<Insigne>,
    _: Admin,
    QueryParams(page): QueryParams<Page>,
) -> Result<Json<Vec<SyncView>>, ApiError> {
    let limit = page.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Invalid(crate::domain::Invalid::one(
            "limit",
            "must be from 1 to 500",
        )));
    }
    Ok(Json(app.moodle_syncs(limit).await?))
}
