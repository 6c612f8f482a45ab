//! Pages for people: the badge page behind `links.page`, the badge class and issuer pages (the
//! OB 2.0 URLs, when a browser asks for HTML), the accessibility statement, and their assets.
//! French first; every word comes from `locales/` (see `http::i18n`).

pub mod assets;
mod badge;
mod catalogue;
pub(crate) mod consent;
mod home;
mod mine;
pub(crate) mod requests;
pub(crate) mod wallet;

use askama::Template;
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub(crate) use badge::badge_html;
pub(crate) use catalogue::{badge_class_html, issuer_html};

use crate::domain::{Alignment, Award};
use crate::formats::ob2::anchor;
use crate::http::cache::revalidated;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/", get(home::home))
        .route("/badges/{id}", get(badge::badge_page))
        .route("/badges/{id}/qr.svg", get(badge::badge_qr))
        .route("/accessibilite", get(accessibility))
        .merge(assets::router())
        .merge(mine::router())
        .merge(requests::router())
        .merge(wallet::router())
}

/// `?lang=` on any page: the visible language switch.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LangQuery {
    pub lang: Option<String>,
}

/// The language catalogue data is written in (names, descriptions, evidence): marked with
/// `lang` on a page in another language.
const CONTENT_LANG: Lang = Lang::Fr;

fn content_lang(page: Lang) -> Option<&'static str> {
    (page != CONTENT_LANG).then(|| CONTENT_LANG.code())
}

/// `path` in the other language: the switch's target.
fn switch_url(path: &str, lang: Lang) -> String {
    format!("{path}?lang={}", lang.other().code())
}

/// Whether the client prefers HTML to JSON: browsers do (`text/html` before `*/*;q=0.8`);
/// validators, `curl` and anything that sends no `Accept` or only `*/*` get JSON-LD.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let (mut html, mut json) = (0.0f32, 0.0f32);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/ld+json" | "application/json" | "application/*" | "*/*" => {
                json = json.max(q)
            }
            _ => {}
        }
    }
    html > 0.0 && html > json
}

/// A date for a `<time>` element: machine form and words.
pub(crate) struct DateView {
    pub iso: String,
    pub text: String,
}

impl DateView {
    fn new(t: DateTime<Utc>, lang: Lang) -> Self {
        Self {
            iso: t.format("%Y-%m-%d").to_string(),
            text: lang.date(t),
        }
    }
}

/// An award's live status in words (revoked, with date and reason; expired, with date; valid)
/// and the class that styles it: never colour alone.
fn status_words(award: &Award, now: DateTime<Utc>, t: Lang) -> (&'static str, String) {
    match (&award.revocation, award.expires) {
        (Some(r), _) => (
            "revoked",
            t.t_with(
                "status-revoked",
                &[("date", &t.date(r.at)), ("reason", &r.reason)],
            ),
        ),
        (None, Some(exp)) if exp <= now => (
            "expired",
            t.t_with("status-expired", &[("date", &t.date(exp))]),
        ),
        _ => ("valid", t.t("status-valid")),
    }
}

pub(crate) struct CompetencyView {
    pub anchor: String,
    pub code: String,
    pub name: String,
    pub framework_line: String,
}

fn competencies(alignments: &[Alignment], lang: Lang) -> Vec<CompetencyView> {
    alignments
        .iter()
        .map(|a| CompetencyView {
            anchor: anchor(&a.code),
            code: a.code.clone(),
            name: a.name.clone(),
            framework_line: lang.t_with("competency-framework", &[("framework", &a.framework)]),
        })
        .collect()
}

/// An endorsement, as a badge or badge class page shows it.
pub(crate) struct EndorsementView {
    pub line: String,
    pub comment: String,
    pub revoked: Option<String>,
    pub url: String,
}

/// The endorsements of `targets` (a badge class, a badge), oldest first, revoked ones said so.
pub(crate) async fn endorsement_views(
    app: &Insigne,
    targets: &[crate::storage::EndorsementTarget],
    lang: Lang,
) -> Result<Vec<EndorsementView>, ApiError> {
    let mut out = Vec::new();
    for target in targets {
        for e in app.endorsements_of(*target).await? {
            out.push(EndorsementView {
                line: lang.t_with(
                    "endorsement-line",
                    &[("by", &e.endorser_name), ("date", &lang.date(e.created_at))],
                ),
                comment: e.comment,
                revoked: e
                    .revoked_at
                    .map(|at| lang.t_with("endorsement-revoked", &[("date", &lang.date(at))])),
                url: app.urls.endorsement(e.id),
            });
        }
    }
    Ok(out)
}

/// A rendered page, tagged for revalidation; it depends on `Accept-Language` (and on `Accept`
/// where the same URL also serves JSON-LD).
pub(crate) fn html(
    request: &HeaderMap,
    page: impl Template,
    vary: &'static str,
) -> Result<Response, ApiError> {
    let body = page
        .render()
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("page template")))?;
    let mut response = revalidated(request, "text/html; charset=utf-8", body, Some(vary));
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    Ok(response)
}

/// What a sign-in step says ("check your inbox", "this link has expired"…), with the button that
/// confirms a link when there is one: "mes badges" and the console share it.
#[derive(Template)]
#[template(path = "signin_notice.html")]
pub(crate) struct SigninNotice {
    pub t: Lang,
    pub switch_url: String,
    pub title: String,
    pub text: String,
    /// Where the confirm button posts, when the page confirms a link.
    pub confirm_action: Option<String>,
    pub confirm_label: String,
    pub back_url: String,
    pub back_label: String,
}

/// Pages about one person are never stored by a shared cache.
pub(crate) fn private(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// Pages load their own stylesheet, script and images only; nothing runs inline.
pub(crate) const PAGE_POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    t: Lang,
    switch_url: String,
}

/// What a person gets where a page was asked for: an unknown badge, badge class or issuer is a
/// 404 page in their language, not a JSON error.
pub(crate) fn for_people(
    result: Result<Response, ApiError>,
    t: Lang,
    path: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    match result {
        Err(ApiError::NotFound(_)) => {
            let mut response = html(
                headers,
                NotFoundPage {
                    t,
                    switch_url: switch_url(path, t),
                },
                "Accept, Accept-Language",
            )?;
            *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
            response.headers_mut().remove(header::ETAG);
            Ok(response)
        }
        other => other,
    }
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    t: Lang,
    switch_url: String,
}

async fn accessibility(
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    html(
        &headers,
        AccessibilityPage {
            t,
            switch_url: switch_url("/accessibilite", t),
        },
        "Accept-Language",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_and_validators_json() {
        let with = |accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, accept.parse().expect("header"));
            h
        };
        assert!(wants_html(&with(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!wants_html(&HeaderMap::new()));
        assert!(!wants_html(&with("*/*")));
        assert!(!wants_html(&with("application/ld+json, application/json")));
        assert!(!wants_html(&with("text/html, application/ld+json")));
        assert!(!wants_html(&with("text/html;q=0.5, application/json")));
        assert!(wants_html(&with("text/html")));
    }
}
