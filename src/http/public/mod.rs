//! What anyone can read without a token: the Open Badges documents, images, keys and pages.

mod downloads;
mod keys;
mod ob2;
mod ob3;
mod pages;

use axum::Router;

use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .merge(ob2::router())
        .merge(ob3::router())
        .merge(keys::router())
        .merge(pages::router())
        .merge(downloads::router())
}

/// `application/ld+json`, the media type of every JSON-LD document served.
pub const JSON_LD: &str = "application/ld+json";
