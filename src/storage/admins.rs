//! The console's admins and tutors, their sign-in links and their sessions.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::outbox::{insert_message, NewMessage};
use super::{time_from_db, time_to_db, StorageError, Store};
use crate::auth::Role;

/// Someone who may sign in to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAdmin {
    pub email: String,
    pub role: Role,
    pub added_at: DateTime<Utc>,
}

/// A live console session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAdminSession {
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
}

fn role(text: &str) -> Result<Role, StorageError> {
    Role::parse(text).ok_or_else(|| StorageError::Corrupt(format!("unknown admin role {text:?}")))
}

impl Store {
    /// Adds an admin, or changes their role; true when they were new.
    pub async fn put_admin(
        &self,
        email: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let updated = sqlx::query("UPDATE admins SET role = $2 WHERE email = $1")
            .bind(email.to_string())
            .bind(role.as_str().to_string())
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO admins (email, role, added_at) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING",
        )
        .bind(email.to_string())
        .bind(role.as_str().to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    pub async fn admins(&self) -> Result<Vec<StoredAdmin>, StorageError> {
        sqlx::query("SELECT email, role, added_at FROM admins ORDER BY email")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(StoredAdmin {
                    email: r.try_get("email")?,
                    role: role(&r.try_get::<String, _>("role")?)?,
                    added_at: time_from_db(&r.try_get::<String, _>("added_at")?)?,
                })
            })
            .collect()
    }

    pub async fn admin_role(&self, email: &str) -> Result<Option<Role>, StorageError> {
        let row = sqlx::query("SELECT role FROM admins WHERE email = $1")
            .bind(email.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| role(&r.try_get::<String, _>("role")?))
            .transpose()
    }

    /// Removes an admin and ends their sessions; false when there was none.
    pub async fn remove_admin(&self, email: &str) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM admin_sessions WHERE email = $1")
            .bind(email.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM admin_signin_tokens WHERE email = $1")
            .bind(email.to_string())
            .execute(&mut *tx)
            .await?;
        // Their parcours go: their requests assigned to them return to the parcours' tutors.
        sqlx::query("DELETE FROM tutor_parcours WHERE tutor_email = $1")
            .bind(email.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE badge_requests SET tutor_email = NULL WHERE tutor_email = $1")
            .bind(email.to_string())
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query("DELETE FROM admins WHERE email = $1")
            .bind(email.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed.rows_affected() == 1)
    }

    /// Records a sign-in link and its message in one transaction.
    pub async fn create_admin_signin(
        &self,
        token_hash: &str,
        email: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
        message: &NewMessage,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO admin_signin_tokens (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_string())
        .bind(email.to_string())
        .bind(time_to_db(now))
        .bind(time_to_db(expires))
        .execute(&mut *tx)
        .await?;
        insert_message(&mut tx, None, message, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a sign-in link is live (unknown, used and expired ones are not).
    pub async fn admin_signin_is_live(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let row = sqlx::query(
            "SELECT 1 AS live FROM admin_signin_tokens
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(time_to_db(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Uses a sign-in link once, before it expires, and opens the session it grants; the
    /// address, or `None` when the link is unknown, used, expired, or its admin was removed.
    pub async fn use_admin_signin(
        &self,
        token_hash: &str,
        session_hash: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let at = time_to_db(now);
        let done = sqlx::query(
            "UPDATE admin_signin_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(at.clone())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT t.email AS email FROM admin_signin_tokens t JOIN admins a ON a.email = t.email
             WHERE t.token_hash = $1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.commit().await?;
            return Ok(None);
        };
        let email: String = row.try_get("email")?;
        sqlx::query(
            "INSERT INTO admin_sessions (session_hash, email, csrf, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(session_hash.to_string())
        .bind(email.clone())
        .bind(csrf.to_string())
        .bind(at)
        .bind(time_to_db(expires))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(email))
    }

    /// The live session with this hash, seen now: neither past its absolute expiry nor idle
    /// since `idle_since`. Seeing it moves its idle expiry on.
    pub async fn touch_admin_session(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<Option<StoredAdminSession>, StorageError> {
        let touched = sqlx::query(
            "UPDATE admin_sessions SET last_seen_at = $2
             WHERE session_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
        )
        .bind(session_hash.to_string())
        .bind(time_to_db(now))
        .bind(time_to_db(idle_since))
        .execute(&self.pool)
        .await?;
        if touched.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT s.email AS email, a.role AS role, s.csrf AS csrf, s.created_at AS created_at
             FROM admin_sessions s JOIN admins a ON a.email = s.email WHERE s.session_hash = $1",
        )
        .bind(session_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredAdminSession {
                email: r.try_get("email")?,
                role: role(&r.try_get::<String, _>("role")?)?,
                csrf: r.try_get("csrf")?,
                created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
            })
        })
        .transpose()
    }

    pub async fn delete_admin_session(&self, session_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM admin_sessions WHERE session_hash = $1")
            .bind(session_hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
