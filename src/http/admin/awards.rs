//! Awards (admin): issue, read, revoke, and reconcile every learner with the catalogue.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::path_id;
use crate::auth::Admin;
use crate::domain::AwardId;
use crate::http::error::ApiError;
use crate::http::extract::{JsonBody, QueryParams};
use crate::service::inputs::{AwardInput, RevokeInput};
use crate::service::views::AwardView;
use crate::service::{Insigne, Reconciled};

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(reconcile))
        .routes(routes!(read))
        .routes(routes!(revoke))
}

/// Revokes the award; revoking again answers the same award, first reason kept.
#[utoipa::path(
    post,
    path = "/api/v1/awards/{id}/revoke",
    tag = "awards",
    params(("id" = String, Path, description = "The award's id")),
    request_body = RevokeInput,
    responses(
        (status = 200, description = "The award, revoked (again: unchanged)", body = AwardView),
        (status = 400, description = "Not JSON, or a field of the wrong type"),
        (status = 404, description = "No such award"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "No reason given"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn revoke(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RevokeInput>,
) -> Result<Json<AwardView>, ApiError> {
    let id: AwardId = path_id("award", &id)?;
    Ok(Json(app.award_view(&app.revoke_award(id, &input).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReconcileQuery {
    /// `true`: only say what would be awarded, change nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Evaluates every learner with completions against the current catalogue and answers what
/// was awarded (with `?dry_run=true`: what would be, changing nothing). Learners another
/// evaluation holds at that moment are listed as `pending`: the workers finish them.
#[utoipa::path(
    post,
    path = "/api/v1/awards/reconcile",
    tag = "awards",
    params(ReconcileQuery),
    responses(
        (status = 200, description = "The learners evaluated and the awards made (or that would be)", body = Reconciled),
        (status = 400, description = "dry_run is not true or false"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn reconcile(
    State(app): State<Insigne>,
    _: Admin,
    query: Result<QueryParams<ReconcileQuery>, ApiError>,
) -> Result<Json<Reconciled>, ApiError> {
    let QueryParams(q) = query.map_err(|_| ApiError::BadField {
        field: "dry_run".into(),
        message: "must be true or false".into(),
    })?;
    Ok(Json(app.reconcile(q.dry_run).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/awards",
    tag = "awards",
    request_body = AwardInput,
    responses(
        (status = 201, description = "The award, with its links to every published form", body = AwardView,
         headers(("Location" = String, description = "The award's address in the API"))),
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
    JsonBody(input): JsonBody<AwardInput>,
) -> Result<impl IntoResponse, ApiError> {
    let stored = app.issue_award(&input).await?;
    let location = format!("/api/v1/awards/{}", stored.award.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(app.award_view(&stored)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/awards/{id}",
    tag = "awards",
    params(("id" = String, Path, description = "The award's id")),
    responses(
        (status = 200, description = "The award, with its status and links", body = AwardView),
        (status = 404, description = "No such award"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<AwardView>, ApiError> {
    let id: AwardId = path_id("award", &id)?;
    Ok(Json(app.award_view(&app.award(id).await?)))
}
