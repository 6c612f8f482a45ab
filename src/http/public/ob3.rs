//! Open Badges 3.0 documents: credentials, issuers' DID documents and status lists.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::ob2::unpublished;
use crate::domain::{AwardId, IssuerId};
use crate::http::cache::revalidated;
use crate::http::error::ApiError;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route(
            "/credentials/{id}",
            get(credential).options(super::preflight),
        )
        .route("/credentials/{id}/jwt", get(jwt).options(super::preflight))
        .route(
            "/endossements/{id}",
            get(endorsement).options(super::preflight),
        )
        .route(
            "/endossements/{id}/jwt",
            get(endorsement_jwt).options(super::preflight),
        )
        .route(
            "/endossements/{id}/ob2",
            get(endorsement_ob2).options(super::preflight),
        )
        .route(
            "/issuers/{id}/did.json",
            get(did_document).options(super::preflight),
        )
        .route(
            "/issuers/{id}/status/{kid}",
            get(status_list).options(super::preflight),
        )
}

fn id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no {what} with id {raw}")))
}

/// The credential with its Data Integrity proof, as signed at issuance. A revoked one is still
/// served: its status list says it is revoked.
async fn credential(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let body = app
        .ob3_credential(id::<AwardId>("credential", &raw)?)
        .await
        .map_err(unpublished)?;
    Ok(revalidated(&headers, "application/vc+ld+json", body, None))
}

/// The credential as a VC-JWT.
async fn jwt(State(app): State<Insigne>, Path(raw): Path<String>) -> Result<Response, ApiError> {
    let body = app
        .ob3_jwt(id::<AwardId>("credential", &raw)?)
        .await
        .map_err(unpublished)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}

/// An endorsement's EndorsementCredential, as signed. A revoked one is still served: its
/// status list says it is revoked.
async fn endorsement(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let e = app
        .endorsement(id::<crate::domain::EndorsementId>("endorsement", &raw)?)
        .await?;
    Ok(revalidated(
        &headers,
        "application/vc+ld+json",
        e.credential,
        None,
    ))
}

async fn endorsement_jwt(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let e = app
        .endorsement(id::<crate::domain::EndorsementId>("endorsement", &raw)?)
        .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.jwt).into_response())
}

/// The OB 2.0 Endorsement (hosted); a revoked one answers 410 Gone, as a revoked assertion.
async fn endorsement_ob2(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let e = app
        .endorsement(id::<crate::domain::EndorsementId>("endorsement", &raw)?)
        .await?;
    if let Some(reason) = e.revocation_reason {
        let body = serde_json::json!({"revoked": true, "revocationReason": reason});
        return Ok((
            axum::http::StatusCode::GONE,
            [(header::CONTENT_TYPE, "application/ld+json")],
            body.to_string(),
        )
            .into_response());
    }
    Ok(([(header::CONTENT_TYPE, "application/ld+json")], e.ob2).into_response())
}

async fn did_document(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let doc = app.did_document(id::<IssuerId>("issuer", &raw)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/did+json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        doc.to_string(),
    )
        .into_response())
}

/// The signed BitstringStatusListCredential; revalidated on each use, so that a revocation
/// shows at once.
async fn status_list(
    State(app): State<Insigne>,
    Path((raw, kid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let list = app
        .status_list(id::<IssuerId>("issuer", &raw)?, &kid)
        .await?;
    Ok(revalidated(
        &headers,
        "application/vc+ld+json",
        list.to_string(),
        None,
    ))
}
