//! The organisation that awards badges (OB 2.0 Profile, OB 3.0 issuer Profile).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::validation::{Checker, Invalid};
use super::{EmailAddress, Image, IssuerId};

/// An issuer as an admin writes it (every field optional here so that all missing ones are
/// reported at once).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuerInput {
    #[schema(
        required = true,
        nullable = false,
        max_length = 200,
        pattern = r"\S",
        example = "DANE de l'académie de Versailles"
    )]
    pub name: Option<String>,
    /// The issuer's web site (http or https).
    #[schema(
        required = true,
        nullable = false,
        pattern = r"^[\x00-\x20\s]*[Hh][Tt][Tt][Pp][Ss]?:[\s\S]+$"
    )]
    pub url: Option<String>,
    #[schema(required = true, nullable = false, format = Email, max_length = 254,
             example = "dane@ac-versailles.fr")]
    pub email: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// A PNG or SVG data URI.
    #[schema(pattern = r"^\s*$|^\s*data:image/(png|svg\+xml)[;,]")]
    pub image: Option<String>,
}

/// A checked issuer, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerDraft {
    pub name: String,
    pub url: String,
    pub email: EmailAddress,
    pub description: Option<String>,
    pub image: Option<Image>,
}

impl IssuerDraft {
    pub fn from_input(input: &IssuerInput) -> Result<Self, Invalid> {
        let mut c = Checker::new();
        let name = match &input.name {
            Some(n) => c.text("name", n, 200),
            None => {
                c.add("name", "is required");
                String::new()
            }
        };
        let url = match &input.url {
            Some(u) => c.http_url("url", u),
            None => {
                c.add("url", "is required");
                String::new()
            }
        };
        let email = match &input.email {
            Some(e) => c.take("email", EmailAddress::parse(e)),
            None => {
                c.add("email", "is required");
                None
            }
        };
        let description = c.optional_text("description", input.description.as_deref(), 5000);
        let image = match input
            .image
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(uri) => c.take("image", Image::from_data_uri(uri)),
            None => None,
        };
        c.finish()?;
        Ok(Self {
            name,
            url,
            email: email.ok_or_else(|| Invalid::one("email", "is required"))?,
            description,
            image,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    pub id: IssuerId,
    pub name: String,
    pub url: String,
    pub email: EmailAddress,
    pub description: Option<String>,
    pub image: Option<Image>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Issuer {
    pub fn new(id: IssuerId, draft: IssuerDraft, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: draft.name,
            url: draft.url,
            email: draft.email,
            description: draft.description,
            image: draft.image,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn apply(&mut self, draft: IssuerDraft, now: DateTime<Utc>) {
        self.name = draft.name;
        self.url = draft.url;
        self.email = draft.email;
        self.description = draft.description;
        self.image = draft.image;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_missing_or_bad_field_at_once() {
        let input = IssuerInput {
            name: Some("  ".into()),
            url: Some("ftp://x".into()),
            email: None,
            ..Default::default()
        };
        let err = IssuerDraft::from_input(&input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "url", "email"]);
    }
}
