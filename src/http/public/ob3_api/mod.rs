//! The Open Badges 3.0 API under `/ims/ob/v3p0/`: the Service Description Document
//! (`discovery.rs`), the OAuth 2.0 endpoints (`oauth.rs`: registration, authorization, token,
//! revocation) and the resources (`resources.rs`: getCredentials, getProfile). The consent
//! page lives under "mes badges" (`pages/consent.rs`), where the trainer's cookie is sent.
//!
//! The API has its own OpenAPI document (the discovery endpoint): `/api/openapi.json` describes
//! the `/api/v1` JSON API and its error envelope, which these routes do not answer with.
//!
//! CORS: the discovery document and the resources answer scripts of any origin. They read no
//! cookie, only a bearer token the calling platform holds, so a page of another site gains
//! nothing it could not have from its own server. The OAuth endpoints do not: registration,
//! token and revocation are for the platforms' servers (the client secret must not live in a
//! browser), and authorization is a navigation, never a script's fetch.

mod discovery;
mod oauth;
mod resources;

use axum::Router;

use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    let open = Router::new()
        .merge(discovery::router())
        .merge(resources::router())
        .layer(open_to_platforms());
    Router::new().merge(open).merge(oauth::router())
}

/// The API's base path.
pub(crate) const BASE: &str = "/ims/ob/v3p0";

fn open_to_platforms() -> tower_http::cors::CorsLayer {
    use axum::http::{header, HeaderName, Method};
    use tower_http::cors::{Any, CorsLayer};
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::AUTHORIZATION, header::ACCEPT])
        .expose_headers([
            header::LINK,
            HeaderName::from_static("x-total-count"),
            header::WWW_AUTHENTICATE,
        ])
        .max_age(std::time::Duration::from_secs(86_400))
}
