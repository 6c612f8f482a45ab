//! The audit log: entries are appended, never changed (the schema's triggers refuse it).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{time_from_db, time_to_db, StorageError, Store};

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

impl Store {
    pub async fn append_audit(
        &self,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(time_to_db(at))
        .bind(actor.to_string())
        .bind(action.to_string())
        .bind(target.map(str::to_string))
        .bind(detail.map(str::to_string))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest entries first (at most `limit`), those whose actor and action contain the
    /// given words (case ignored) when given.
    pub async fn audit_entries(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        let like = |s: Option<&str>| format!("%{}%", s.unwrap_or_default().to_lowercase());
        sqlx::query(
            "SELECT seq, at, actor, action, target, detail FROM audit_log
             WHERE LOWER(actor) LIKE $1 AND LOWER(action) LIKE $2
             ORDER BY seq DESC LIMIT $3",
        )
        .bind(like(actor))
        .bind(like(action))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: time_from_db(&r.try_get::<String, _>("at")?)?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
    }
}
