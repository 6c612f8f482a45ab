//! The badge class page and the issuer page: what the OB 2.0 URLs show a browser.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{competencies, content_lang, html, switch_url, CompetencyView};
use crate::domain::{BadgeClassId, IssuerId};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::Insigne;

#[derive(Template)]
#[template(path = "class.html")]
struct ClassPage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    title: String,
    name: String,
    description: String,
    image_url: String,
    image_alt: String,
    issuer_name: String,
    issuer_page: String,
    validity: String,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    competencies: Vec<CompetencyView>,
    tags: Vec<String>,
    class_url: String,
    endorsements: Vec<super::EndorsementView>,
}

pub(crate) async fn badge_class_html(
    app: &Insigne,
    id: BadgeClassId,
    t: Lang,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let class = app.badge_class(id).await?;
    let issuer = app.issuer(class.issuer).await?;
    let class_url = app.urls.badge_class(class.id);
    let path = url::Url::parse(&class_url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let page = ClassPage {
        t,
        switch_url: switch_url(&path, t),
        content_lang: content_lang(t),
        title: t.t_with(
            "class-title",
            &[("badge", &class.name), ("issuer", &issuer.name)],
        ),
        image_alt: t.t_with("badge-image-alt", &[("badge", &class.name)]),
        image_url: app.urls.badge_class_image(class.id),
        issuer_page: app.urls.issuer(issuer.id),
        issuer_name: issuer.name,
        validity: match class.validity_days {
            Some(days) => t.t_count("class-validity-days", "days", days),
            None => t.t("class-no-validity"),
        },
        criteria_narrative: class.criteria.narrative.clone(),
        criteria_url: class.criteria.url.clone(),
        competencies: competencies(&class.alignments, t),
        tags: class.tags.clone(),
        endorsements: super::endorsement_views(
            app,
            &[crate::storage::EndorsementTarget::BadgeClass(class.id)],
            t,
        )
        .await?,
        name: class.name,
        description: class.description,
        class_url,
    };
    html(headers, page, "Accept, Accept-Language")
}

pub(crate) struct ClassLink {
    pub name: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "issuer.html")]
struct IssuerPage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    name: String,
    description: Option<String>,
    image_url: Option<String>,
    image_alt: String,
    website: String,
    email: String,
    classes: Vec<ClassLink>,
    issuer_url: String,
    did_url: String,
}

pub(crate) async fn issuer_html(
    app: &Insigne,
    id: IssuerId,
    t: Lang,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let issuer = app.issuer(id).await?;
    let mut classes: Vec<ClassLink> = app
        .badge_classes()
        .await?
        .into_iter()
        .filter(|c| c.issuer == issuer.id)
        .map(|c| ClassLink {
            url: app.urls.badge_class(c.id),
            name: c.name,
        })
        .collect();
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    let issuer_url = app.urls.issuer(issuer.id);
    let path = url::Url::parse(&issuer_url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let page = IssuerPage {
        t,
        switch_url: switch_url(&path, t),
        content_lang: content_lang(t),
        image_alt: t.t_with("issuer-image-alt", &[("issuer", &issuer.name)]),
        image_url: issuer
            .image
            .as_ref()
            .map(|_| app.urls.issuer_image(issuer.id)),
        name: issuer.name,
        description: issuer.description,
        website: issuer.url,
        email: issuer.email.as_str().to_string(),
        classes,
        did_url: app.urls.did_document(issuer.id),
        issuer_url,
    };
    html(headers, page, "Accept, Accept-Language")
}
