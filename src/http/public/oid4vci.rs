//! OpenID for Verifiable Credential Issuance at the edge: the metadata, the credential offer
//! of an exchange, the token, nonce and credential endpoints (`service::oid4vci` holds the
//! protocol). These endpoints answer errors as OAuth 2.0 does (RFC 6749 §5.2, RFC 6750 §3,
//! OpenID4VCI §8.3.1), `{"error", "error_description"}`, not in the JSON API's envelope.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::service::oid4vci::{
    CredentialRequest, IssuedCredential, Nonce, Oid4vciError, RequestShape,
};
use crate::service::{Insigne, ServiceError, WalletError};

/// A token request is a few hundred bytes.
const TOKEN_BODY_MAX_BYTES: usize = 8 * 1024;
/// A credential request holds one key proof (a few kilobytes at most).
const CREDENTIAL_BODY_MAX_BYTES: usize = 64 * 1024;

pub fn router() -> Router<Insigne> {
    // The metadata is public and the same for everyone: wallets running in a browser may read
    // it. The offer carries a code, and the endpoints take secrets: those stay same-origin.
    let metadata = Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(server_metadata),
        )
        // Some wallets look for the token endpoint only there.
        .route("/.well-known/openid-configuration", get(server_metadata))
        .layer(super::open_to_browsers());
    Router::new()
        .merge(metadata)
        .route("/oid4vci/offers/{exchange}", get(offer))
        .route("/oid4vci/token", post(token))
        .route("/oid4vci/nonce", post(nonce))
        .route("/oid4vci/credential", post(credential))
}

/// An error of these endpoints, as OAuth 2.0 answers it.
#[derive(Debug)]
pub(crate) struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
    /// The nonce a draft 13 wallet signs next.
    c_nonce: Option<Nonce>,
    /// `WWW-Authenticate` (RFC 6750 §3): with `error="invalid_token"` when a token was sent.
    challenge: Option<&'static str>,
}

impl OAuthError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            c_nonce: None,
            challenge: None,
        }
    }

    fn bad(code: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, description)
    }

    /// A failure of the service: logged with its chain, answered without it.
    fn internal(error: ServiceError) -> Self {
        tracing::error!(
            error = format!("{:#}", anyhow::Error::from(error)),
            "request failed"
        );
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal error",
        )
    }
}

impl From<Oid4vciError> for OAuthError {
    fn from(e: Oid4vciError) -> Self {
        let description = e.to_string();
        match e {
            Oid4vciError::UnsupportedGrantType => Self::bad("unsupported_grant_type", description),
            Oid4vciError::InvalidRequest(_) => Self::bad("invalid_request", description),
            Oid4vciError::InvalidGrant(_) => Self::bad("invalid_grant", description),
            Oid4vciError::InvalidToken(_) => Self {
                challenge: Some("Bearer error=\"invalid_token\""),
                ..Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
            },
            Oid4vciError::InvalidCredentialRequest(_) => {
                Self::bad("invalid_credential_request", description)
            }
            Oid4vciError::UnknownConfiguration(_) => {
                Self::bad("unknown_credential_configuration", description)
            }
            Oid4vciError::UnknownIdentifier(_) => {
                Self::bad("unknown_credential_identifier", description)
            }
            Oid4vciError::UnsupportedFormat(_) => {
                Self::bad("unsupported_credential_format", description)
            }
            Oid4vciError::UnsupportedType => Self::bad("unsupported_credential_type", description),
            Oid4vciError::InvalidProof { c_nonce, .. } => Self {
                c_nonce,
                ..Self::bad("invalid_proof", description)
            },
            Oid4vciError::InvalidNonce { c_nonce } => Self {
                c_nonce: Some(c_nonce),
                ..Self::bad("invalid_nonce", description)
            },
            Oid4vciError::Denied(_) => Self::bad("credential_request_denied", description),
            Oid4vciError::Service(e) => Self::internal(e),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.code, "error_description": self.description});
        if let Some(nonce) = &self.c_nonce {
            body["c_nonce"] = json!(nonce.value);
            body["c_nonce_expires_in"] = json!(nonce.expires_in);
        }
        let mut response = no_store((self.status, Json(body)).into_response());
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// What carries a secret (a code, a token, a nonce) is never cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn issuer_metadata(State(app): State<Insigne>) -> Json<Value> {
    Json(app.credential_issuer_metadata())
}

async fn server_metadata(State(app): State<Insigne>) -> Json<Value> {
    Json(app.oauth_server_metadata())
}

/// The credential offer, by reference: what `openid-credential-offer://?credential_offer_uri=`
/// on the trainer's page points at.
async fn offer(
    State(app): State<Insigne>,
    Path(exchange): Path<String>,
) -> Result<Response, OAuthError> {
    let offer = app.credential_offer(&exchange).await.map_err(|e| match e {
        WalletError::Unknown => OAuthError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such credential offer",
        ),
        WalletError::Used => OAuthError::new(StatusCode::GONE, "offer_used", e.to_string()),
        WalletError::Expired => OAuthError::new(StatusCode::GONE, "offer_expired", e.to_string()),
        WalletError::NotDeliverable(_) => {
            OAuthError::new(StatusCode::GONE, "credential_request_denied", e.to_string())
        }
        WalletError::Service(e) => OAuthError::internal(e),
        // What only the other protocol, or the trainer's page, runs into.
        other => OAuthError::bad("invalid_request", other.to_string()),
    })?;
    Ok(no_store(Json(offer).into_response()))
}

/// The token endpoint (RFC 6749 §4.1.3 as OpenID4VCI §6 extends it), form-encoded.
async fn token(
    State(app): State<Insigne>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(OAuthError::bad(
            "invalid_request",
            "the token request is application/x-www-form-urlencoded",
        ));
    }
    if body.len() > TOKEN_BODY_MAX_BYTES {
        return Err(OAuthError::bad(
            "invalid_request",
            "the token request is too large",
        ));
    }
    // RFC 6749 §3.2: a parameter sent twice makes the request invalid.
    let mut fields = std::collections::BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        if fields.insert(name.clone(), value).is_some() {
            return Err(OAuthError::bad(
                "invalid_request",
                format!("{name} is sent more than once"),
            ));
        }
    }
    let field = |name: &str| fields.get(name).map(|v| v.as_ref());
    let issued = app
        .oid4vci_token(field("grant_type"), field("pre-authorized_code"))
        .await?;
    let body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "c_nonce": issued.c_nonce.value,
        "c_nonce_expires_in": issued.c_nonce.expires_in,
    });
    Ok(no_store(Json(body).into_response()))
}

/// The nonce endpoint (OpenID4VCI 1.0 §7): a fresh nonce, no token needed.
async fn nonce(State(app): State<Insigne>) -> Result<Response, OAuthError> {
    let nonce = app.fresh_c_nonce().map_err(OAuthError::internal)?;
    Ok(no_store(
        Json(json!({"c_nonce": nonce.value})).into_response(),
    ))
}

/// The credential endpoint: a bearer token and a key proof; the badge bound to that key.
async fn credential(
    State(app): State<Insigne>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let Some(token) = bearer(&headers) else {
        // RFC 6750 §3.1: no error code when no token was sent at all.
        return Err(OAuthError {
            challenge: Some("Bearer"),
            ..OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "send the access token of the token endpoint: Authorization: Bearer <token>",
            )
        });
    };
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(OAuthError::bad(
            "invalid_credential_request",
            "the credential request is application/json",
        ));
    }
    if body.len() > CREDENTIAL_BODY_MAX_BYTES {
        return Err(OAuthError::bad(
            "invalid_credential_request",
            "the credential request is too large",
        ));
    }
    let request: CredentialRequest = serde_json::from_slice(&body).map_err(|e| {
        OAuthError::bad(
            "invalid_credential_request",
            format!("the credential request is not the JSON expected: {e}"),
        )
    })?;
    let issued = app.oid4vci_credential(token, &request).await?;
    Ok(no_store(Json(answer(issued)).into_response()))
}

/// The credential response in the shape of the request's version.
fn answer(issued: IssuedCredential) -> Value {
    match issued.shape {
        RequestShape::Final => json!({"credentials": [{"credential": issued.credential}]}),
        RequestShape::Draft13 => {
            let mut answer =
                json!({"format": issued.form.format(), "credential": issued.credential});
            if let Some(nonce) = issued.c_nonce {
                answer["c_nonce"] = json!(nonce.value);
                answer["c_nonce_expires_in"] = json!(nonce.expires_in);
            }
            answer
        }
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 7235 §2.1).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}
