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
    /// While it runs: `recording` or `evaluating`, and how far it got.
    pub phase: Option<String>,
    pub progress_done: i64,
    pub progress_total: i64,
    /// What it did, as JSON (the service's `ImportSummary`), once done.
    pub summary: Option<String>,
    pub file_name: Option<String>,
    /// Who started it (an audit actor), when known.
    pub started_by: Option<String>,
}

/// Who started an import, and from which file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOrigin {
    pub file_name: Option<String>,
    pub started_by: Option<String>,
}

const COLUMNS: &str = "id, source, started_at, finished_at, status, rows_read, rows_rejected,
    completions_new, awards_issued, error, phase, progress_done, progress_total, summary,
    file_name, started_by";

fn record(r: &sqlx::any::AnyRow) -> Result<ImportRecord, StorageError> {
    Ok(ImportRecord {
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
        phase: r.try_get("phase")?,
        progress_done: r.try_get("progress_done")?,
        progress_total: r.try_get("progress_total")?,
        summary: r.try_get("summary")?,
        file_name: r.try_get("file_name")?,
        started_by: r.try_get("started_by")?,
    })
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// Records that an import from `source` starts; returns its id.
    pub async fn start_import(
        &self,
        source: &str,
        rows_read: usize,
        rows_rejected: usize,
        origin: &ImportOrigin,
        now: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        let id = crate::domain::ids::random_uuid().to_string();
        sqlx::query(
            "INSERT INTO imports (id, source, started_at, status, rows_read, rows_rejected,
             file_name, started_by) VALUES ($1, $2, $3, 'running', $4, $5, $6, $7)",
        )
        .bind(id.clone())
        .bind(source.to_string())
        .bind(time_to_db(now))
        .bind(count(rows_read))
        .bind(count(rows_rejected))
        .bind(origin.file_name.clone())
        .bind(origin.started_by.clone())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Records how far a running import got.
    pub async fn import_progress(
        &self,
        id: &str,
        phase: &str,
        done: usize,
        total: usize,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE imports SET phase = $2, progress_done = $3, progress_total = $4
             WHERE id = $1 AND status = 'running'",
        )
        .bind(id.to_string())
        .bind(phase.to_string())
        .bind(count(done))
        .bind(count(total))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records how an import ended: done with its counts and summary, or failed with `error`.
    pub async fn finish_import(
        &self,
        id: &str,
        completions_new: usize,
        awards_issued: usize,
        summary: Option<&str>,
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
             awards_issued = $5, error = $6, summary = $7 WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(time_to_db(now))
        .bind(count(completions_new))
        .bind(count(awards_issued))
        .bind(error.map(str::to_string))
        .bind(summary.map(str::to_string))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The import started last, if any.
    pub async fn last_import(&self) -> Result<Option<ImportRecord>, StorageError> {
        Ok(self.imports(1).await?.into_iter().next())
    }

    /// The imports started last, the latest first.
    pub async fn imports(&self, limit: i64) -> Result<Vec<ImportRecord>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM imports ORDER BY started_at DESC, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }

    pub async fn get_import(&self, id: &str) -> Result<Option<ImportRecord>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM imports WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record).transpose()
    }
}
