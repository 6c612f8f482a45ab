//! What trainers decide about themselves: sign-in links and sessions to "mes badges", who sees
//! each badge, and erasure of everything that names them.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::awards::{award_from_row, StoredAward, COLUMNS};
use super::outbox::{insert_message, NewMessage};
use super::{time_to_db, StorageError, Store};
use crate::domain::AwardId;

/// A trainer's award, with who may see its page.
#[derive(Debug, Clone)]
pub struct OwnedAward {
    pub stored: StoredAward,
    pub private: bool,
}

impl Store {
    /// Counts the sign-in requests since `since` for an address (by hash) and for a client.
    pub async fn signin_requests_since(
        &self,
        email_hash: &str,
        client: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StorageError> {
        let since = time_to_db(since);
        let by_email = sqlx::query(
            "SELECT COUNT(*) AS n FROM signin_requests WHERE email_hash = $1 AND at > $2",
        )
        .bind(email_hash.to_string())
        .bind(since.clone())
        .fetch_one(&self.pool)
        .await?
        .try_get::<i64, _>("n")?;
        let by_client =
            sqlx::query("SELECT COUNT(*) AS n FROM signin_requests WHERE client = $1 AND at > $2")
                .bind(client.to_string())
                .bind(since)
                .fetch_one(&self.pool)
                .await?
                .try_get::<i64, _>("n")?;
        Ok((by_email, by_client))
    }

    pub async fn record_signin_request(
        &self,
        email_hash: &str,
        client: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO signin_requests (email_hash, client, at) VALUES ($1, $2, $3)")
            .bind(email_hash.to_string())
            .bind(client.to_string())
            .bind(time_to_db(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether insigne knows `email` as a trainer: badges, completions, attended sessions or
    /// requests (a trainer applies for a first badge on request before holding any).
    pub async fn is_known_trainer(&self, email: &str) -> Result<bool, StorageError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM awards WHERE recipient_email = $1)
                  + (SELECT COUNT(*) FROM completions WHERE learner_email = $1)
                  + (SELECT COUNT(*) FROM attendances WHERE learner_email = $1)
                  + (SELECT COUNT(*) FROM badge_requests WHERE learner_email = $1) AS n",
        )
        .bind(email.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Stores a sign-in link (its hash) and the message carrying it, together.
    pub async fn create_signin_token(
        &self,
        token_hash: &str,
        email: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
        message: &NewMessage,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO signin_tokens (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
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

    /// Uses a sign-in link: the address it was sent to, once, before it expires; `None` when
    /// unknown, used or expired.
    pub async fn use_signin_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        let now = time_to_db(now);
        let done = sqlx::query(
            "UPDATE signin_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query("SELECT email FROM signin_tokens WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(row.try_get("email")?))
    }

    pub async fn create_session(
        &self,
        session_hash: &str,
        email: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (session_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(session_hash.to_string())
        .bind(email.to_string())
        .bind(time_to_db(now))
        .bind(time_to_db(expires))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The signed-in address of a live session.
    pub async fn session_email(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        let row =
            sqlx::query("SELECT email FROM sessions WHERE session_hash = $1 AND expires_at > $2")
                .bind(session_hash.to_string())
                .bind(time_to_db(now))
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.try_get("email")).transpose()?)
    }

    pub async fn delete_session(&self, session_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(session_hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every award of `email`, newest first.
    pub async fn awards_of(&self, email: &str) -> Result<Vec<OwnedAward>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, visibility FROM awards WHERE recipient_email = $1
             ORDER BY issued_on DESC, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OwnedAward {
                    stored: award_from_row(r)?,
                    private: r.try_get::<String, _>("visibility")? == "private",
                })
            })
            .collect()
    }

    /// Makes one of `email`'s awards public or private; false when it is not theirs.
    pub async fn set_award_private(
        &self,
        award: AwardId,
        email: &str,
        private: bool,
    ) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE awards SET visibility = $3 WHERE id = $1 AND recipient_email = $2")
                .bind(award.to_string())
                .bind(email.to_string())
                .bind(if private { "private" } else { "public" })
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn award_is_private(&self, award: AwardId) -> Result<bool, StorageError> {
        let row = sqlx::query("SELECT visibility FROM awards WHERE id = $1")
            .bind(award.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>("visibility")? == "private",
            None => false,
        })
    }

    /// Erases what names `email`, in one transaction: their awards are revoked with `reason`
    /// (those already revoked keep theirs), made private, and stripped of the address, the name
    /// and the documents that carried them; completions and attended sessions (and any wait
    /// for evaluation), claims,
    /// language, messages, sign-in
    /// links, sessions, the platforms' grants and tokens, the import summaries naming them and pending CSV uploads go. Returns the awards concerned. Nobody else's rows are touched.
    pub async fn erase_trainer(
        &self,
        email: &str,
        erased_as: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<AwardId>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let email = email.to_string();
        // A write first: on SQLite the transaction takes the write lock here, waiting for it
        // (busy timeout), rather than failing when a read turns into a write while a worker
        // writes.
        sqlx::query(
            "UPDATE awards SET revocation_reason = $2, revoked_at = $3
             WHERE recipient_email = $1 AND revoked_at IS NULL",
        )
        .bind(email.clone())
        .bind(reason.to_string())
        .bind(time_to_db(now))
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query("SELECT id FROM awards WHERE recipient_email = $1")
            .bind(email.clone())
            .fetch_all(&mut *tx)
            .await?;
        let ids: Vec<AwardId> = rows
            .iter()
            .map(|r| super::parse_id(r, "id"))
            .collect::<Result<_, _>>()?;
        sqlx::query(
            "UPDATE awards SET recipient_email = $2, recipient_name = '', visibility = 'private',
             narrative = NULL, evidence = '[]', ob2_assertion = '', ob2_signed = NULL,
             ob3_credential = NULL, ob3_jwt = NULL
             WHERE recipient_email = $1",
        )
        .bind(email.clone())
        .bind(erased_as.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE award_claims SET recipient_email = $2 WHERE recipient_email = $1")
            .bind(email.clone())
            .bind(erased_as.to_string())
            .execute(&mut *tx)
            .await?;
        super::requests::erase_requests(&mut tx, &email).await?;
        // Endorsements of their badges: revoked (their bits set when the lists are rewritten)
        // and emptied, since a tutor's words may name them.
        sqlx::query(
            "UPDATE endorsements SET revoked_at = COALESCE(revoked_at, $2),
             revocation_reason = COALESCE(revocation_reason, $3),
             comment = '', credential = '', jwt = '', ob2 = ''
             WHERE target_kind = 'award' AND target_id IN
             (SELECT id FROM awards WHERE recipient_email = $1)",
        )
        // Their awards already carry the erased address.
        .bind(erased_as.to_string())
        .bind(time_to_db(now))
        .bind(reason.to_string())
        .execute(&mut *tx)
        .await?;
        for statement in [
            "DELETE FROM completions WHERE learner_email = $1",
            "DELETE FROM attendances WHERE learner_email = $1",
            "DELETE FROM evaluation_queue WHERE learner_email = $1",
            "DELETE FROM outbox WHERE recipient = $1",
            "DELETE FROM trainers WHERE email = $1",
            "DELETE FROM signin_tokens WHERE email = $1",
            "DELETE FROM sessions WHERE email = $1",
            "DELETE FROM wallet_exchanges WHERE email = $1",
            // Their consent to platforms: the tokens first (they name the grants).
            "DELETE FROM oauth_tokens WHERE email = $1",
            "DELETE FROM oauth_codes WHERE email = $1",
            "DELETE FROM oauth_grants WHERE email = $1",
            "DELETE FROM oauth_pending WHERE email = $1",
        ] {
            sqlx::query(statement)
                .bind(email.clone())
                .execute(&mut *tx)
                .await?;
        }
        // Import summaries and console uploads waiting for confirmation name learners: those
        // that name this one go (the import's counts stay).
        let quoted = format!("%\"{}\"%", like_escaped(&email));
        sqlx::query("UPDATE imports SET summary = NULL WHERE summary LIKE $1 ESCAPE '\\'")
            .bind(quoted)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM console_uploads WHERE kind IN ('moodle-csv', 'attendance-csv')")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// `text` with LIKE's wildcards (and the escape character) escaped by `\`.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
