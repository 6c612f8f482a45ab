//! The organisation that awards badges (OB 2.0 Profile, OB 3.0 issuer Profile).

use super::{EmailAddress, Image, IssuerId};
use chrono::{DateTime, Utc};

/// A checked issuer, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerDraft {
    pub name: String,
    pub url: String,
    pub email: EmailAddress,
    pub description: Option<String>,
    pub image: Option<Image>,
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
