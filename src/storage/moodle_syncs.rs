//! Moodle web-service syncs: one row per sync with its summary, and the completions they
//! recorded, read back to tell which ones Moodle stopped reporting.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{
    json_from_db, opt_time_from_db, time_from_db, time_to_db, ImportStatus, StorageError, Store,
};

/// A sync as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRecord {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: ImportStatus,
    /// The summary, once finished.
    pub summary: Option<serde_json::Value>,
}

/// A completion a sync recorded: its learner, module and the source's id for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedCompletion {
    pub learner_email: String,
    pub module_code: String,
    pub completed_at: DateTime<Utc>,
    pub external_id: String,
}

impl Store {
    /// Records that a sync starts; returns its id.
    pub async fn start_sync(&self, now: DateTime<Utc>) -> Result<String, StorageError> {
        let id = crate::domain::ids::random_uuid().to_string();
        sqlx::query(
            "INSERT INTO moodle_syncs (id, seq, started_at, status)
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, 'running' FROM moodle_syncs",
        )
        .bind(id.clone())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Records how a sync ended, with its summary.
    pub async fn finish_sync(
        &self,
        id: &str,
        failed: bool,
        summary: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE moodle_syncs SET status = $2, finished_at = $3, summary = $4 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(if failed { "failed" } else { "done" })
        .bind(time_to_db(now))
        .bind(summary.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The last `limit` syncs, the latest first.
    pub async fn list_syncs(&self, limit: i64) -> Result<Vec<SyncRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, status, summary FROM moodle_syncs
             ORDER BY seq DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SyncRecord {
                    id: r.try_get("id")?,
                    started_at: time_from_db(&r.try_get::<String, _>("started_at")?)?,
                    finished_at: opt_time_from_db(r.try_get("finished_at")?)?,
                    status: ImportStatus::parse(&r.try_get::<String, _>("status")?)?,
                    summary: r
                        .try_get::<Option<String>, _>("summary")?
                        .map(|s| json_from_db(&s))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// The completions recorded from `source` whose external id starts with `prefix`.
    pub async fn completions_with_external_prefix(
        &self,
        source: &str,
        prefix: &str,
    ) -> Result<Vec<SyncedCompletion>, StorageError> {
        // Prefixes are digits and colons: nothing for LIKE to interpret.
        let rows = sqlx::query(
            "SELECT learner_email, module_code, completed_at, external_id FROM completions
             WHERE source = $1 AND external_id LIKE $2 ORDER BY learner_email, module_code",
        )
        .bind(source.to_string())
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SyncedCompletion {
                    learner_email: r.try_get("learner_email")?,
                    module_code: r.try_get("module_code")?,
                    completed_at: time_from_db(&r.try_get::<String, _>("completed_at")?)?,
                    external_id: r.try_get("external_id")?,
                })
            })
            .collect()
    }
}
