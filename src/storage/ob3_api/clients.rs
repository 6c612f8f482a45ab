//! Platforms registered by dynamic client registration, and the authorization requests waiting
//! for a trainer's answer.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::storage::{time_from_db, time_to_db, StorageError, Store};

/// A registered platform: its metadata as JSON (read by the service), never its secret.
#[derive(Clone)]
pub struct StoredClient {
    pub client_id: String,
    /// SHA-256 (hex) of the client secret, compared with the hash of what the client sends.
    pub secret_hash: String,
    pub metadata: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for StoredClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredClient")
            .field("client_id", &self.client_id)
            .field("secret_hash", &"…")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// An authorization request to keep until the trainer answers.
#[derive(Debug, Clone)]
pub struct NewPending {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A pending authorization request, with the trainer it was shown to once it was.
#[derive(Clone)]
pub struct StoredPending {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: String,
    pub email: Option<String>,
    pub csrf: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for StoredPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPending")
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

const PENDING_COLUMNS: &str = "id, client_id, redirect_uri, scope, state, code_challenge, email, \
                               csrf, created_at, expires_at";

fn pending_from_row(row: &AnyRow) -> Result<StoredPending, StorageError> {
    Ok(StoredPending {
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        state: row.try_get("state")?,
        code_challenge: row.try_get("code_challenge")?,
        email: row.try_get("email")?,
        csrf: row.try_get("csrf")?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        expires_at: time_from_db(&row.try_get::<String, _>("expires_at")?)?,
    })
}

impl Store {
    pub async fn insert_oauth_client(
        &self,
        client_id: &str,
        secret_hash: &str,
        metadata: &str,
        registered_by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, secret_hash, metadata, registered_by, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(client_id.to_string())
        .bind(secret_hash.to_string())
        .bind(metadata.to_string())
        .bind(registered_by.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Registrations since `since`: all of them, and those from `registered_by`.
    pub async fn oauth_registrations_since(
        &self,
        registered_by: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n,
                    COALESCE(SUM(CASE WHEN registered_by = $1 THEN 1 ELSE 0 END), 0) AS mine
             FROM oauth_clients WHERE created_at > $2",
        )
        .bind(registered_by.to_string())
        .bind(time_to_db(since))
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get::<i64, _>("n")?, row.try_get::<i64, _>("mine")?))
    }

    pub async fn oauth_client(
        &self,
        client_id: &str,
    ) -> Result<Option<StoredClient>, StorageError> {
        let row = sqlx::query(
            "SELECT client_id, secret_hash, metadata, created_at FROM oauth_clients WHERE client_id = $1",
        )
        .bind(client_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredClient {
                client_id: r.try_get("client_id")?,
                secret_hash: r.try_get("secret_hash")?,
                metadata: r.try_get("metadata")?,
                created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
            })
        })
        .transpose()
    }

    /// Keeps a pending request, after dropping those expired; refused (false) when the
    /// platform already has `cap` requests waiting.
    pub async fn insert_oauth_pending(
        &self,
        pending: &NewPending,
        cap: i64,
    ) -> Result<bool, StorageError> {
        let now = time_to_db(pending.created_at);
        sqlx::query("DELETE FROM oauth_pending WHERE expires_at <= $1")
            .bind(now.clone())
            .execute(&self.pool)
            .await?;
        let waiting = sqlx::query("SELECT COUNT(*) AS n FROM oauth_pending WHERE client_id = $1")
            .bind(pending.client_id.clone())
            .fetch_one(&self.pool)
            .await?
            .try_get::<i64, _>("n")?;
        if waiting >= cap {
            return Ok(false);
        }
        sqlx::query(&format!(
            "INSERT INTO oauth_pending ({PENDING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8)"
        ))
        .bind(pending.id.clone())
        .bind(pending.client_id.clone())
        .bind(pending.redirect_uri.clone())
        .bind(pending.scope.clone())
        .bind(pending.state.clone())
        .bind(pending.code_challenge.clone())
        .bind(now)
        .bind(time_to_db(pending.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// A pending request that has not expired.
    pub async fn oauth_pending(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredPending>, StorageError> {
        sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM oauth_pending WHERE id = $1 AND expires_at > $2"
        ))
        .bind(id.to_string())
        .bind(time_to_db(now))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(pending_from_row)
        .transpose()
    }

    /// Binds a pending request to the first signed-in trainer who sees it, with the anti-CSRF
    /// value of their consent form; a request already bound stays as it is.
    pub async fn bind_oauth_pending(
        &self,
        id: &str,
        email: &str,
        csrf: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE oauth_pending SET email = $2, csrf = $3 WHERE id = $1 AND email IS NULL",
        )
        .bind(id.to_string())
        .bind(email.to_string())
        .bind(csrf.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses a pending request up: true for the one caller that deleted it.
    pub async fn take_oauth_pending(&self, id: &str, email: &str) -> Result<bool, StorageError> {
        let done = sqlx::query("DELETE FROM oauth_pending WHERE id = $1 AND email = $2")
            .bind(id.to_string())
            .bind(email.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The pending requests shown to `email` (for their export).
    pub async fn oauth_pending_of(&self, email: &str) -> Result<Vec<StoredPending>, StorageError> {
        sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM oauth_pending WHERE email = $1 ORDER BY created_at, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(pending_from_row)
        .collect()
    }
}
