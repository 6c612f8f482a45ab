//! API tokens: their hashes, scopes, labels, and when they were made and revoked. The token
//! itself is never stored; nothing here returns its hash.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{
    is_unique_violation, opt_time_from_db, parse_id, time_from_db, time_to_db, StorageError, Store,
};
use crate::auth::{ApiToken, Scope};
use crate::domain::TokenId;

/// A token as the console and `insigne tokens list` show it: never the token, never its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub id: TokenId,
    pub scope: Scope,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn scope(row: &AnyRow) -> Result<Scope, StorageError> {
    let scope: String = row.try_get("scope")?;
    Scope::parse(&scope)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown token scope {scope:?}")))
}

fn stored_token(row: &AnyRow) -> Result<StoredToken, StorageError> {
    Ok(StoredToken {
        id: parse_id(row, "id")?,
        scope: scope(row)?,
        label: row.try_get("label")?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        revoked_at: opt_time_from_db(row.try_get("revoked_at")?)?,
    })
}

impl Store {
    pub async fn insert_token(
        &self,
        id: TokenId,
        token_hash: &str,
        scope: Scope,
        label: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, scope, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(token_hash.to_string())
        .bind(scope.as_str().to_string())
        .bind(label.map(str::to_string))
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StorageError::Conflict("token")
            } else {
                e.into()
            }
        })?;
        Ok(())
    }

    /// The live (not revoked) token with this hash.
    pub async fn find_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StorageError> {
        let row = sqlx::query(
            "SELECT id, scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(ApiToken {
                id: parse_id(&row, "id")?,
                scope: scope(&row)?,
            })
        })
        .transpose()
    }

    /// Every token, revoked ones included, the newest first.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, StorageError> {
        sqlx::query(
            "SELECT id, scope, label, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC, id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(stored_token)
        .collect()
    }

    pub async fn token(&self, id: TokenId) -> Result<Option<StoredToken>, StorageError> {
        sqlx::query("SELECT id, scope, label, created_at, revoked_at FROM api_tokens WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(stored_token)
            .transpose()
    }

    /// Revokes a live token: from now on it authenticates nothing. False when there is no live
    /// token with this id (unknown, or revoked already: the first date is kept).
    pub async fn revoke_token(
        &self,
        id: TokenId,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(time_to_db(now))
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
