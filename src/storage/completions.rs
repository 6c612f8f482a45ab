//! Completed modules, recorded with the marks that get their learners evaluated, and the badge
//! classes a learner already holds.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::evaluations::{mark_in, Lease, Taken};
use super::{time_from_db, time_to_db, StorageError, Store};
use crate::domain::{BadgeClassId, EmailAddress};
use crate::faults::FaultPoint;

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
    /// The learner's name as this completion reported it.
    pub learner_name: String,
    pub module: String,
    pub completed_at: DateTime<Utc>,
    pub source: String,
    pub external_id: Option<String>,
    /// When insigne recorded it.
    pub recorded_at: DateTime<Utc>,
}

/// What recording a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Per completion, in order: true when new, false when already known.
    pub new: Vec<bool>,
    /// Learners with something new, marked and held by the lease given: to evaluate now.
    pub taken: Vec<Taken>,
    /// Learners with something new, marked but held by another evaluation (which will see the
    /// mark), or marked without a lease.
    pub waiting: Vec<String>,
}

impl Store {
    /// Records completions in one transaction, whole or not at all, and marks for evaluation,
    /// in the same transaction, every learner with a new one: a crash after the commit leaves
    /// the marks for a worker. A completion already known (same learner and module, or same
    /// source and external id) changes nothing.
    pub async fn record_completions(
        &self,
        list: &[NewCompletion],
        now: DateTime<Utc>,
        lease: Option<&Lease>,
    ) -> Result<Recorded, StorageError> {
        let created_at = time_to_db(now);
        let mut tx = self.pool.begin().await?;
        let mut out = Recorded {
            new: Vec::with_capacity(list.len()),
            ..Recorded::default()
        };
        let mut learners = BTreeSet::new();
        for c in list {
            let done = sqlx::query(
                "INSERT INTO completions (id, learner_email, learner_name, module_code, completed_at, source, external_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(crate::domain::ids::random_uuid().to_string())
            .bind(c.learner_email.to_string())
            .bind(c.learner_name.clone())
            .bind(c.module.clone())
            .bind(time_to_db(c.completed_at))
            .bind(c.source.clone())
            .bind(c.external_id.clone())
            .bind(created_at.clone())
            .execute(&mut *tx)
            .await?;
            let new = done.rows_affected() == 1;
            if new {
                learners.insert(c.learner_email.as_str());
            }
            out.new.push(new);
            self.fault(FaultPoint::CompletionInserted)?;
        }
        for email in learners {
            match mark_in(&mut tx, email, &created_at, lease).await? {
                Ok(taken) => out.taken.push(taken),
                Err(email) => out.waiting.push(email),
            }
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
            "SELECT id, learner_name, module_code, completed_at, source, external_id, created_at FROM completions
             WHERE learner_email = $1 ORDER BY completed_at, module_code",
        )
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCompletion {
                    id: r.try_get("id")?,
                    learner_name: r.try_get("learner_name")?,
                    module: r.try_get("module_code")?,
                    completed_at: time_from_db(&r.try_get::<String, _>("completed_at")?)?,
                    source: r.try_get("source")?,
                    external_id: r.try_get("external_id")?,
                    recorded_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// The addresses of every learner with a completion or an attended session, in order.
    pub async fn learners_with_completions(&self) -> Result<Vec<String>, StorageError> {
        let rows =
            sqlx::query("SELECT learner_email FROM completions UNION SELECT learner_email FROM attendances ORDER BY learner_email")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("learner_email")?))
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
}
