//! The verifier's resolver for documents insigne serves itself: answered in process, through
//! the same router that serves them (so what a verifier sees is what the world sees).
//! Documents of other hosts go through the guarded fetcher.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::formats::ob3::identity::did_web;
use crate::service::Insigne;
use crate::verify::resolve::{alternate_json_ld, ResolveFuture, Resolved, Resolver};

/// The largest document read.
const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

pub struct LocalResolver {
    app: Insigne,
    /// Built once: a verification resolves several documents, and building the route table
    /// each time cost more than answering.
    router: axum::Router,
}

impl LocalResolver {
    pub fn new(app: Insigne) -> Self {
        Self {
            router: super::router(app.clone()),
            app,
        }
    }

    /// The local path of a URL or did:web this instance serves.
    fn local_path(&self, url: &str) -> Option<String> {
        let base = self.app.urls.base();
        if let Some(rest) = url.strip_prefix(base) {
            return Some(if rest.is_empty() {
                "/".into()
            } else {
                rest.to_string()
            });
        }
        let did_base = did_web(base)?;
        let rest = url.strip_prefix(&did_base)?.strip_prefix(':')?;
        Some(format!("/{}/did.json", rest.replace(':', "/")))
    }
}

impl Resolver for LocalResolver {
    fn get<'a>(&'a self, url: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            let url = url.split('#').next().unwrap_or(url);
            let Some(path) = self.local_path(url) else {
                return self.app.fetcher.get(url).await;
            };
            let Ok(request) = Request::get(path).body(Body::empty()) else {
                return Resolved::NotFound;
            };
            let Ok(response) = self.router.clone().oneshot(request).await;
            let status = response.status();
            let html = response
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            let Ok(body) = response.into_body().collect().await.map(|b| b.to_bytes()) else {
                return Resolved::Unavailable(format!("{url} could not be read"));
            };
            if body.len() > MAX_DOCUMENT_BYTES {
                return Resolved::Unavailable(format!("{url} is larger than 2 MiB"));
            }
            if status == StatusCode::OK && html {
                return Resolved::Page(alternate_json_ld(&String::from_utf8_lossy(&body), url));
            }
            let json = serde_json::from_slice::<Value>(&body);
            match (status, json) {
                (StatusCode::OK, Ok(doc)) => Resolved::Json(doc),
                (StatusCode::GONE, Ok(doc)) => Resolved::Gone(doc),
                (StatusCode::NOT_FOUND, _) => Resolved::NotFound,
                _ => Resolved::Unavailable(format!(
                    "{url} answered {status} without a JSON document"
                )),
            }
        })
    }
}
