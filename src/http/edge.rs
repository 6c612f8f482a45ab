//! What every request goes through before a handler sees it: who the client is (behind trusted
//! proxies), a declared length over the route's limit (413 before anything is read), and one
//! deadline for receiving a body (408), which also ends a request that said both
//! `Content-Length` and `Transfer-Encoding` and sent less than it promised.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use super::error::ApiError;
use crate::service::Insigne;

/// How long a client may take to send a request body, from its first byte to its last, unless
/// configured.
pub const BODY_DEADLINE: Duration = Duration::from_secs(30);

/// The client of a request: the peer, or, when the peer is a trusted proxy, the address the
/// proxies say they forwarded for. Rate limits and logs use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client's address as rate limits count it (`unknown` when the edge did not say).
    pub fn label(client: Option<axum::Extension<ClientAddr>>) -> String {
        client
            .map(|axum::Extension(ClientAddr(ip))| ip.to_string())
            .unwrap_or_else(|| "unknown".into())
    }
}

/// The client behind `peer`: `peer` itself unless it is one of `trusted`; then the nearest
/// address of the `X-Forwarded-For` chain (or `Forwarded: for=`) that is not a trusted proxy.
/// Each proxy appends the address it received from, so only the part of the chain written by
/// trusted proxies can be believed: the first untrusted address from the right is the client.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut chain: Vec<IpAddr> = Vec::new();
    let forwarded_for = headers.get_all("x-forwarded-for");
    if forwarded_for.iter().next().is_some() {
        for value in forwarded_for {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for item in text.split(',') {
                match parse_address(item) {
                    Some(ip) => chain.push(ip),
                    None => return peer, // a chain that cannot be read is not believed
                }
            }
        }
    } else {
        for value in headers.get_all(header::FORWARDED) {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for element in text.split(',') {
                let Some(node) = element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| value.trim().trim_matches('"'))
                }) else {
                    continue;
                };
                match parse_address(node) {
                    Some(ip) => chain.push(ip),
                    None => return peer, // "unknown", an obfuscated name: not an address
                }
            }
        }
    }
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(chain.first())
        .copied()
        .unwrap_or(peer)
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

/// The largest body `path` takes, checked against the declared length before anything is
/// read; the routes' own `DefaultBodyLimit` uses the same figures for what is read.
pub fn body_limit(path: &str) -> usize {
    match path {
        "/api/v1/completions/import" => super::ingest::IMPORT_MAX_BYTES,
        "/api/v1/attendance/import" => super::ingest::ATTENDANCE_MAX_BYTES,
        "/api/v1/verify" => crate::verify::MAX_INPUT_BYTES,
        "/verify" => super::public::VERIFY_FORM_MAX_BYTES,
        "/api/v1/unbake" => crate::bake::MAX_IMAGE_BYTES,
        "/admin/catalogue" | "/admin/imports" => super::console::UPLOAD_MAX_BYTES,
        // A badge request's form, with its files (the path names the request).
        p if p.starts_with("/mes-badges/demandes/") => {
            super::public::pages::requests::REQUEST_FORM_MAX_BYTES
        }
        _ => super::extract::MAX_BODY_BYTES,
    }
}

/// Refuses a declared length over the limit (413) or unreadable (400), bounds the time a body
/// may take (408), and names the client.
pub async fn guard(State(app): State<Insigne>, mut request: Request, next: Next) -> Response {
    // A request with both `Content-Length` and `Transfer-Encoding` reaches here chunked, its
    // length dropped by hyper (RFC 9112 §6.3): its body is bounded by the deadline below.
    let headers = request.headers();
    let limit = body_limit(request.uri().path());
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>());
    match declared {
        Some(Ok(length)) if length > limit as u64 => {
            return closing(ApiError::TooLarge(limit.div_ceil(1024 * 1024)));
        }
        Some(Err(_)) => {
            return closing(ApiError::BadField {
                field: "(headers)".into(),
                message: "Content-Length is not a number".into(),
            })
        }
        _ => {}
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = client_address(peer, request.headers(), &app.trusted_proxies);
        request.extensions_mut().insert(ClientAddr(client));
    }
    // Most requests (every page, image and document) have no body: no timer for them.
    if http_body::Body::is_end_stream(request.body()) {
        return next.run(request).await;
    }
    let late = Arc::new(AtomicBool::new(false));
    let within = app.body_deadline;
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(within)),
            within,
            late: late.clone(),
        })
    });
    let response = next.run(request).await;
    if late.load(Ordering::Relaxed) {
        return closing(ApiError::Timeout(within.as_secs()));
    }
    response
}

/// An error answer after which the connection is closed.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that must be received whole before its deadline; past it, reading fails and
/// the request is answered 408.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    within: Duration,
    late: Arc<AtomicBool>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(format!(
                "the request body was not received within {} s",
                self.within.as_secs()
            )))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        map
    }

    #[test]
    fn the_client_is_believed_only_through_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let trusted = vec!["10.0.0.0/24".parse::<IpNet>().expect("net")];
        let xff = headers(&[("x-forwarded-for", "198.51.100.9, 203.0.113.7")]);
        // Not from a trusted proxy: the header is anybody's word.
        let stranger: IpAddr = "192.0.2.1".parse().expect("ip");
        assert_eq!(client_address(stranger, &xff, &trusted), stranger);
        // From the proxy: the nearest untrusted address (the left one may be forged).
        assert_eq!(
            client_address(proxy, &xff, &trusted),
            "203.0.113.7".parse::<IpAddr>().expect("ip")
        );
        // Two trusted hops.
        let two = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.3")]);
        assert_eq!(
            client_address(proxy, &two, &trusted),
            "203.0.113.7".parse::<IpAddr>().expect("ip")
        );
        // RFC 7239.
        let forwarded = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(
            client_address(proxy, &forwarded, &trusted),
            "2001:db8::7".parse::<IpAddr>().expect("ip")
        );
        // Garbage or nothing: the proxy itself.
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(client_address(proxy, &garbage, &trusted), proxy);
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        // No trusted proxies configured: never believed.
        assert_eq!(client_address(proxy, &xff, &[]), proxy);
    }
}
