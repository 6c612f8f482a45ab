//! The outbox, for admins: what is waiting, what failed and why, and resending one message.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Admin;
use crate::http::error::ApiError;
use crate::http::extract::QueryParams;
use crate::service::views::{Items, NotificationView};
use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(resend))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `pending`, `sending`, `sent`, `failed` or `logged`; all when absent.
    #[param(pattern = "^(pending|sending|sent|failed|logged)?$")]
    status: Option<String>,
}

/// Notifications, newest first; `?status=failed` for those given up, `pending` for those
/// waiting (with their last error and next attempt).
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(ListQuery),
    responses(
        (status = 200, description = "The messages, newest first", body = Items<NotificationView>),
        (status = 400, description = "Unknown status"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn list(
    State(app): State<Insigne>,
    _: Admin,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<Items<NotificationView>>, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            app.parse_message_status(s)
                .ok_or_else(|| ApiError::BadField {
                    field: "status".into(),
                    message: format!("{s:?} is not one of pending, sending, sent, failed, logged"),
                })?,
        ),
    };
    Ok(Json(app.notification_views(status).await?.into()))
}

/// Puts a failed (or logged, or sent) message back in line; the worker sends it next round.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/resend",
    tag = "notifications",
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 200, description = "The message, pending", body = NotificationView),
        (status = 404, description = "No such message"),
        (status = 422, description = "Already waiting or being sent"),
    ),
    security(("bearer" = ["admin"])),
)]
pub(crate) async fn resend(
    State(app): State<Insigne>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<NotificationView>, ApiError> {
    Ok(Json(app.resend_notification(&id).await?))
}
