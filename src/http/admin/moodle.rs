//! `GET /api/v1/moodle/syncs` (admin): the summaries of the last Moodle web-service syncs.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::service::{Insigne, SyncView};

pub fn router() -> Router<Insigne> {
    Router::new().route("/api/v1/moodle/syncs", get(syncs))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct Page {
    /// How many, the latest first (1 to 500; 50 by default).
    limit: Option<i64>,
}

/// The last syncs: learners seen, completions new, awards, withdrawn completions, errors.
#[utoipa::path(
    get,
    path = "/api/v1/moodle/syncs",
    tag = "completions",
    params(Page),
    responses((status = 200, description = "The syncs, the latest first", body = [SyncView]), (status = 400, description = "The limit is not a number"), (status = 422, description = "The limit is out of range"), (status = 401, description = "No token"), (status = 403, description = "Not an admin token")),
    security(("bearer" = [])),
)]
pub(crate) async fn syncs(
    State(app): State<Insigne>,
    _: Admin,
    Query(page): Query<Page>,
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
