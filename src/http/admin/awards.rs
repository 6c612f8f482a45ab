use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::path_id;
use crate::domain::award::{AwardInput, RevokeInput};
use crate::domain::AwardId;
use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::service::Insigne;
use crate::storage::{time_to_db, StoredAward};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/awards", post(create))
        .route("/api/v1/awards/reconcile", post(reconcile))
        .route("/api/v1/awards/{id}", get(read))
        .route("/api/v1/awards/{id}/revoke", post(revoke))
}

/// Revokes the award; revoking again answers the same award, first reason kept.
#[utoipa::path(
    post,
    path = "/api/v1/awards/{id}/revoke",
    tag = "awards",
    params(("id" = String, Path, description = "The resource id")),
    request_body = RevokeInput,
    responses((status = 200, description = "The award, revoked (again: unchanged)"), (status = 404, description = "No such award"), (status = 422, description = "No reason given")),
    security(("bearer" = [])),
)]
pub(crate) async fn revoke(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RevokeInput>,
) -> Result<Json<Value>, ApiError> {
    let id: AwardId = path_id("award", &id)?;
    Ok(Json(view(&app, &app.revoke_award(id, &input).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
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
    responses((status = 200, description = "The learners evaluated and the awards made (or that would be)", body = crate::service::Reconciled), (status = 400, description = "dry_run is not true or false")),
    security(("bearer" = [])),
)]
pub(crate) async fn reconcile(
    State(app): State<Insigne>,
    _: Admin,
    query: Result<Query<ReconcileQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<crate::service::Reconciled>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::BadField {
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
    responses((status = 201, description = "The award, with its links to every published form"), (status = 422, description = "A field is wrong (named in the error)")),
    security(("bearer" = [])),
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
        Json(view(&app, &stored)),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/awards/{id}",
    tag = "awards",
    params(("id" = String, Path, description = "The resource id")),
    responses((status = 200, description = "The award, with its status and links"), (status = 404, description = "No such award")),
    security(("bearer" = [])),
)]
pub(crate) async fn read(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: AwardId = path_id("award", &id)?;
    Ok(Json(view(&app, &app.award(id).await?)))
}

/// The award as the admin API shows it, with `links` to every published form.
pub fn view(app: &Insigne, stored: &StoredAward) -> Value {
    let award = &stored.award;
    let status = if award.revocation.is_some() {
        "revoked"
    } else if award.is_expired(app.clock.now()) {
        "expired"
    } else {
        "valid"
    };
    json!({
        "id": award.id.to_string(),
        "badge_class": award.badge_class.to_string(),
        "recipient": { "email": award.recipient.email.as_str(), "name": award.recipient.name },
        "issued_on": time_to_db(award.issued_on),
        "expires": award.expires.map(time_to_db),
        "narrative": award.narrative,
        "evidence": award.evidence,
        "status": status,
        "revocation": award.revocation.as_ref().map(|r| json!({"at": time_to_db(r.at), "reason": r.reason})),
        "links": {
            "page": app.urls.badge_page(award.id),
            "ob2_assertion": app.urls.assertion(award.id),
            "ob2_signed": app.urls.signed_assertion(award.id),
            "ob3_credential": app.urls.credential(award.id),
            "ob3_jwt": app.urls.credential_jwt(award.id),
            "png": app.urls.baked_png(award.id),
            "svg": app.urls.baked_svg(award.id),
        },
    })
}
