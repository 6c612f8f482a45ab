//! The evaluation queue: learners marked "to evaluate" in the transaction that records their
//! completions, taken by an evaluation for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! replicas share the work), and removed only by an evaluation that saw their last mark.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{time_to_db, Backend, StorageError, Store};

/// Who holds the learners an evaluation takes, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

impl Lease {
    /// A new owner, holding until `until`.
    pub fn new(until: DateTime<Utc>) -> Self {
        Self {
            owner: crate::domain::ids::random_uuid().to_string(),
            until,
        }
    }
}

/// A learner an evaluation holds: the mark it saw and the failures before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub email: String,
    pub generation: i64,
    pub attempts: i64,
}

/// How the queue stands, for the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationStats {
    pub waiting: i64,
    pub oldest_marked_at: Option<String>,
    /// Learners whose last evaluation failed (retried later).
    pub failing: i64,
    pub last_error: Option<String>,
}

/// The upsert of a mark: a new row, or a raised generation; the lease is taken unless another
/// evaluation holds the learner now (`now`: the placeholder of the current time).
fn upsert_mark(now: &str) -> String {
    format!(
        "ON CONFLICT (learner_email) DO UPDATE SET
         generation = evaluation_queue.generation + 1,
         lease_owner = CASE WHEN evaluation_queue.lease_owner IS NULL OR evaluation_queue.lease_until <= {now}
                            THEN excluded.lease_owner ELSE evaluation_queue.lease_owner END,
         lease_until = CASE WHEN evaluation_queue.lease_owner IS NULL OR evaluation_queue.lease_until <= {now}
                            THEN excluded.lease_until ELSE evaluation_queue.lease_until END
         RETURNING learner_email, lease_owner, generation, attempts"
    )
}

/// What marking a learner gave `owner`: the learner held, or (held by another) the address.
pub(super) fn marked(
    row: &AnyRow,
    owner: Option<&str>,
) -> Result<Result<Taken, String>, StorageError> {
    let email: String = row.try_get("learner_email")?;
    let holder: Option<String> = row.try_get("lease_owner")?;
    if owner.is_some() && holder.as_deref() == owner {
        Ok(Ok(Taken {
            email,
            generation: row.try_get("generation")?,
            attempts: row.try_get("attempts")?,
        }))
    } else {
        Ok(Err(email))
    }
}

/// Marks `email` within `tx`; see [`marked`] for the answer.
pub(super) async fn mark_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    email: &str,
    now: &str,
    lease: Option<&Lease>,
) -> Result<Result<Taken, String>, StorageError> {
    let row = sqlx::query(&format!(
        "INSERT INTO evaluation_queue (learner_email, marked_at, generation, lease_owner, lease_until, attempts)
         VALUES ($1, $2, 1, $3, $4, 0) {}",
        upsert_mark("$2")
    ))
    .bind(email.to_string())
    .bind(now.to_string())
    .bind(lease.map(|l| l.owner.clone()))
    .bind(lease.map(|l| time_to_db(l.until)))
    .fetch_one(&mut **tx)
    .await?;
    marked(&row, lease.map(|l| l.owner.as_str()))
}

/// Marks every learner who has completions or attended sessions, within `tx`: for each, held
/// by `lease` or not.
pub(super) async fn mark_all_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: DateTime<Utc>,
    lease: Option<&Lease>,
) -> Result<Vec<Result<Taken, String>>, StorageError> {
    // `WHERE true`: SQLite needs a WHERE before an upsert's ON CONFLICT after a SELECT.
    let rows = sqlx::query(&format!(
        "INSERT INTO evaluation_queue (learner_email, marked_at, generation, lease_owner, lease_until, attempts)
         SELECT learner_email, $1, 1, $2, $3, 0 FROM
         (SELECT learner_email FROM completions UNION SELECT learner_email FROM attendances
          UNION SELECT learner_email FROM badge_requests WHERE status = 'approved') AS learners
         WHERE true {}",
        upsert_mark("$1")
    ))
    .bind(time_to_db(now))
    .bind(lease.map(|l| l.owner.clone()))
    .bind(lease.map(|l| time_to_db(l.until)))
    .fetch_all(&mut **tx)
    .await?;
    let owner = lease.map(|l| l.owner.as_str());
    rows.iter().map(|r| marked(r, owner)).collect()
}

impl Store {
    /// Marks every learner with completions for evaluation, in one transaction: those held
    /// by `lease` (to evaluate now), and the addresses of the others (held elsewhere).
    pub async fn mark_all_learners(
        &self,
        now: DateTime<Utc>,
        lease: &Lease,
    ) -> Result<(Vec<Taken>, Vec<String>), StorageError> {
        let mut tx = self.pool.begin().await?;
        let marks = mark_all_in(&mut tx, now, Some(lease)).await?;
        tx.commit().await?;
        let (mut taken, mut waiting) = (Vec::new(), Vec::new());
        for mark in marks {
            match mark {
                Ok(t) => taken.push(t),
                Err(email) => waiting.push(email),
            }
        }
        Ok((taken, waiting))
    }

    /// Takes up to `limit` learners nobody holds (or whose holder's lease is over, or whose
    /// wait after a failure is over), oldest mark first, for `lease`.
    pub async fn take_due_evaluations(
        &self,
        lease: &Lease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Taken>, StorageError> {
        // Replicas taking work at the same moment skip each other's rows instead of queueing.
        let skip_locked = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let rows = sqlx::query(&format!(
            "UPDATE evaluation_queue SET lease_owner = $1, lease_until = $2
             WHERE learner_email IN (
                 SELECT learner_email FROM evaluation_queue
                 WHERE lease_until IS NULL OR lease_until <= $3
                 ORDER BY marked_at, learner_email LIMIT $4 {skip_locked})
               AND (lease_until IS NULL OR lease_until <= $3)
             RETURNING learner_email, generation, attempts"
        ))
        .bind(lease.owner.clone())
        .bind(time_to_db(lease.until))
        .bind(time_to_db(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut taken = rows
            .iter()
            .map(|r| {
                Ok(Taken {
                    email: r.try_get("learner_email")?,
                    generation: r.try_get("generation")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        taken.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(taken)
    }

    /// Ends `owner`'s evaluation of a learner: the mark goes if no other came since it was
    /// taken; otherwise the learner is free again, to be evaluated once more. False when the
    /// lease had been lost (another evaluation took the learner).
    pub async fn finish_evaluation(&self, owner: &str, t: &Taken) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "DELETE FROM evaluation_queue WHERE learner_email = $1 AND lease_owner = $2 AND generation = $3",
        )
        .bind(t.email.clone())
        .bind(owner.to_string())
        .bind(t.generation)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        let freed = sqlx::query(
            "UPDATE evaluation_queue SET lease_owner = NULL, lease_until = NULL, attempts = 0, last_error = NULL
             WHERE learner_email = $1 AND lease_owner = $2",
        )
        .bind(t.email.clone())
        .bind(owner.to_string())
        .execute(&self.pool)
        .await?;
        Ok(freed.rows_affected() == 1)
    }

    /// Records a failed evaluation: the learner waits until `retry_at`, then anyone takes it.
    pub async fn fail_evaluation(
        &self,
        owner: &str,
        t: &Taken,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE evaluation_queue SET lease_owner = NULL, lease_until = $3, attempts = attempts + 1,
             last_error = $4 WHERE learner_email = $1 AND lease_owner = $2",
        )
        .bind(t.email.clone())
        .bind(owner.to_string())
        .bind(time_to_db(retry_at))
        .bind(error.chars().take(500).collect::<String>())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Keeps `owner`'s learners held until `until` (an evaluation still at work).
    pub async fn extend_lease(
        &self,
        owner: &str,
        until: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE evaluation_queue SET lease_until = $2 WHERE lease_owner = $1")
            .bind(owner.to_string())
            .bind(time_to_db(until))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Frees `owner`'s learners at once (an evaluation that gives up), for others to take.
    pub async fn release_lease(&self, owner: &str) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE evaluation_queue SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
        )
        .bind(owner.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many learners wait, since when, and how many of them failed last time.
    pub async fn evaluation_stats(&self) -> Result<EvaluationStats, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(marked_at) AS oldest,
             COUNT(last_error) AS failing FROM evaluation_queue",
        )
        .fetch_one(&self.pool)
        .await?;
        let last = sqlx::query(
            "SELECT last_error FROM evaluation_queue WHERE last_error IS NOT NULL
             ORDER BY lease_until DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(EvaluationStats {
            waiting: row.try_get("n")?,
            oldest_marked_at: row.try_get("oldest")?,
            failing: row.try_get("failing")?,
            last_error: last.map(|r| r.try_get("last_error")).transpose()?,
        })
    }
}
