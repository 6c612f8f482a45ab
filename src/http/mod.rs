//! The HTTP edge (axum): admin API, public Open Badges documents and pages.

pub mod admin;
pub mod cache;
pub mod console;
pub mod edge;
pub mod error;
pub mod extract;
pub mod health;
pub mod ingest;
pub mod openapi;
pub mod public;
pub mod resolve;
pub mod server;
pub mod unbake;
pub mod verify;

use std::future::Future;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::get;
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::service::Insigne;
use error::ApiError;

/// Every route of the service.
pub fn router(app: Insigne) -> Router {
    let (api, document) = openapi::api();
    let api = api.layer(axum::middleware::from_fn_with_state(app.clone(), audited));
    // Serialising a document of strings and maps cannot fail; an empty one would show in tests.
    let document: Arc<str> = serde_json::to_string(&document).unwrap_or_default().into();
    api.route(
        "/api/openapi.json",
        get(move || {
            let document = document.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    document.to_string(),
                )
            }
        }),
    )
    .merge(public::router())
    .merge(console::router())
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(span)
            .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
    )
    .layer(axum::middleware::from_fn_with_state(
        app.clone(),
        edge::guard,
    ))
    .with_state(app)
}

/// Every change made through the API (a request other than GET that succeeded, with a token)
/// goes to the audit log: the token's id, the method and path (emails left out), the resource
/// it created, the status.
async fn audited(
    axum::extract::State(app): axum::extract::State<Insigne>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let method = request.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let action = format!("{method} {}", loggable_path(request.uri().path()));
    let seen = crate::auth::extract::TokenSeen::default();
    request.extensions_mut().insert(seen.clone());
    let response = next.run(request).await;
    let token = seen.0.lock().ok().and_then(|t| t.clone());
    if let (true, Some(token)) = (response.status().is_success(), token) {
        let target = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let status = response.status().as_u16().to_string();
        let actor = crate::service::Actor::Token(token);
        if let Err(e) = app
            .audit(&actor, &action, target.as_deref(), Some(&status))
            .await
        {
            // The change is made; a lost entry is said loudly rather than undoing it.
            tracing::error!(error = format!("{e:#}"), %action, "the audit log could not be written");
        }
    }
    response
}

/// The log span of a request: method, path and the client (behind trusted proxies, the
/// address they forwarded for). The query string is left out: it may carry a sign-in token.
fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let client = request
        .extensions()
        .get::<edge::ClientAddr>()
        .map(|edge::ClientAddr(ip)| ip.to_string())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
        %client,
    )
}

/// A path as the log may show it: a sign-in secret, a pending authorization's id, a
/// credential offer (it hands out its code), a wallet exchange's id and a trainer's email
/// replaced by `…`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    const HIDDEN: [&str; 7] = [
        "/mes-badges/connexion/",
        "/mes-badges/autorisations/",
        "/mes-badges/portefeuille/",
        "/admin/connexion/",
        "/api/v1/trainers/",
        "/oid4vci/offers/",
        "/wallet/exchanges/",
    ];
    for prefix in HIDDEN {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.split_once('/').map(|(_, t)| t);
            return match tail {
                Some(tail) => format!("{prefix}…/{tail}").into(),
                None => format!("{prefix}…").into(),
            };
        }
    }
    path.into()
}

/// Serves until `shutdown` completes, then lets in-flight requests finish for at most `grace`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Insigne,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: std::time::Duration,
) -> std::io::Result<()> {
    server::serve(listener, router(app), shutdown, grace).await
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError::MethodNotAllowed(format!("this route does not answer {method}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_and_emails_stay_out_of_the_log() {
        assert_eq!(
            super::loggable_path("/mes-badges/connexion/s3cr3t"),
            "/mes-badges/connexion/…"
        );
        assert_eq!(
            super::loggable_path("/api/v1/trainers/marie@ac-versailles.fr/export"),
            "/api/v1/trainers/…/export"
        );
        assert_eq!(
            super::loggable_path("/admin/connexion/s3cr3t"),
            "/admin/connexion/…"
        );
        assert_eq!(super::loggable_path("/admin/connexion"), "/admin/connexion");
        assert_eq!(
            super::loggable_path("/mes-badges/autorisations/s3cr3t"),
            "/mes-badges/autorisations/…"
        );
        assert_eq!(
            super::loggable_path("/mes-badges/portefeuille/s3cr3t/vcapi.svg"),
            "/mes-badges/portefeuille/…/vcapi.svg"
        );
        assert_eq!(
            super::loggable_path("/wallet/exchanges/s3cr3t"),
            "/wallet/exchanges/…"
        );
        assert_eq!(
            super::loggable_path("/oid4vci/offers/s3cr3t"),
            "/oid4vci/offers/…"
        );
        assert_eq!(super::loggable_path("/badges/42"), "/badges/42");
    }
}
