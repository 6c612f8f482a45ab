//! What anyone can read without a token: the Open Badges documents, images, keys and pages.

pub(crate) mod downloads;
pub(crate) mod keys;
pub(crate) mod ob2;
pub(crate) mod ob3;
pub(crate) mod pages;
pub(crate) mod verify_page;

use axum::Router;

use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .merge(ob2::router())
        .merge(ob3::router())
        .merge(keys::router())
        .merge(pages::router())
        .merge(downloads::router())
        .merge(verify_page::router())
}

/// The largest verify form taken: the badge, and room for the other fields.
pub const VERIFY_FORM_MAX_BYTES: usize = crate::verify::MAX_INPUT_BYTES + 64 * 1024;

/// `application/ld+json`, the media type of every JSON-LD document served.
pub const JSON_LD: &str = "application/ld+json";
