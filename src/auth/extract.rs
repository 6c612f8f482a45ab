//! The extractors: an admin or ingest bearer token, a signed-in trainer.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::{ApiToken, Scope};
use crate::http::error::ApiError;
use crate::service::Insigne;

/// A request made with a live token of the admin scope.
#[derive(Debug)]
pub struct Admin(pub ApiToken);

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
pub struct Ingest(pub ApiToken);

impl FromRequestParts<Insigne> for Ingest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        Ok(Ingest(authenticated(parts, app).await?))
    }
}

/// Where the API's audit layer learns which token a request was made with.
#[derive(Debug, Clone, Default)]
pub struct TokenSeen(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

async fn authenticated(parts: &Parts, app: &Insigne) -> Result<ApiToken, ApiError> {
    let token = authenticate(parts, app).await?;
    if let Some(TokenSeen(seen)) = parts.extensions.get::<TokenSeen>() {
        if let Ok(mut seen) = seen.lock() {
            *seen = Some(token.id.to_string());
        }
    }
    Ok(token)
}

async fn authenticate(parts: &Parts, app: &Insigne) -> Result<ApiToken, ApiError> {
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

/// A request from a trainer signed in to "mes badges": their address.
#[derive(Debug)]
pub struct Trainer(pub String);

impl FromRequestParts<Insigne> for Trainer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        signed_in(app, &parts.headers)
            .await?
            .map(Trainer)
            .ok_or(ApiError::Unauthorized("sign in to \"mes badges\" first"))
    }
}

/// The signed-in trainer's address, if the request's cookie names a live session.
pub async fn signed_in(
    app: &Insigne,
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, ApiError> {
    match super::session::session_cookie(headers) {
        Some(secret) => Ok(app.session_email(&secret).await?),
        None => Ok(None),
    }
}

/// A request from someone signed in to the console, whatever their role; without a live
/// session, the answer is the sign-in page (303).
#[derive(Debug)]
pub struct ConsoleUser(pub crate::service::AdminSession);

impl FromRequestParts<Insigne> for ConsoleUser {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        use axum::response::{IntoResponse, Redirect};
        let session = match super::session::admin_cookie(&parts.headers) {
            Some(secret) => app
                .admin_session(&secret)
                .await
                .map_err(|e| ApiError::from(e).into_response())?,
            None => None,
        };
        session
            .map(ConsoleUser)
            .ok_or_else(|| Redirect::to("/admin/connexion").into_response())
    }
}

/// A request from an admin signed in to the console; a tutor gets 403.
#[derive(Debug)]
pub struct ConsoleAdmin(pub crate::service::AdminSession);

impl FromRequestParts<Insigne> for ConsoleAdmin {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, app: &Insigne) -> Result<Self, Self::Rejection> {
        let ConsoleUser(session) = ConsoleUser::from_request_parts(parts, app).await?;
        if session.role != super::Role::Admin {
            return Err(crate::http::console::forbidden(&parts.headers));
        }
        Ok(ConsoleAdmin(session))
    }
}
