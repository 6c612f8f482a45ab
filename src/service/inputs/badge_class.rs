//! The request that creates or updates a badge class, and its checks.

use serde::Deserialize;

use crate::domain::badge_class::MAX_VALIDITY_DAYS;
use crate::domain::validation::{Checker, Invalid};
use crate::domain::{Alignment, BadgeClassDraft, Criteria, Image, IssuerId};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaInput {
    #[schema(max_length = 20000)]
    pub narrative: Option<String>,
    #[schema(pattern = r"^[\x00-\x20\s]*[Hh][Tt][Tt][Pp][Ss]?:[\s\S]+$")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlignmentInput {
    #[schema(required = true, nullable = false, max_length = 200, pattern = r"\S")]
    pub framework: Option<String>,
    #[schema(required = true, nullable = false, max_length = 50, pattern = r"\S")]
    pub code: Option<String>,
    #[schema(required = true, nullable = false, max_length = 300, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(pattern = r"^[\x00-\x20\s]*[Hh][Tt][Tt][Pp][Ss]?:[\s\S]+$")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BadgeClassInput {
    /// The issuer's id.
    #[schema(required = true, nullable = false, format = "uuid")]
    pub issuer: Option<String>,
    #[schema(required = true, nullable = false, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(required = true, nullable = false, max_length = 5000, pattern = r"\S")]
    pub description: Option<String>,
    /// A PNG or SVG data URI (checked by its bytes).
    #[schema(
        required = true,
        nullable = false,
        pattern = r"^\s*data:image/(png|svg\+xml)[;,]"
    )]
    pub image: Option<String>,
    /// A narrative, a url, or both.
    #[schema(required = true, nullable = false)]
    pub criteria: Option<CriteriaInput>,
    pub alignments: Option<Vec<AlignmentInput>>,
    pub tags: Option<Vec<String>>,
    /// How long an award stays valid; never expires when absent.
    #[schema(minimum = 1, maximum = 36500)]
    #[serde(default, deserialize_with = "super::whole_number")]
    pub validity_days: Option<i64>,
}

impl BadgeClassDraft {
    /// Checks the shape of the input; whether the issuer exists is the service's question.
    pub fn from_input(input: &BadgeClassInput) -> Result<Self, Invalid> {
        let mut c = Checker::new();
        let issuer = match input.issuer.as_deref() {
            Some(s) => c.take(
                "issuer",
                s.trim()
                    .parse::<IssuerId>()
                    .map_err(|_| format!("{s:?} is not an issuer id")),
            ),
            None => {
                c.add("issuer", "is required");
                None
            }
        };
        let name = required_text(&mut c, "name", input.name.as_deref(), 200);
        let description = required_text(&mut c, "description", input.description.as_deref(), 5000);
        let image = match input
            .image
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(uri) => c.take("image", Image::from_data_uri(uri)),
            None => {
                c.add("image", "is required (a PNG or SVG data URI)");
                None
            }
        };
        let criteria = match &input.criteria {
            Some(cr) => {
                let narrative =
                    c.optional_text("criteria.narrative", cr.narrative.as_deref(), 20_000);
                let url = cr
                    .url
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(|u| c.http_url("criteria.url", u));
                if narrative.is_none() && url.is_none() {
                    c.add("criteria", "needs a narrative, a url, or both");
                }
                Criteria { narrative, url }
            }
            None => {
                c.add("criteria", "is required (a narrative, a url, or both)");
                Criteria {
                    narrative: None,
                    url: None,
                }
            }
        };
        let mut alignments = Vec::new();
        for (i, a) in input.alignments.iter().flatten().enumerate() {
            let field = |f: &str| format!("alignments[{i}].{f}");
            let framework = required_text(&mut c, &field("framework"), a.framework.as_deref(), 200);
            let code = required_text(&mut c, &field("code"), a.code.as_deref(), 50);
            let name = required_text(&mut c, &field("name"), a.name.as_deref(), 300);
            let url = a
                .url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| c.http_url(&field("url"), u));
            alignments.push(Alignment {
                framework,
                code,
                name,
                url,
            });
        }
        let mut tags = Vec::new();
        for (i, t) in input.tags.iter().flatten().enumerate() {
            let tag = c.text(&format!("tags[{i}]"), t, 100);
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if let Some(days) = input.validity_days {
            if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
                c.add(
                    "validity_days",
                    format!("must be between 1 and {MAX_VALIDITY_DAYS}"),
                );
            }
        }
        c.finish()?;
        match (issuer, image) {
            (Some(issuer), Some(image)) => Ok(Self {
                issuer,
                name,
                description,
                image,
                criteria,
                alignments,
                tags,
                validity_days: input.validity_days,
            }),
            _ => Err(Invalid::one("issuer", "is required")),
        }
    }
}

fn required_text(c: &mut Checker, field: &str, value: Option<&str>, max: usize) -> String {
    match value {
        Some(v) => c.text(field, v, max),
        None => {
            c.add(field, "is required");
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_nested_fields_in_errors() {
        let input = BadgeClassInput {
            issuer: Some("nope".into()),
            criteria: Some(CriteriaInput::default()),
            alignments: Some(vec![AlignmentInput {
                framework: Some("EF".into()),
                code: None,
                name: Some("Scénariser".into()),
                url: Some("not a url".into()),
            }]),
            validity_days: Some(0),
            ..Default::default()
        };
        let err = BadgeClassDraft::from_input(&input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "issuer",
                "name",
                "description",
                "image",
                "criteria",
                "alignments[0].code",
                "alignments[0].url",
                "validity_days"
            ]
        );
    }
}
