//! HTTP caching of public documents and pages: an `ETag` from the body and `Cache-Control:
//! no-cache`, so a client or proxy may keep a copy but asks each time whether it still holds.
//! A revocation changes the body, hence the tag: it shows at once, and an unchanged document
//! costs a 304 with no body.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// What may be cached: kept, but revalidated on every use.
pub const REVALIDATE: &str = "public, no-cache";

/// The strong entity tag of `body`.
pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..16]))
}

/// Whether the client's `If-None-Match` names `tag` (or `*`).
fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// A 200 with `body` (or a bodiless 304 when the client holds it already), tagged and marked
/// for revalidation. `vary` names the request headers the body depends on.
pub fn revalidated(
    request: &HeaderMap,
    content_type: &'static str,
    body: impl Into<Vec<u8>>,
    vary: Option<&'static str>,
) -> Response {
    let body = body.into();
    let tag = etag(&body);
    let not_modified = matches(request, &tag);
    let mut response = Response::new(if not_modified {
        Body::empty()
    } else {
        Body::from(body)
    });
    if not_modified {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
    }
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(vary) = vary {
        headers.insert(header::VARY, HeaderValue::from_static(vary));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_tag_gets_a_bodiless_304() {
        let first = revalidated(&HeaderMap::new(), "text/html", "page", None);
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG].clone();
        assert_eq!(first.headers()[header::CACHE_CONTROL], REVALIDATE);

        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, tag.clone());
        let second = revalidated(&again, "text/html", "page", Some("Accept"));
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(second.headers()[header::ETAG], tag);
        assert_eq!(second.headers()[header::VARY], "Accept");

        // The page changed (a revocation): the old tag no longer matches.
        let changed = revalidated(&again, "text/html", "page, revoked", None);
        assert_eq!(changed.status(), StatusCode::OK);
    }
}
