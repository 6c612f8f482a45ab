//! What can be earned (OB 2.0 BadgeClass, OB 3.0 Achievement): its criteria, image and the
//! competencies it is aligned to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BadgeClassId, Image, IssuerId};

/// The longest validity period accepted: a hundred years.
pub const MAX_VALIDITY_DAYS: i64 = 36_500;

/// How the badge is earned: a narrative, a page describing it, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    pub narrative: Option<String>,
    pub url: Option<String>,
}

/// An alignment to a competency of a framework (e.g. EF1 of "Compétences du formateur").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    pub framework: String,
    pub code: String,
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadgeClassDraft {
    pub issuer: IssuerId,
    pub name: String,
    pub description: String,
    pub image: Image,
    pub criteria: Criteria,
    pub alignments: Vec<Alignment>,
    pub tags: Vec<String>,
    pub validity_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadgeClass {
    pub id: BadgeClassId,
    pub issuer: IssuerId,
    pub name: String,
    pub description: String,
    pub image: Image,
    pub criteria: Criteria,
    pub alignments: Vec<Alignment>,
    pub tags: Vec<String>,
    pub validity_days: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl BadgeClass {
    pub fn new(id: BadgeClassId, d: BadgeClassDraft, now: DateTime<Utc>) -> Self {
        Self {
            id,
            issuer: d.issuer,
            name: d.name,
            description: d.description,
            image: d.image,
            criteria: d.criteria,
            alignments: d.alignments,
            tags: d.tags,
            validity_days: d.validity_days,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn apply(&mut self, d: BadgeClassDraft, now: DateTime<Utc>) {
        let created_at = self.created_at;
        *self = Self::new(self.id, d, now);
        self.created_at = created_at;
    }
}
