//! getCredentials and getProfile, for a bearer access token of the right scope. Every error is
//! an `Imsx_StatusInfo`: 400 (a query parameter), 401 (no live token; `WWW-Authenticate` says
//! why, RFC 6750), 403 (a scope not granted), 404, 405.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::BASE;
use crate::service::ob3_api::{ApiCaller, CREDENTIAL_READONLY, PROFILE_READONLY};
use crate::service::Insigne;

/// Credentials per page unless `limit` says otherwise, and at most.
pub(crate) const DEFAULT_LIMIT: usize = 20;
pub(crate) const MAX_LIMIT: usize = 100;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route(
            &format!("{BASE}/credentials"),
            get(credentials)
                .options(preflight)
                .fallback(imsx_method_not_allowed),
        )
        .route(
            &format!("{BASE}/profile"),
            get(profile)
                .options(preflight)
                .fallback(imsx_method_not_allowed),
        )
        .route(
            &format!("{BASE}/{{*rest}}"),
            axum::routing::any(no_such_route),
        )
}

/// An `Imsx_StatusInfo` answer: `minor` is one of the specification's code minor values.
pub(crate) fn imsx(status: StatusCode, minor: &str, description: &str) -> Response {
    let body = json!({
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
        ]}
    });
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// A failure of the service: logged with its cause, said without it.
fn internal(e: crate::service::ServiceError) -> Response {
    tracing::error!(
        error = format!("{:#}", anyhow::Error::new(e)),
        "OB 3.0 API request failed"
    );
    imsx(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_server_error",
        "internal error",
    )
}

pub(crate) async fn imsx_method_not_allowed() -> Response {
    imsx(
        StatusCode::METHOD_NOT_ALLOWED,
        "not_allowed",
        "this endpoint answers GET only (read only)",
    )
}

async fn no_such_route() -> Response {
    imsx(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// OPTIONS outside a CORS preflight (which the CORS layer answers first).
pub(crate) async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// The caller of a request, with `scope` among its token's; else the 401 or 403.
async fn caller(app: &Insigne, headers: &HeaderMap, scope: &str) -> Result<ApiCaller, Response> {
    let unauthorized = |challenge: &'static str, description: &str| {
        let mut response = imsx(StatusCode::UNAUTHORIZED, "unauthorizedrequest", description);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        response
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "Bearer realm=\"insigne\"",
            "an Authorization: Bearer <access token> header is needed",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or_default();
    let caller = app.api_caller(token).await.map_err(internal)?;
    let Some(caller) = caller else {
        return Err(unauthorized(
            "Bearer realm=\"insigne\", error=\"invalid_token\"",
            "the access token is unknown, expired or revoked",
        ));
    };
    let granted = match scope {
        CREDENTIAL_READONLY => caller.scopes.credentials,
        PROFILE_READONLY => caller.scopes.profile,
        _ => false,
    };
    if !granted {
        let mut response = imsx(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("this access token was not granted the scope {scope}"),
        );
        if let Ok(challenge) = HeaderValue::from_str(&format!(
            "Bearer realm=\"insigne\", error=\"insufficient_scope\", scope=\"{scope}\""
        )) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        return Err(response);
    }
    Ok(caller)
}

/// getCredentials' query, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Paging {
    limit: usize,
    offset: usize,
    since: Option<DateTime<Utc>>,
}

fn paging(query: Option<&str>) -> Result<Paging, String> {
    let mut paging = Paging {
        limit: DEFAULT_LIMIT,
        offset: 0,
        since: None,
    };
    let mut seen = std::collections::BTreeSet::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if !seen.insert(name.to_string()) {
            return Err(format!("{name} is given more than once"));
        }
        match name.as_ref() {
            "limit" => {
                paging.limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| format!("limit must be an integer from 1 to {MAX_LIMIT}"))?
            }
            "offset" => {
                paging.offset = value
                    .parse()
                    .map_err(|_| "offset must be a non-negative integer".to_string())?
            }
            "since" => {
                paging.since = Some(
                    DateTime::parse_from_rfc3339(&value)
                        .map_err(|_| "since must be an RFC 3339 date-time".to_string())?
                        .with_timezone(&Utc),
                )
            }
            _ => {}
        }
    }
    Ok(paging)
}

/// The `Link` header (RFC 8288) of a page: first and last always, next when more follow,
/// prev when this is not the first.
fn links(base: &str, paging: &Paging, total: usize) -> String {
    let url = |offset: usize| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("limit", &paging.limit.to_string());
        query.append_pair("offset", &offset.to_string());
        if let Some(since) = paging.since {
            query.append_pair("since", &crate::domain::clock::rfc3339(since));
        }
        format!("<{base}{BASE}/credentials?{}>", query.finish())
    };
    let last = total.saturating_sub(1) / paging.limit * paging.limit;
    let mut out = Vec::new();
    if paging.offset + paging.limit < total {
        out.push(format!(
            "{}; rel=\"next\"",
            url(paging.offset + paging.limit)
        ));
    }
    out.push(format!("{}; rel=\"last\"", url(last)));
    out.push(format!("{}; rel=\"first\"", url(0)));
    if paging.offset > 0 {
        out.push(format!(
            "{}; rel=\"prev\"",
            url(paging.offset.saturating_sub(paging.limit))
        ));
    }
    out.join(", ")
}

async fn credentials(
    State(app): State<Insigne>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let caller = match caller(&app, &headers, CREDENTIAL_READONLY).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let paging = match paging(query.as_deref()) {
        Ok(p) => p,
        Err(problem) => return imsx(StatusCode::BAD_REQUEST, "invalid_query_parameter", &problem),
    };
    let page = match app
        .api_credentials(&caller.email, paging.since, paging.offset, paging.limit)
        .await
    {
        Ok(page) => page,
        Err(e) => return internal(e),
    };
    let body = json!({"credential": page.credentials, "compactJwsString": page.jwts});
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body.to_string(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static("x-total-count"), page.total.into());
    if let Ok(link) = HeaderValue::from_str(&links(app.urls.base(), &paging, page.total)) {
        headers.insert(header::LINK, link);
    }
    response
}

async fn profile(State(app): State<Insigne>, headers: HeaderMap) -> Response {
    let caller = match caller(&app, &headers, PROFILE_READONLY).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    match app.api_profile(&caller.email).await {
        Ok(Some(profile)) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            profile.to_string(),
        )
            .into_response(),
        Ok(None) => imsx(StatusCode::NOT_FOUND, "not_found", "no profile"),
        Err(e) => internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_to_next_last_first_and_prev() {
        let p = |offset| Paging {
            limit: 2,
            offset,
            since: None,
        };
        let first = links("https://b.test", &p(0), 3);
        assert_eq!(
            first,
            "<https://b.test/ims/ob/v3p0/credentials?limit=2&offset=2>; rel=\"next\", \
             <https://b.test/ims/ob/v3p0/credentials?limit=2&offset=2>; rel=\"last\", \
             <https://b.test/ims/ob/v3p0/credentials?limit=2&offset=0>; rel=\"first\""
        );
        let second = links("https://b.test", &p(2), 3);
        assert!(!second.contains("next") && second.contains("offset=0>; rel=\"prev\""));
        assert!(links("https://b.test", &p(0), 0).contains("offset=0>; rel=\"last\""));
        assert!(paging(Some("limit=0")).is_err());
        assert!(paging(Some("limit=101")).is_err());
        assert!(paging(Some("offset=-1")).is_err());
        assert!(paging(Some("since=yesterday")).is_err());
        assert!(paging(Some("limit=1&limit=2")).is_err());
        assert_eq!(
            paging(Some("since=2026-01-01T00:00:00%2B01:00")).map(|p| p.since),
            Ok(Some("2025-12-31T23:00:00Z".parse().unwrap()))
        );
    }
}
