//! `/`: the front door. The académie's badges — issuers, badge classes by parcours, how each is
//! earned and the competencies it attests — with the ways to verify a badge and to see one's own.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{competencies, content_lang, html, switch_url, CompetencyView, LangQuery};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::Insigne;

struct ClassCard {
    name: String,
    page: String,
    image_url: String,
    criteria: Option<String>,
    competencies: Vec<CompetencyView>,
}

struct Group {
    title: String,
    description: Option<String>,
    classes: Vec<ClassCard>,
}

struct IssuerLine {
    name: String,
    page: String,
    description: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    issuers: Vec<IssuerLine>,
    groups: Vec<Group>,
}

pub(super) async fn home(
    State(app): State<Insigne>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let home = app.home().await?;
    let groups = home
        .groups
        .into_iter()
        .map(|g| Group {
            title: match &g.parcours {
                Some(p) => format!("{} — {}", p.code, p.title),
                None => t.t("home-other-badges"),
            },
            description: g.parcours.and_then(|p| p.description),
            classes: g
                .classes
                .into_iter()
                .map(|c| ClassCard {
                    page: app.urls.badge_class(c.id),
                    image_url: app.urls.badge_class_image(c.id),
                    competencies: competencies(&c.alignments, t),
                    criteria: c.criteria.narrative,
                    name: c.name,
                })
                .collect(),
        })
        .collect();
    let issuers = home
        .issuers
        .into_iter()
        .map(|i| IssuerLine {
            page: app.urls.issuer(i.id),
            name: i.name,
            description: i.description,
        })
        .collect();
    let page = HomePage {
        t,
        switch_url: switch_url("/", t),
        content_lang: content_lang(t),
        issuers,
        groups,
    };
    html(&headers, page, "Accept-Language")
}
