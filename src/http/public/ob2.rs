//! Open Badges 2.0 hosted verification: the documents live at their own ids.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::pages::{self, LangQuery};
use super::JSON_LD;
use crate::domain::{AwardId, BadgeClassId, Image, IssuerId};
use crate::http::cache::revalidated;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::{HostedAssertion, Insigne, ServiceError};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/issuers/{id}", get(issuer).options(super::preflight))
        .route(
            "/issuers/{id}/image",
            get(issuer_image).options(super::preflight),
        )
        .route(
            "/badge-classes/{id}",
            get(badge_class).options(super::preflight),
        )
        .route(
            "/badge-classes/{id}/image",
            get(badge_class_image).options(super::preflight),
        )
        .route(
            "/issuers/{id}/keys/{kid}",
            get(issuer_key).options(super::preflight),
        )
        .route(
            "/issuers/{id}/keys/{kid}/profile",
            get(signer_profile).options(super::preflight),
        )
        .route(
            "/badge-classes/{id}/keys/{kid}",
            get(signer_badge_class).options(super::preflight),
        )
        .route(
            "/issuers/{id}/revocations",
            get(revocation_list).options(super::preflight),
        )
        .route("/assertions/{id}", get(assertion).options(super::preflight))
        .route(
            "/assertions/{id}/signed",
            get(signed_assertion).options(super::preflight),
        )
}

fn id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no {what} with id {raw}")))
}

/// A published form an award lacks (its signing was deferred) is not found, not a failure.
pub(super) fn unpublished(e: ServiceError) -> ApiError {
    match e {
        ServiceError::Unsigned { award, form } => {
            ApiError::NotFound(format!("award {award} has no {form} yet"))
        }
        other => other.into(),
    }
}

fn json_ld(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, JSON_LD)], body).into_response()
}

fn image(img: &Image) -> Response {
    (
        [
            (header::CONTENT_TYPE, img.kind().mime()),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            // An SVG is served as an image, never as a document that could run script.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        img.bytes().to_vec(),
    )
        .into_response()
}

/// A JSON-LD document that may be cached but is revalidated on each use; the same URL serves
/// a page to browsers, hence `Vary: Accept`.
fn document(headers: &HeaderMap, body: String) -> Response {
    revalidated(headers, JSON_LD, body, Some("Accept"))
}

/// The issuer Profile; its page for a browser.
async fn issuer(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = id::<IssuerId>("issuer", &raw)?;
    if pages::wants_html(&headers) {
        let lang = Lang::negotiate(q.lang.as_deref(), &headers);
        let page = pages::issuer_html(&app, id, lang, &headers).await;
        return pages::for_people(page, lang, &format!("/issuers/{raw}"), &headers);
    }
    let profile = app.ob2_profile(id, None).await?;
    Ok(document(&headers, profile.to_string()))
}

/// The issuer's Profile as signer with one RSA key: what that key's signed assertions point at.
async fn signer_profile(
    State(app): State<Insigne>,
    Path((raw, kid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = id::<IssuerId>("issuer", &raw)?;
    let profile = app.ob2_profile(id, Some(&kid)).await?;
    Ok(json_ld(StatusCode::OK, profile.to_string()))
}

/// The BadgeClass as pointed at by assertions signed with one RSA key.
async fn signer_badge_class(
    State(app): State<Insigne>,
    Path((raw, kid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = id::<BadgeClassId>("badge class", &raw)?;
    let doc = app.ob2_badge_class(id, Some(&kid)).await?;
    Ok(json_ld(StatusCode::OK, doc.to_string()))
}

/// The CryptographicKey of one of the RSA keys (active or retired), as owned by this issuer.
async fn issuer_key(
    State(app): State<Insigne>,
    Path((raw, kid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let key = app.ob2_key(id::<IssuerId>("issuer", &raw)?, &kid).await?;
    Ok(json_ld(StatusCode::OK, key.to_string()))
}

/// The issuer's RevocationList; never cached, so that a revocation shows at once.
async fn revocation_list(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let list = app.revocation_list(id::<IssuerId>("issuer", &raw)?).await?;
    Ok(revalidated(&headers, JSON_LD, list.to_string(), None))
}

/// The signed assertion, a compact JWS, as signed at issuance.
async fn signed_assertion(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let jws = app
        .ob2_signed_assertion(id::<AwardId>("assertion", &raw)?)
        .await
        .map_err(unpublished)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], jws).into_response())
}

async fn issuer_image(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let issuer = app.issuer(id::<IssuerId>("issuer", &raw)?).await?;
    let img = issuer
        .image
        .ok_or_else(|| ApiError::NotFound(format!("issuer {raw} has no image")))?;
    Ok(image(&img))
}

/// The BadgeClass; its page for a browser.
async fn badge_class(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = id::<BadgeClassId>("badge class", &raw)?;
    if pages::wants_html(&headers) {
        let lang = Lang::negotiate(q.lang.as_deref(), &headers);
        let page = pages::badge_class_html(&app, id, lang, &headers).await;
        return pages::for_people(page, lang, &format!("/badge-classes/{raw}"), &headers);
    }
    let doc = app.ob2_badge_class(id, None).await?;
    Ok(document(&headers, doc.to_string()))
}

async fn badge_class_image(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let class = app
        .badge_class(id::<BadgeClassId>("badge class", &raw)?)
        .await?;
    Ok(image(&class.image))
}

/// The Assertion exactly as issued; a revoked one answers 410 Gone, as OB 2.0 hosted
/// verification expects. A browser gets the badge page.
async fn assertion(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = id::<AwardId>("assertion", &raw)?;
    if pages::wants_html(&headers) {
        let lang = Lang::negotiate(q.lang.as_deref(), &headers);
        let page = pages::badge_html(&app, id, lang, &headers).await;
        return pages::for_people(page, lang, &format!("/assertions/{raw}"), &headers);
    }
    match app.ob2_assertion(id).await? {
        HostedAssertion::Valid(assertion) => Ok(document(&headers, assertion)),
        HostedAssertion::Revoked(notice) => {
            let mut gone = json_ld(StatusCode::GONE, notice.to_string());
            gone.headers_mut()
                .insert(header::VARY, header::HeaderValue::from_static("Accept"));
            Ok(gone)
        }
    }
}
