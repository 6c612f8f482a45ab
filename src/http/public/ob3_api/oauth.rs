//! The OAuth 2.0 endpoints: registration (RFC 7591), authorization (RFC 6749 §4.1 with PKCE),
//! token (§4.1.3, §6) and revocation (RFC 7009). Errors are RFC 6749's JSON (`error`,
//! `error_description`), except those of the authorization request, which go back to the
//! platform by redirection, or, when the client or its redirection endpoint is wrong, are said
//! on a page (§4.1.2.1).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::BASE;
use crate::http::edge::ClientAddr;
use crate::http::error::ApiError;
use crate::http::public::pages::consent::{consent_path, refusal_page};
use crate::i18n::Lang;
use crate::service::ob3_api::{
    AuthorizeFailure, AuthorizeRefusal, AuthorizeRequest, ClientAuth, OAuthError,
    RegistrationRequest, TokenRequest,
};
use crate::service::Insigne;

/// The largest registration, token or revocation request taken.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route(&format!("{BASE}/auth/register"), post(register))
        .route(&format!("{BASE}/auth/authorize"), get(authorize))
        .route(&format!("{BASE}/auth/token"), post(token))
        .route(&format!("{BASE}/auth/revoke"), post(revoke))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
}

/// Answers that carry secrets are never stored by anyone on the way.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn json_answer(status: StatusCode, body: serde_json::Value) -> Response {
    no_store(
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
    )
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = match &self {
            OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
            OAuthError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            OAuthError::Service(e) => {
                tracing::error!(error = format!("{e:#}"), "OAuth request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        let description = match &self {
            OAuthError::Service(_) => "internal error".to_string(),
            other => other.to_string(),
        };
        let mut response = json_answer(
            status,
            json!({"error": self.code(), "error_description": description}),
        );
        let headers = response.headers_mut();
        match self {
            OAuthError::InvalidClient => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"insigne\""),
                );
            }
            OAuthError::RateLimited => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            }
            _ => {}
        }
        response
    }
}

async fn register(
    State(app): State<Insigne>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json {
        return Err(OAuthError::InvalidClientMetadata(
            "the registration must be application/json".into(),
        ));
    }
    let request: RegistrationRequest = serde_json::from_slice(&body).map_err(|e| {
        OAuthError::InvalidClientMetadata(format!("the registration is not valid: {e}"))
    })?;
    let registered = app
        .register_client(request, &ClientAddr::label(client))
        .await?;
    let mut body = serde_json::to_value(&registered.metadata)
        .map_err(|e| OAuthError::InvalidClientMetadata(e.to_string()))?;
    body["client_id"] = json!(registered.client_id);
    body["client_secret"] = json!(registered.client_secret);
    body["client_id_issued_at"] = json!(registered.client_id_issued_at);
    body["client_secret_expires_at"] = json!(0);
    Ok(json_answer(StatusCode::CREATED, body))
}

/// A form's fields; a field given twice is refused (RFC 6749 §3.1, §3.2).
fn form_fields(headers: &HeaderMap, body: &[u8]) -> Result<BTreeMap<String, String>, OAuthError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(OAuthError::InvalidRequest(
            "the request must be application/x-www-form-urlencoded".into(),
        ));
    }
    let mut fields = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if fields.insert(name.to_string(), value.to_string()).is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "{name} is given more than once"
            )));
        }
    }
    Ok(fields)
}

/// The client's credentials: HTTP Basic (RFC 6749 §2.3.1: each part form-urlencoded) or the
/// form's `client_id` and `client_secret`, not both.
fn client_auth(
    headers: &HeaderMap,
    fields: &mut BTreeMap<String, String>,
) -> Result<Option<ClientAuth>, OAuthError> {
    let in_form = match (fields.remove("client_id"), fields.remove("client_secret")) {
        (Some(client_id), Some(client_secret)) => Some(ClientAuth {
            client_id,
            client_secret,
        }),
        _ => None,
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(in_form);
    };
    if in_form.is_some() {
        return Err(OAuthError::InvalidRequest(
            "client credentials in both the Authorization header and the form".into(),
        ));
    }
    let decoded = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b64)| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(OAuthError::InvalidClient)?;
    let (id, secret) = decoded.split_once(':').ok_or(OAuthError::InvalidClient)?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some(ClientAuth {
        client_id: unescape(id),
        client_secret: unescape(secret),
    }))
}

async fn token(
    State(app): State<Insigne>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut fields = form_fields(&headers, &body)?;
    let auth = client_auth(&headers, &mut fields)?;
    let mut take = |name: &str| fields.remove(name);
    let request = TokenRequest {
        grant_type: take("grant_type"),
        code: take("code"),
        redirect_uri: take("redirect_uri"),
        code_verifier: take("code_verifier"),
        refresh_token: take("refresh_token"),
        scope: take("scope"),
    };
    let issued = app.oauth_token(auth, request).await?;
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    if let Some(refresh) = issued.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    Ok(json_answer(StatusCode::OK, body))
}

async fn revoke(
    State(app): State<Insigne>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut fields = form_fields(&headers, &body)?;
    let auth = client_auth(&headers, &mut fields)?;
    app.revoke_oauth(auth, fields.remove("token")).await?;
    Ok(no_store(StatusCode::OK.into_response()))
}

async fn authorize(
    State(app): State<Insigne>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(None, &headers);
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut repeated = false;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        repeated |= fields
            .insert(name.into_owned(), value.into_owned())
            .is_some();
    }
    let page = |text: &str| {
        refusal_page(
            &headers,
            t,
            StatusCode::BAD_REQUEST,
            "consent-error-title",
            text,
            (format!("/?lang={}", t.code()), t.t("consent-home")),
        )
    };
    if repeated {
        // Which of two client ids or redirect URIs would be meant cannot be told.
        return page("consent-bad-redirect");
    }
    let mut take = |name: &str| fields.remove(name);
    let request = AuthorizeRequest {
        response_type: take("response_type"),
        client_id: take("client_id"),
        redirect_uri: take("redirect_uri"),
        scope: take("scope"),
        state: take("state"),
        code_challenge: take("code_challenge"),
        code_challenge_method: take("code_challenge_method"),
    };
    match app.start_authorization(request).await {
        Ok(id) => {
            let mut response = (StatusCode::SEE_OTHER, ()).into_response();
            let location = HeaderValue::from_str(&consent_path(&id)).map_err(ApiError::internal)?;
            response.headers_mut().insert(header::LOCATION, location);
            Ok(no_store(response))
        }
        Err(AuthorizeFailure::Refused(AuthorizeRefusal::UnknownClient)) => {
            page("consent-unknown-client")
        }
        Err(AuthorizeFailure::Refused(AuthorizeRefusal::BadRedirectUri)) => {
            page("consent-bad-redirect")
        }
        Err(AuthorizeFailure::Refused(AuthorizeRefusal::Redirect {
            redirect_uri,
            error,
            description,
            state,
        })) => {
            let to = crate::service::ob3_api::with_query(
                &redirect_uri,
                &[
                    ("error", Some(error)),
                    ("error_description", Some(&description)),
                    ("state", state.as_deref()),
                ],
            );
            let mut response = (StatusCode::FOUND, ()).into_response();
            let location = HeaderValue::from_str(&to).map_err(ApiError::internal)?;
            response.headers_mut().insert(header::LOCATION, location);
            Ok(no_store(response))
        }
        Err(AuthorizeFailure::Service(e)) => Err(e.into()),
    }
}
