//! One badge awarded to one trainer: the single source every format is derived from.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{AwardId, BadgeClass, BadgeClassId, EmailAddress};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub url: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub narrative: Option<String>,
    pub genre: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: EmailAddress,
    pub name: String,
}

/// A checked request to award a badge class to a recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardRequest {
    pub badge_class: BadgeClassId,
    pub recipient: Recipient,
    pub narrative: Option<String>,
    pub evidence: Vec<Evidence>,
    /// The language the trainer chose for their messages (`fr` or `en`), when given.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub id: AwardId,
    pub badge_class: BadgeClassId,
    pub recipient: Recipient,
    /// Per-award salt of the hashed recipient identity.
    pub salt: String,
    pub issued_on: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub narrative: Option<String>,
    pub evidence: Vec<Evidence>,
    pub revocation: Option<Revocation>,
}

impl Award {
    /// A new award of `class`, issued at `now`; it expires after the class's validity period.
    pub fn new(
        id: AwardId,
        class: &BadgeClass,
        request: AwardRequest,
        salt: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            badge_class: class.id,
            recipient: request.recipient,
            salt,
            issued_on: now,
            expires: class.validity_days.map(|d| now + Duration::days(d)),
            narrative: request.narrative,
            evidence: request.evidence,
            revocation: None,
        }
    }

    /// `sha256$…` of the recipient's email with this award's salt.
    pub fn recipient_identity(&self) -> String {
        self.recipient.email.hashed_identity(&self.salt)
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }

    /// Neither revoked nor expired at `now`: what a wallet may still receive.
    pub fn is_current(&self, now: DateTime<Utc>) -> bool {
        self.revocation.is_none() && !self.is_expired(now)
    }
}
