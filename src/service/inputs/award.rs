//! The requests to award and to revoke a badge, and their checks.

use serde::Deserialize;

use crate::domain::validation::{Checker, Invalid};
use crate::domain::{AwardRequest, BadgeClassId, EmailAddress, Evidence, Recipient};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    #[schema(required = true, nullable = false, format = Email, max_length = 254,
             example = "marie.curie@ac-versailles.fr")]
    pub email: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        max_length = 200,
        pattern = r"\S",
        example = "Marie Curie"
    )]
    pub name: Option<String>,
    /// The language of the trainer's messages: `fr` (the default) or `en`; kept for later ones.
    #[schema(pattern = "^(fr|en)$")]
    pub lang: Option<String>,
}

/// Evidence is either a URL or a described piece of work.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum EvidenceInput {
    /// The address of the evidence (http or https).
    Url(String),
    Described(EvidenceFields),
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFields {
    #[schema(pattern = r"^[\x00-\x20\s]*[Hh][Tt][Tt][Pp][Ss]?:[\s\S]+$")]
    pub url: Option<String>,
    #[schema(max_length = 300)]
    pub name: Option<String>,
    pub description: Option<String>,
    pub narrative: Option<String>,
    #[schema(max_length = 100)]
    pub genre: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// The badge class's id.
    #[schema(required = true, nullable = false, format = "uuid")]
    pub badge_class: Option<String>,
    #[schema(required = true, nullable = false)]
    pub recipient: Option<RecipientInput>,
    #[schema(max_length = 20000)]
    pub narrative: Option<String>,
    pub evidence: Option<Vec<EvidenceInput>>,
}

impl AwardRequest {
    pub fn from_input(input: &AwardInput) -> Result<Self, Invalid> {
        let mut c = Checker::new();
        let badge_class = match input.badge_class.as_deref() {
            Some(s) => c.take(
                "badge_class",
                s.trim()
                    .parse::<BadgeClassId>()
                    .map_err(|_| format!("{s:?} is not a badge class id")),
            ),
            None => {
                c.add("badge_class", "is required");
                None
            }
        };
        let (email, name, lang) = match &input.recipient {
            Some(r) => {
                let email = match r.email.as_deref() {
                    Some(e) => c.take("recipient.email", EmailAddress::parse(e)),
                    None => {
                        c.add("recipient.email", "is required");
                        None
                    }
                };
                let name = match r.name.as_deref() {
                    Some(n) => c.text("recipient.name", n, 200),
                    None => {
                        c.add("recipient.name", "is required");
                        String::new()
                    }
                };
                let lang = match r.lang.as_deref().map(str::trim) {
                    None => None,
                    Some(l @ ("fr" | "en")) => Some(l.to_string()),
                    Some(other) => {
                        c.add(
                            "recipient.lang",
                            format!("{other:?} is neither \"fr\" nor \"en\""),
                        );
                        None
                    }
                };
                (email, name, lang)
            }
            None => {
                c.add("recipient", "is required ({\"email\", \"name\"})");
                (None, String::new(), None)
            }
        };
        let narrative = c.optional_text("narrative", input.narrative.as_deref(), 20_000);
        let mut evidence = Vec::new();
        for (i, e) in input.evidence.iter().flatten().enumerate() {
            let field = |f: &str| format!("evidence[{i}]{f}");
            let item = match e {
                EvidenceInput::Url(u) => Evidence {
                    url: Some(c.http_url(&field(""), u)),
                    name: None,
                    description: None,
                    narrative: None,
                    genre: None,
                },
                EvidenceInput::Described(f) => {
                    let url = f
                        .url
                        .as_deref()
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(|u| c.http_url(&field(".url"), u));
                    let item = Evidence {
                        url,
                        name: c.optional_text(&field(".name"), f.name.as_deref(), 300),
                        description: c.optional_text(
                            &field(".description"),
                            f.description.as_deref(),
                            5000,
                        ),
                        narrative: c.optional_text(
                            &field(".narrative"),
                            f.narrative.as_deref(),
                            20_000,
                        ),
                        genre: c.optional_text(&field(".genre"), f.genre.as_deref(), 100),
                    };
                    if item.url.is_none() && item.narrative.is_none() && item.name.is_none() {
                        c.add(field(""), "needs at least a url, a name or a narrative");
                    }
                    item
                }
            };
            evidence.push(item);
        }
        c.finish()?;
        match (badge_class, email) {
            (Some(badge_class), Some(email)) => Ok(Self {
                badge_class,
                recipient: Recipient { email, name },
                narrative,
                evidence,
                lang,
            }),
            _ => Err(Invalid::one("badge_class", "is required")),
        }
    }
}

/// A request to revoke an award.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// Why: published on the status lists and the badge page.
    #[schema(
        required = true,
        nullable = false,
        max_length = 1000,
        pattern = r"\S",
        example = "Attribué par erreur"
    )]
    pub reason: Option<String>,
}

impl RevokeInput {
    /// The reason, trimmed: required, at most 1000 characters (it is published).
    pub fn checked_reason(&self) -> Result<String, Invalid> {
        let mut c = Checker::new();
        let reason = match self.reason.as_deref() {
            Some(r) => c.text("reason", r, 1000),
            None => {
                c.add(
                    "reason",
                    "is required: say why the badge is revoked (it is published)",
                );
                String::new()
            }
        };
        c.finish()?;
        Ok(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_may_be_a_url_or_described_work() {
        let input: AwardInput = serde_json::from_value(serde_json::json!({
            "badge_class": BadgeClassId::random().to_string(),
            "recipient": {"email": "a@example.org", "name": "Ada"},
            "evidence": ["https://magistere.example/mod/1", {"name": "E1-M2", "narrative": "Parcours scénarisé"}]
        }))
        .expect("deserializes");
        let req = AwardRequest::from_input(&input).expect("valid");
        assert_eq!(req.evidence.len(), 2);
        assert_eq!(
            req.evidence[0].url.as_deref(),
            Some("https://magistere.example/mod/1")
        );
    }

    #[test]
    fn recipient_errors_name_the_nested_field() {
        let input: AwardInput = serde_json::from_value(serde_json::json!({
            "badge_class": "x", "recipient": {"email": "not-an-email"}
        }))
        .expect("deserializes");
        let err = AwardRequest::from_input(&input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["badge_class", "recipient.email", "recipient.name"]);
    }
}
