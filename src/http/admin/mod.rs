//! The admin JSON API (`/api/v1/…`, admin-scope bearer token).

pub(crate) mod awards;
pub use awards::view as award_view;
pub(crate) mod badge_classes;
pub(crate) mod catalogue;
pub(crate) mod issuers;
pub(crate) mod moodle;
pub(crate) mod notifications;
pub(crate) mod status;
pub(crate) mod trainers;

use axum::Router;

use crate::service::Insigne;

/// The largest completion export taken (a year of m@gistère completions is a few MiB).
pub const IMPORT_MAX_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> Router<Insigne> {
    Router::new()
        .merge(issuers::router())
        .merge(badge_classes::router())
        .merge(awards::router())
        .merge(catalogue::router())
        .merge(notifications::router())
        .merge(moodle::router())
        .merge(status::router())
        .merge(trainers::router())
}

/// Parses an id from the path; an id that cannot exist is simply not found.
fn path_id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, super::error::ApiError> {
    raw.parse()
        .map_err(|_| super::error::ApiError::NotFound(format!("no {what} with id {raw}")))
}
