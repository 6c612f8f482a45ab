//! What anyone can read without a token: the Open Badges documents, images, keys and pages.

pub(crate) mod downloads;
pub(crate) mod keys;
pub(crate) mod ob2;
pub(crate) mod ob3;
pub(crate) mod ob3_api;
pub(crate) mod oid4vci;
pub(crate) mod pages;
pub(crate) mod verify_page;
pub(crate) mod wallet;

use axum::Router;

use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    // What a verifier fetches is open to scripts of any origin (a verifier running in a
    // browser, as VerifierPlus does); the pages, the trainer's and the admin's are not.
    let documents = Router::new()
        .merge(ob2::router())
        .merge(ob3::router())
        .merge(keys::router())
        .layer(open_to_browsers());
    Router::new()
        .merge(documents)
        .merge(pages::router())
        .merge(downloads::router())
        .merge(verify_page::router())
        .merge(wallet::router())
        .merge(ob3_api::router())
        .merge(oid4vci::router())
}

/// The largest verify form taken: the badge, and room for the other fields.
pub const VERIFY_FORM_MAX_BYTES: usize = crate::verify::MAX_INPUT_BYTES + 64 * 1024;

/// `application/ld+json`, the media type of every JSON-LD document served.
pub const JSON_LD: &str = "application/ld+json";

/// OPTIONS on a document. The CORS layer answers preflights itself, but only on routes that
/// take OPTIONS (without one, the router says 405 first): this answers the other OPTIONS.
pub(crate) async fn preflight() -> axum::http::StatusCode {
    axum::http::StatusCode::NO_CONTENT
}

/// `Access-Control-Allow-Origin: *` on reads: the documents are public and carry no
/// credentials (no cookie is read on them), so any origin may fetch them; a preflight (a
/// verifier sending its own headers) is answered for GET and HEAD.
fn open_to_browsers() -> tower_http::cors::CorsLayer {
    use axum::http::{header, Method};
    use tower_http::cors::{Any, CorsLayer};
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers(Any)
        .expose_headers([header::ETAG, header::CONTENT_TYPE, header::LOCATION])
        .max_age(std::time::Duration::from_secs(86_400))
}
