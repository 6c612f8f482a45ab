//! The record of completion imports: started, then done or failed, with what they did.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{opt_time_from_db, time_from_db, time_to_db, StorageError, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportStatus {
    /// Under way, or its process died (its completions stay recorded, its learners marked).
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
        }
    }

    pub(super) fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "running" => Ok(ImportStatus::Running),
            "done" => Ok(ImportStatus::Done),
            "failed" => Ok(ImportStatus::Failed),
            other => Err(StorageError::Corrupt(format!("import status {other:?}"))),
        }
    }
}

/// An import as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: String,
    pub source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: ImportStatus,
    pub rows_read: i64,
    pub rows_rejected: i64,
    pub completions_new: i64,
    pub awards_issued: i64,
    pub error: Option<String>,
}

impl Store {
    /// Records that an import from `source` starts; returns its id.
    pub async fn start_import(
        &self,
        source: &str,
        rows_read: usize,
        rows_rejected: usize,
        now: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        let id = crate::domain::ids::random_uuid().to_string();
        sqlx::query(
            "INSERT INTO imports (id, source, started_at, status, rows_read, rows_rejected)
             VALUES ($1, $2, $3, 'running', $4, $5)",
        )
        .bind(id.clone())
        .bind(source.to_string())
        .bind(time_to_db(now))
        .bind(i64::try_from(rows_read).unwrap_or(i64::MAX))
        .bind(i64::try_from(rows_rejected).unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Records how an import ended: done with its counts, or failed with `error`.
    pub async fn finish_import(
        &self,
        id: &str,
        completions_new: usize,
        awards_issued: usize,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let status = if error.is_some() {
            ImportStatus::Failed
        } else {
            ImportStatus::Done
        };
        sqlx::query(
            "UPDATE imports SET status = $2, finished_at = $3, completions_new = $4,
             awards_issued = $5, error = $6 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(time_to_db(now))
        .bind(i64::try_from(completions_new).unwrap_or(i64::MAX))
        .bind(i64::try_from(awards_issued).unwrap_or(i64::MAX))
        .bind(error.map(str::to_string))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The import started last, if any.
    pub async fn last_import(&self) -> Result<Option<ImportRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, source, started_at, finished_at, status, rows_read, rows_rejected,
             completions_new, awards_issued, error FROM imports ORDER BY started_at DESC, id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(ImportRecord {
            id: r.try_get("id")?,
            source: r.try_get("source")?,
            started_at: time_from_db(&r.try_get::<String, _>("started_at")?)?,
            finished_at: opt_time_from_db(r.try_get("finished_at")?)?,
            status: ImportStatus::parse(&r.try_get::<String, _>("status")?)?,
            rows_read: r.try_get("rows_read")?,
            rows_rejected: r.try_get("rows_rejected")?,
            completions_new: r.try_get("completions_new")?,
            awards_issued: r.try_get("awards_issued")?,
            error: r.try_get("error")?,
        }))
    }
}
