use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{is_unique_violation, parse_id, time_to_db, StorageError, Store};
use crate::domain::TokenId;

/// What a bearer token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// Everything under the admin API.
    Admin,
    /// Reporting completions only.
    Ingest,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Ingest => "ingest",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "admin" => Ok(Scope::Admin),
            "ingest" => Ok(Scope::Ingest),
            other => Err(StorageError::Corrupt(format!(
                "unknown token scope {other:?}"
            ))),
        }
    }
}

/// A token as the database knows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub id: TokenId,
    pub scope: Scope,
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
    pub async fn find_token(&self, token_hash: &str) -> Result<Option<StoredToken>, StorageError> {
        let row = sqlx::query(
            "SELECT id, scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(StoredToken {
                id: parse_id(&row, "id")?,
                scope: Scope::parse(&row.try_get::<String, _>("scope")?)?,
            })
        })
        .transpose()
    }
}
