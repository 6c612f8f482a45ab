//! Completed modules, and the claims that make a rule's award happen exactly once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{time_from_db, time_to_db, StorageError, Store};
use crate::domain::{AwardId, BadgeClassId, EmailAddress};

/// A completion to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompletion {
    pub learner_email: EmailAddress,
    pub learner_name: String,
    pub module: String,
    pub completed_at: DateTime<Utc>,
    pub source: String,
    pub external_id: Option<String>,
}

/// A learner's recorded completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCompletion {
    pub id: String,
    pub module: String,
    pub completed_at: DateTime<Utc>,
    pub source: String,
    pub external_id: Option<String>,
}

impl Store {
    /// Records a completion once; false when it was already known (same learner and module, or
    /// same source and external id).
    pub async fn insert_completion(
        &self,
        c: &NewCompletion,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let recorded = self
            .insert_completions(std::slice::from_ref(c), now)
            .await?;
        Ok(recorded.first().copied().unwrap_or(false))
    }

    /// Records completions in one transaction (an import's worth at a time); for each, true when
    /// new, false when already known.
    pub async fn insert_completions(
        &self,
        list: &[NewCompletion],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(list.len());
        for c in list {
            let done = sqlx::query(
                "INSERT INTO completions (id, learner_email, learner_name, module_code, completed_at, source, external_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(c.learner_email.to_string())
            .bind(c.learner_name.clone())
            .bind(c.module.clone())
            .bind(time_to_db(c.completed_at))
            .bind(c.source.clone())
            .bind(c.external_id.clone())
            .bind(time_to_db(now))
            .execute(&mut *tx)
            .await?;
            out.push(done.rows_affected() == 1);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Every completion of a learner, oldest first.
    pub async fn completions_of(
        &self,
        email: &EmailAddress,
    ) -> Result<Vec<StoredCompletion>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, module_code, completed_at, source, external_id FROM completions
             WHERE learner_email = $1 ORDER BY completed_at, module_code",
        )
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCompletion {
                    id: r.try_get("id")?,
                    module: r.try_get("module_code")?,
                    completed_at: time_from_db(&r.try_get::<String, _>("completed_at")?)?,
                    source: r.try_get("source")?,
                    external_id: r.try_get("external_id")?,
                })
            })
            .collect()
    }

    /// How many completions are recorded.
    pub async fn count_completions(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM completions")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// The badge classes a learner holds or has been given by a rule: live awards, and claims
    /// (a rule never awards the same class twice, even after a revocation).
    pub async fn held_badge_classes(
        &self,
        email: &EmailAddress,
    ) -> Result<BTreeSet<BadgeClassId>, StorageError> {
        let rows = sqlx::query(
            "SELECT badge_class_id AS id FROM awards WHERE recipient_email = $1 AND revoked_at IS NULL
             UNION SELECT badge_class_id AS id FROM award_claims WHERE recipient_email = $1",
        )
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| super::parse_id(r, "id")).collect()
    }

    /// Claims the award of `class` to `email` by a rule; false when it was claimed already.
    pub async fn claim_award(
        &self,
        class: BadgeClassId,
        email: &EmailAddress,
        award: AwardId,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "INSERT INTO award_claims (badge_class_id, recipient_email, award_id, claimed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(class.to_string())
        .bind(email.to_string())
        .bind(award.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back a claim whose award could not be issued.
    pub async fn release_claim(
        &self,
        class: BadgeClassId,
        email: &EmailAddress,
    ) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM award_claims WHERE badge_class_id = $1 AND recipient_email = $2")
            .bind(class.to_string())
            .bind(email.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
