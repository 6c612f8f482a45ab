use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{is_unique_violation, parse_id, time_to_db, StorageError, Store};
use crate::auth::{ApiToken, Scope};
use crate::domain::TokenId;

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
                scope: {
                    let scope: String = row.try_get("scope")?;
                    Scope::parse(&scope).ok_or_else(|| {
                        StorageError::Corrupt(format!("unknown token scope {scope:?}"))
                    })?
                },
            })
        })
        .transpose()
    }
}
