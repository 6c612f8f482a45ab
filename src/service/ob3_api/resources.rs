//! What a platform reads with the trainer's consent: their credentials, as "mes badges" lists
//! them less those they made private (the trainer chose that nobody else sees them), and their
//! profile, with only what insigne knows (their name and address).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::service::{Insigne, ServiceError};

/// One page of a trainer's credentials, each in both signed forms.
#[derive(Debug, Clone)]
pub struct CredentialsPage {
    /// How many credentials the query has in all pages.
    pub total: usize,
    /// The Data Integrity forms, as signed at issuance.
    pub credentials: Vec<Value>,
    /// The VC-JWT forms, in the same order.
    pub jwts: Vec<String>,
}

impl Insigne {
    /// The trainer's shareable credentials issued after `since`, newest first, `limit` of them
    /// from `offset`. A revoked badge is listed (its status list says it is revoked), as on
    /// "mes badges"; a private one is not; an erased trainer has no tokens left to ask.
    pub async fn api_credentials(
        &self,
        email: &str,
        since: Option<DateTime<Utc>>,
        offset: usize,
        limit: usize,
    ) -> Result<CredentialsPage, ServiceError> {
        let shareable: Vec<_> = self
            .my_badges(email)
            .await?
            .into_iter()
            .filter(|o| !o.private)
            .filter(|o| since.is_none_or(|t| o.stored.award.issued_on > t))
            .filter_map(|o| match (o.stored.ob3_credential, o.stored.ob3_jwt) {
                (Some(credential), Some(jwt)) => Some((credential, jwt)),
                _ => None,
            })
            .collect();
        let total = shareable.len();
        let mut credentials = Vec::new();
        let mut jwts = Vec::new();
        for (credential, jwt) in shareable.into_iter().skip(offset).take(limit) {
            credentials.push(serde_json::from_str(&credential).map_err(|source| {
                ServiceError::Damaged {
                    what: "Open Badges 3.0 credential",
                    source,
                }
            })?);
            jwts.push(jwt);
        }
        Ok(CredentialsPage {
            total,
            credentials,
            jwts,
        })
    }

    /// The trainer's Profile: their address (as a `mailto:` id and as `email`) and the name
    /// their latest badge was awarded under.
    pub async fn api_profile(&self, email: &str) -> Result<Option<Value>, ServiceError> {
        let badges = self.my_badges(email).await?;
        let Some(latest) = badges.first() else {
            return Ok(None);
        };
        let mut profile = json!({
            "@context": [crate::formats::contexts::OB_V3P0],
            "id": format!("mailto:{email}"),
            "type": "Profile",
            "email": email,
        });
        let name = latest.stored.award.recipient.name.trim();
        if !name.is_empty() {
            profile["name"] = json!(name);
        }
        Ok(Some(profile))
    }
}
