//! The request that creates or updates an issuer, and its checks.

use serde::Deserialize;

use crate::domain::validation::{Checker, Invalid};
use crate::domain::{EmailAddress, Image, IssuerDraft};

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
