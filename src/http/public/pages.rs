//! Pages for people: the badge page behind `links.page`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, Utc};

use crate::domain::AwardId;
use crate::formats::ob2::anchor;
use crate::http::error::ApiError;
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new().route("/badges/{id}", get(badge_page))
}

struct Competency {
    anchor: String,
    code: String,
    name: String,
    framework: String,
}

#[derive(Template)]
#[template(path = "badge.html")]
struct BadgePage {
    badge_name: String,
    description: String,
    image_url: String,
    earner: String,
    issuer_name: String,
    issuer_url: String,
    issued_on: String,
    expires: Option<String>,
    status_class: &'static str,
    status_text: String,
    revocation_reason: Option<String>,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    competencies: Vec<Competency>,
    assertion_url: String,
    signed_url: String,
    png_url: String,
    svg_url: String,
}

async fn badge_page(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id: AwardId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no badge with id {raw}")))?;
    let stored = app.award(id).await?;
    let award = &stored.award;
    let class = app.badge_class(award.badge_class).await?;
    let issuer = app.issuer(class.issuer).await?;
    let now = app.clock.now();
    let (status_class, status_text) = match (&award.revocation, award.expires) {
        (Some(_), _) => ("revoked", "révoqué".to_string()),
        (None, Some(exp)) if exp <= now => {
            ("expired", format!("expiré depuis le {}", french_date(exp)))
        }
        _ => ("valid", "valide".to_string()),
    };
    let page = BadgePage {
        badge_name: class.name.clone(),
        description: class.description.clone(),
        image_url: app.urls.badge_class_image(class.id),
        earner: award.recipient.name.clone(),
        issuer_name: issuer.name.clone(),
        issuer_url: issuer.url.clone(),
        issued_on: french_date(award.issued_on),
        expires: award.expires.map(french_date),
        status_class,
        status_text,
        revocation_reason: award.revocation.as_ref().map(|r| r.reason.clone()),
        criteria_narrative: class.criteria.narrative.clone(),
        criteria_url: class.criteria.url.clone(),
        competencies: class
            .alignments
            .iter()
            .map(|a| Competency {
                anchor: anchor(&a.code),
                code: a.code.clone(),
                name: a.name.clone(),
                framework: a.framework.clone(),
            })
            .collect(),
        assertion_url: app.urls.assertion(award.id),
        signed_url: app.urls.signed_assertion(award.id),
        png_url: app.urls.baked_png(award.id),
        svg_url: app.urls.baked_svg(award.id),
    };
    let html = page
        .render()
        .map_err(|e| ApiError::Internal(format!("badge page template: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

/// `28 novembre 2026`.
fn french_date(t: DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = MONTHS.get(t.month0() as usize).copied().unwrap_or("");
    let day = if t.day() == 1 {
        "1er".to_string()
    } else {
        t.day().to_string()
    };
    format!("{day} {month} {}", t.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_in_french() {
        assert_eq!(
            french_date("2026-11-28T12:00:00Z".parse().expect("date")),
            "28 novembre 2026"
        );
        assert_eq!(
            french_date("2027-08-01T00:00:00Z".parse().expect("date")),
            "1er août 2027"
        );
    }
}
