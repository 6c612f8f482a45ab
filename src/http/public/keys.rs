use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new().route(
        "/.well-known/jwks.json",
        get(jwks).options(super::preflight),
    )
}

/// Every public key, active and retired, so that what older keys signed keeps verifying.
async fn jwks(State(app): State<Insigne>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        app.keys().jwks().to_string(),
    )
}
