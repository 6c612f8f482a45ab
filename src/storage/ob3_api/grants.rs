//! A trainer's grants to platforms: what "mes badges" lists, when each was last used, and
//! withdrawing one (its tokens die with it).

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::storage::{opt_time_from_db, time_from_db, time_to_db, StorageError, Store};

/// A grant, with what the trainer's page shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGrant {
    pub id: String,
    pub client_id: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Notes that a grant's token was just used.
    pub async fn touch_oauth_grant(
        &self,
        grant_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE oauth_grants SET last_used_at = $2 WHERE id = $1")
            .bind(grant_id.to_string())
            .bind(time_to_db(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The trainer's grants, the latest first; withdrawn ones only when `with_revoked`.
    pub async fn oauth_grants_of(
        &self,
        email: &str,
        with_revoked: bool,
    ) -> Result<Vec<StoredGrant>, StorageError> {
        let filter = if with_revoked {
            ""
        } else {
            " AND revoked_at IS NULL"
        };
        sqlx::query(&format!(
            "SELECT id, client_id, scope, created_at, updated_at, last_used_at, revoked_at
             FROM oauth_grants WHERE email = $1{filter} ORDER BY updated_at DESC, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(StoredGrant {
                id: r.try_get("id")?,
                client_id: r.try_get("client_id")?,
                scope: r.try_get("scope")?,
                created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
                updated_at: time_from_db(&r.try_get::<String, _>("updated_at")?)?,
                last_used_at: opt_time_from_db(r.try_get("last_used_at")?)?,
                revoked_at: opt_time_from_db(r.try_get("revoked_at")?)?,
            })
        })
        .collect()
    }

    /// Withdraws one of the trainer's grants: its tokens are revoked and its unused codes
    /// deleted, in one transaction. False when no live grant of theirs has this id.
    pub async fn revoke_oauth_grant(
        &self,
        grant_id: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let now = time_to_db(now);
        let done = sqlx::query(
            "UPDATE oauth_grants SET revoked_at = $3
             WHERE id = $1 AND email = $2 AND revoked_at IS NULL",
        )
        .bind(grant_id.to_string())
        .bind(email.to_string())
        .bind(now.clone())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
        )
        .bind(grant_id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM oauth_codes WHERE grant_id = $1 AND used_at IS NULL")
            .bind(grant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many tokens of a grant are live (for the trainer's export).
    pub async fn live_oauth_tokens(
        &self,
        grant_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM oauth_tokens
             WHERE grant_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(grant_id.to_string())
        .bind(time_to_db(now))
        .fetch_one(&self.pool)
        .await?
        .try_get::<i64, _>("n")?)
    }
}
