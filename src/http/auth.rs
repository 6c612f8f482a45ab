//! Bearer-token authentication for the admin and ingest APIs.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::service::Insigne;
use crate::storage::{Scope, StoredToken};

/// A request made with a live token of the admin scope.
#[derive(Debug)]
pub struct Admin(pub StoredToken);

impl FromRequestParts<Insigne> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        let token = authenticated(parts, app).await?;
        if token.scope != Scope::Admin {
            return Err(ApiError::Forbidden("admin"));
        }
        Ok(Admin(token))
    }
}

/// A request made with a live token of the ingest or admin scope (LMS connectors).
#[derive(Debug)]
pub struct Ingest(pub StoredToken);

impl FromRequestParts<Insigne> for Ingest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        Ok(Ingest(authenticated(parts, app).await?))
    }
}

async fn authenticated(parts: &Parts, app: &Insigne) -> Result<StoredToken, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(
            "this route needs an Authorization: Bearer <token> header (insigne tokens create)",
        ))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(ApiError::Unauthorized(
            "the Authorization header must be Bearer <token>",
        ))?;
    app.authenticate(token)
        .await?
        .ok_or(ApiError::Unauthorized("unknown or revoked token"))
}
