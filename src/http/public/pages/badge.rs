//! The badge page: what a trainer puts on a CV and an employer opens. Its live status comes
//! first when the badge is revoked; everything reads without JavaScript.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::{competencies, content_lang, html, switch_url, CompetencyView, DateView, LangQuery};
use crate::domain::{AwardId, ImageKind};
use crate::formats::linkedin;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::Insigne;

pub(crate) struct EvidenceView {
    pub name: String,
    pub url: Option<String>,
    pub text: String,
}

#[derive(Template)]
#[template(path = "badge.html")]
struct BadgePage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    title: String,
    summary: String,
    og_locale: &'static str,
    og_image: String,
    badge_name: String,
    description: String,
    narrative: Option<String>,
    image_url: String,
    image_alt: String,
    earner: String,
    issuer_name: String,
    issuer_page: String,
    class_page: String,
    issued_on: DateView,
    expires: Option<DateView>,
    status_class: &'static str,
    status_text: String,
    revoked_banner: Option<String>,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    competencies: Vec<CompetencyView>,
    evidence: Vec<EvidenceView>,
    page_url: String,
    linkedin_url: Option<String>,
    qr_url: String,
    qr_alt: String,
    print_note: String,
    assertion_url: String,
    signed_url: String,
    credential_url: String,
    /// VerifierPlus, given the credential's URL (it fetches it from the browser).
    verifier_plus_url: String,
    /// For the badge's own trainer, signed in: where "Ajouter à mon portefeuille" posts.
    wallet_action: Option<String>,
    jwt_url: String,
    png_url: String,
    svg_url: String,
    endorsements: Vec<super::EndorsementView>,
}

pub(super) async fn badge_page(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = match raw.parse::<AwardId>() {
        Ok(id) => badge_html(&app, id, lang, &headers).await,
        Err(_) => Err(ApiError::NotFound(format!("no badge with id {raw}"))),
    };
    super::for_people(page, lang, &format!("/badges/{raw}"), &headers)
}

/// The badge page of award `id` in `lang` (also what the OB 2.0 assertion URL shows a browser).
pub(crate) async fn badge_html(
    app: &Insigne,
    id: AwardId,
    t: Lang,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let stored = app.award(id).await?;
    // A badge its holder made private has no page; its signed forms stay verifiable.
    if app.badge_is_private(id).await? {
        return Err(ApiError::NotFound(format!("no badge with id {id}")));
    }
    let award = &stored.award;
    let class = app.badge_class(award.badge_class).await?;
    let issuer = app.issuer(class.issuer).await?;
    let now = app.clock.now();
    let page_url = app.urls.badge_page(award.id);
    let (status_class, status_text) = super::status_words(award, now, t);
    let revoked_banner = award.revocation.as_ref().map(|r| {
        t.t_with(
            "revoked-banner",
            &[("date", &t.date(r.at)), ("reason", &r.reason)],
        )
    });
    // Social networks do not show SVG previews: an SVG badge is previewed by its baked PNG.
    let og_image = match class.image.kind() {
        ImageKind::Png => app.urls.badge_class_image(class.id),
        ImageKind::Svg => app.urls.baked_png(award.id),
    };
    let linkedin_url = award.revocation.is_none().then(|| {
        linkedin::add_to_profile(&linkedin::Certification {
            name: &class.name,
            organization: &issuer.name,
            issued: award.issued_on,
            expires: award.expires,
            url: &page_url,
            id: &award.id.to_string(),
        })
    });
    // The page of a badge its trainer is looking at, signed in, offers to add it to a wallet:
    // that page is theirs alone, never stored by a shared cache.
    let owner = match crate::auth::extract::signed_in(app, headers).await? {
        Some(email) => email == award.recipient.email.to_string(),
        None => false,
    };
    let wallet_action = (owner && award.is_current(now))
        .then(|| format!("/mes-badges/badges/{}/portefeuille", award.id));
    let endorsements = super::endorsement_views(
        app,
        &[
            crate::storage::EndorsementTarget::BadgeClass(award.badge_class),
            crate::storage::EndorsementTarget::Award(award.id),
        ],
        t,
    )
    .await?;
    let page = BadgePage {
        endorsements,
        t,
        switch_url: switch_url(&format!("/badges/{}", award.id), t),
        content_lang: content_lang(t),
        title: t.t_with(
            "badge-title",
            &[("badge", &class.name), ("earner", &award.recipient.name)],
        ),
        summary: t.t_with(
            "og-description",
            &[
                ("badge", &class.name),
                ("earner", &award.recipient.name),
                ("issuer", &issuer.name),
            ],
        ),
        og_locale: match t {
            Lang::Fr => "fr_FR",
            Lang::En => "en_GB",
        },
        og_image,
        image_alt: t.t_with("badge-image-alt", &[("badge", &class.name)]),
        badge_name: class.name.clone(),
        description: class.description.clone(),
        narrative: award.narrative.clone(),
        image_url: app.urls.badge_class_image(class.id),
        earner: award.recipient.name.clone(),
        issuer_name: issuer.name.clone(),
        issuer_page: app.urls.issuer(issuer.id),
        class_page: app.urls.badge_class(class.id),
        issued_on: DateView::new(award.issued_on, t),
        expires: award.expires.map(|e| DateView::new(e, t)),
        status_class,
        status_text,
        revoked_banner,
        criteria_narrative: class.criteria.narrative.clone(),
        criteria_url: class.criteria.url.clone(),
        competencies: competencies(&class.alignments, t),
        evidence: award
            .evidence
            .iter()
            .map(|e| EvidenceView {
                name: e.name.clone().or_else(|| e.url.clone()).unwrap_or_default(),
                url: e.url.clone(),
                text: [e.description.as_deref(), e.narrative.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
        qr_url: format!("/badges/{}/qr.svg", award.id),
        qr_alt: t.t_with("qr-alt", &[("url", &page_url)]),
        print_note: t.t_with("print-note", &[("url", &page_url)]),
        linkedin_url,
        page_url,
        assertion_url: app.urls.assertion(award.id),
        signed_url: app.urls.signed_assertion(award.id),
        credential_url: app.urls.credential(award.id),
        verifier_plus_url: format!(
            "https://verifierplus.org?url={}",
            url::form_urlencoded::byte_serialize(app.urls.credential(award.id).as_bytes())
                .collect::<String>()
        ),
        jwt_url: app.urls.credential_jwt(award.id),
        png_url: app.urls.baked_png(award.id),
        svg_url: app.urls.baked_svg(award.id),
        wallet_action,
    };
    if owner {
        return Ok(super::private(html(
            headers,
            page,
            "Accept, Accept-Language, Cookie",
        )?));
    }
    html(headers, page, "Accept, Accept-Language, Cookie")
}

/// `GET /badges/{id}/qr.svg`: the QR code of the badge page's address, for the page and its
/// print view. An image of its own, so that the page stays light and a browser fetches it once:
/// it never changes for a given badge.
pub(super) async fn badge_qr(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id: AwardId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no badge with id {raw}")))?;
    let award = app.award(id).await?;
    let svg = qr_svg(&app.urls.badge_page(award.award.id))
        .ok_or_else(|| ApiError::internal("the badge address does not fit a QR code"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
        ],
        svg,
    )
        .into_response())
}

/// The QR code of `url` as an SVG image: one path, a four-module quiet zone. Encoded with
/// qrcodegen (a port of the reference implementation): the `qrcode` crate took about 0.8 ms
/// per code on this kind of machine, four times as long.
pub(super) fn qr_svg(url: &str) -> Option<String> {
    let code = qrcodegen::QrCode::encode_text(url, qrcodegen::QrCodeEcc::Medium).ok()?;
    let width = code.size();
    let size = width + 8;
    let mut path = String::with_capacity((width * width * 4) as usize);
    for y in 0..width {
        for x in 0..width {
            if code.get_module(x, y) {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_of_the_address() {
        let url = "https://badges.example/badges/42";
        let svg = qr_svg(url).expect("fits");
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        // One unit square per dark module of the code of that address.
        let code =
            qrcodegen::QrCode::encode_text(url, qrcodegen::QrCodeEcc::Medium).expect("encode");
        let dark = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .filter(|(x, y)| code.get_module(*x, *y))
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", code.size() + 8)));
    }
}
