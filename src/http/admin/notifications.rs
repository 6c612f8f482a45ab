//! The outbox, for admins: what is waiting, what failed and why, and resending one message.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::auth::Admin;
use crate::http::error::ApiError;
use crate::service::Insigne;
use crate::storage::{MessageStatus, StoredMessage};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/{id}/resend", post(resend))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct ListQuery {
    /// `pending`, `sending`, `sent`, `failed` or `logged`; all when absent.
    status: Option<String>,
}

fn view(m: &StoredMessage) -> Value {
    json!({
        "id": m.id, "award": m.award_id, "kind": m.kind, "recipient": m.recipient,
        "lang": m.lang, "subject": m.subject, "status": m.status, "attempts": m.attempts,
        "next_attempt_at": crate::storage::time_to_db(m.next_attempt_at),
        "last_error": m.last_error,
        "created_at": crate::storage::time_to_db(m.created_at),
        "sent_at": m.sent_at.map(crate::storage::time_to_db),
    })
}

/// Notifications, newest first; `?status=failed` for those given up, `pending` for those
/// waiting (with their last error and next attempt).
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(ListQuery),
    responses((status = 200, description = "The messages"), (status = 400, description = "Unknown status")),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(app): State<Insigne>,
    _: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(MessageStatus::parse(s).ok_or_else(|| ApiError::BadField {
            field: "status".into(),
            message: format!("{s:?} is not one of pending, sending, sent, failed, logged"),
        })?),
    };
    let items: Vec<Value> = app.notifications(status).await?.iter().map(view).collect();
    Ok(Json(json!({ "items": items })))
}

/// Puts a failed (or logged, or sent) message back in line; the worker sends it next round.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/resend",
    tag = "notifications",
    params(("id" = String, Path, description = "The message id")),
    responses((status = 200, description = "The message, pending"), (status = 404, description = "No such message"), (status = 422, description = "Already waiting or being sent")),
    security(("bearer" = [])),
)]
pub(crate) async fn resend(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(view(&app.resend_notification(&id).await?)))
}
