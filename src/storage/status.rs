//! Revocation status lists: drawing an award's index, and rewriting a list when one of its
//! awards is revoked.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{parse_id, time_to_db, StorageError, Store};
use crate::domain::{AwardId, IssuerId};

/// Where an award's revocation bit lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSlot {
    pub issuer: IssuerId,
    pub list_key: String,
    pub index: i64,
}

impl Store {
    /// The signed list credential, as served.
    pub async fn status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
    ) -> Result<Option<String>, StorageError> {
        let row = sqlx::query(
            "SELECT credential FROM status_lists WHERE issuer_id = $1 AND list_key = $2",
        )
        .bind(issuer.to_string())
        .bind(list_key.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| r.try_get::<String, _>("credential"))
            .transpose()?)
    }

    /// Whether the status list of `issuer` and key `list_key` exists. Lists are never deleted,
    /// so one seen once is remembered, and an award's issuance does not ask again.
    pub async fn status_list_exists(
        &self,
        issuer: IssuerId,
        list_key: &str,
    ) -> Result<bool, StorageError> {
        let key = (issuer, list_key.to_string());
        if self
            .known_lists
            .lock()
            .map(|k| k.contains(&key))
            .unwrap_or(false)
        {
            return Ok(true);
        }
        let row =
            sqlx::query("SELECT 1 AS one FROM status_lists WHERE issuer_id = $1 AND list_key = $2")
                .bind(issuer.to_string())
                .bind(list_key.to_string())
                .fetch_optional(&self.pool)
                .await?;
        if row.is_some() {
            if let Ok(mut known) = self.known_lists.lock() {
                known.insert(key);
            }
        }
        Ok(row.is_some())
    }

    /// Stores a first (empty) list unless one exists already.
    pub async fn create_status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
        credential: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO status_lists (issuer_id, list_key, credential, version, updated_at)
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT (issuer_id, list_key) DO NOTHING",
        )
        .bind(issuer.to_string())
        .bind(list_key.to_string())
        .bind(credential.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Draws a free index in the list for each of `awards`, with `draw` giving candidates: one
    /// statement for all, again only for those whose candidate was taken. The database's
    /// unique key decides, so two processes never get the same index.
    pub async fn allocate_status_indexes(
        &self,
        awards: &[AwardId],
        issuer: IssuerId,
        list_key: &str,
        mut draw: impl FnMut() -> i64,
    ) -> Result<Vec<i64>, StorageError> {
        let mut found: Vec<Option<i64>> = vec![None; awards.len()];
        for _ in 0..256 {
            let missing: Vec<usize> = (0..awards.len()).filter(|i| found[*i].is_none()).collect();
            if missing.is_empty() {
                break;
            }
            let rows: Vec<String> = (0..missing.len())
                .map(|k| format!("(${}, $1, $2, ${})", 3 + 2 * k, 4 + 2 * k))
                .collect();
            let sql = format!(
                "INSERT INTO status_entries (award_id, issuer_id, list_key, idx) VALUES {}
                 ON CONFLICT (issuer_id, list_key, idx) DO NOTHING RETURNING award_id, idx",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql)
                .bind(issuer.to_string())
                .bind(list_key.to_string());
            for i in &missing {
                query = query.bind(awards[*i].to_string()).bind(draw());
            }
            for row in query.fetch_all(&self.pool).await? {
                let award: AwardId = parse_id(&row, "award_id")?;
                if let Some(i) = awards.iter().position(|a| *a == award) {
                    found[i] = Some(row.try_get("idx")?);
                }
            }
        }
        found
            .into_iter()
            .map(|f| {
                f.ok_or(StorageError::Conflict(
                    "a free status list index (the list is nearly full)",
                ))
            })
            .collect()
    }

    /// Forgets the indexes of awards that could not be stored.
    pub async fn release_status_indexes(&self, awards: &[AwardId]) -> Result<(), StorageError> {
        for award in awards {
            sqlx::query("DELETE FROM status_entries WHERE award_id = $1")
                .bind(award.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn status_slot(&self, award: AwardId) -> Result<Option<StatusSlot>, StorageError> {
        let row =
            sqlx::query("SELECT issuer_id, list_key, idx FROM status_entries WHERE award_id = $1")
                .bind(award.to_string())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(StatusSlot {
                issuer: parse_id(&r, "issuer_id")?,
                list_key: r.try_get("list_key")?,
                index: r.try_get("idx")?,
            })
        })
        .transpose()
    }

    /// Rewrites a list in one transaction: `build` gets the indexes of its revoked awards and
    /// returns the new signed credential. Concurrent rewrites of the same list queue on its row,
    /// so none is lost.
    pub async fn rewrite_status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
        now: DateTime<Utc>,
        build: impl FnOnce(&[i64]) -> Result<String, String>,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query(
            "UPDATE status_lists SET version = version + 1 WHERE issuer_id = $1 AND list_key = $2",
        )
        .bind(issuer.to_string())
        .bind(list_key.to_string())
        .execute(&mut *tx)
        .await?;
        if locked.rows_affected() != 1 {
            return Err(StorageError::Corrupt(format!(
                "no status list {list_key} for issuer {issuer}"
            )));
        }
        let rows = sqlx::query(
            "SELECT e.idx FROM status_entries e JOIN awards a ON a.id = e.award_id
             WHERE e.issuer_id = $1 AND e.list_key = $2 AND a.revoked_at IS NOT NULL
             UNION SELECT e.idx FROM status_entries e JOIN endorsements n ON n.id = e.award_id
             WHERE e.issuer_id = $1 AND e.list_key = $2 AND n.revoked_at IS NOT NULL
             ORDER BY idx",
        )
        .bind(issuer.to_string())
        .bind(list_key.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let revoked: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("idx"))
            .collect::<Result<_, _>>()?;
        let credential = build(&revoked).map_err(StorageError::Corrupt)?;
        sqlx::query("UPDATE status_lists SET credential = $3, updated_at = $4 WHERE issuer_id = $1 AND list_key = $2")
            .bind(issuer.to_string())
            .bind(list_key.to_string())
            .bind(credential)
            .bind(time_to_db(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
