//! The HTTP edge (axum): admin API, public Open Badges documents and pages.

pub mod admin;
pub mod auth;
pub mod cache;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod public;
pub mod resolve;
pub mod verify;

use std::future::Future;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::service::Insigne;
use error::ApiError;

/// Every route of the service.
pub fn router(app: Insigne) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(admin::router())
        .merge(public::router())
        .merge(openapi::router())
        .merge(verify::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Insigne,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn healthz(State(app): State<Insigne>) -> impl IntoResponse {
    if app.store.ping().await {
        (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": "ok"})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "database": "unreachable"})),
        )
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}
