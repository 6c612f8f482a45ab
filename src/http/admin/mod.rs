//! The admin JSON API (`/api/v1/…`, admin-scope bearer token).

pub(crate) mod awards;
pub(crate) mod badge_classes;
pub(crate) mod catalogue;
pub(crate) mod issuers;
pub(crate) mod moodle;
pub(crate) mod notifications;
pub(crate) mod status;
pub(crate) mod trainers;

use utoipa_axum::router::OpenApiRouter;

use crate::service::Insigne;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .merge(issuers::routes())
        .merge(badge_classes::routes())
        .merge(awards::routes())
        .merge(catalogue::routes())
        .merge(notifications::routes())
        .merge(moodle::routes())
        .merge(status::routes())
        .merge(trainers::routes())
}

/// Parses an id from the path; an id that cannot exist is simply not found.
fn path_id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, super::error::ApiError> {
    raw.parse()
        .map_err(|_| super::error::ApiError::NotFound(format!("no {what} with id {raw}")))
}
