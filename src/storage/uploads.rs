//! Files uploaded to the console for a dry run, kept until the admin confirms them.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{time_to_db, StorageError, Store};

/// An uploaded file as kept.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: String,
    pub kind: String,
    pub owner: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The content is a learner list or a catalogue: its size says enough.
        f.debug_struct("Upload")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("file_name", &self.file_name)
            .field("bytes", &self.content.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Keeps an uploaded file under `id`; uploads older than `expired_before` go.
    pub async fn keep_upload(
        &self,
        upload: &Upload,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM console_uploads WHERE created_at < $1")
            .bind(time_to_db(expired_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO console_uploads (id, kind, owner, file_name, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(upload.id.clone())
        .bind(upload.kind.clone())
        .bind(upload.owner.clone())
        .bind(upload.file_name.clone())
        .bind(upload.content.clone())
        .bind(time_to_db(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upload `id` of that kind and owner, if kept since `expired_before`.
    pub async fn get_upload(
        &self,
        id: &str,
        kind: &str,
        owner: &str,
        expired_before: DateTime<Utc>,
    ) -> Result<Option<Upload>, StorageError> {
        let row = sqlx::query(
            "SELECT id, kind, owner, file_name, content FROM console_uploads
             WHERE id = $1 AND kind = $2 AND owner = $3 AND created_at >= $4",
        )
        .bind(id.to_string())
        .bind(kind.to_string())
        .bind(owner.to_string())
        .bind(time_to_db(expired_before))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Upload {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            owner: r.try_get("owner")?,
            file_name: r.try_get("file_name")?,
            content: r.try_get("content")?,
        }))
    }

    /// Forgets an upload; whether it was still there (a second confirmation finds nothing).
    pub async fn take_upload(&self, id: &str) -> Result<bool, StorageError> {
        let done = sqlx::query("DELETE FROM console_uploads WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
