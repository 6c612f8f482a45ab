//! The pages' own files: insigne's stylesheet and script, and the Système de Design de l'État
//! (DSFR) vendored under `assets/dsfr/` (see its SOURCE.md), served from the binary.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::http::cache::revalidated;
use crate::service::Insigne;

/// Where pages link the DSFR from: a path naming the release vendored, so that its files can
/// be cached for good (`templates/base.html` links it).
pub const DSFR_BASE: &str = "/assets/dsfr-1.15.3";

// rust-embed rather than a hand-written list: eighty-odd files (fonts, icons) the stylesheet
// names by relative path, kept in the binary for the Debian package.
#[derive(rust_embed::RustEmbed)]
#[folder = "assets/dsfr/"]
struct Dsfr;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/assets/insigne.css", get(stylesheet))
        .route("/assets/insigne.js", get(script))
        .route(&format!("{DSFR_BASE}/{{*path}}"), get(dsfr))
}

async fn stylesheet(headers: HeaderMap) -> Response {
    asset(
        &headers,
        "text/css; charset=utf-8",
        include_str!("../../../../assets/insigne.css").as_bytes(),
    )
}

async fn script(headers: HeaderMap) -> Response {
    asset(
        &headers,
        "text/javascript; charset=utf-8",
        include_str!("../../../../assets/insigne.js").as_bytes(),
    )
}

fn asset(headers: &HeaderMap, content_type: &'static str, body: &[u8]) -> Response {
    let mut response = revalidated(headers, content_type, body.to_vec(), None);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response.into_response()
}

fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?;
    Some(match ext {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "svg" => "image/svg+xml",
        "md" => "text/markdown; charset=utf-8",
        _ => return None,
    })
}

async fn dsfr(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (Some(file), Some(kind)) = (Dsfr::get(&path), content_type(&path)) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let mut response = revalidated(&headers, kind, file.data.into_owned(), None);
    // The path names the release: what it serves never changes.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_the_stylesheet_names_is_served() {
        let css = Dsfr::get("dsfr.min.css").expect("stylesheet");
        let css = String::from_utf8_lossy(&css.data).into_owned();
        let mut names = 0;
        for part in css.split("url(").skip(1) {
            let target = part
                .split(')')
                .next()
                .unwrap_or_default()
                .trim_matches(|c| c == '"' || c == '\'');
            if target.starts_with("data:") {
                continue;
            }
            names += 1;
            assert!(Dsfr::get(target).is_some(), "{target} is missing");
            assert!(content_type(target).is_some(), "{target}");
        }
        assert!(names > 50, "{names}");
        let base = include_str!("../../../../templates/base.html");
        assert!(base.contains(&format!("{DSFR_BASE}/dsfr.min.css")));
        assert!(base.contains(&format!("{DSFR_BASE}/dsfr.module.min.js")));
    }
}
