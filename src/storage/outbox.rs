//! The outbox: messages written in the same transaction as the award or revocation they
//! announce, then delivered by the worker. A message is claimed for a while (its lease) before
//! it is sent; one whose worker died mid-send is claimed again once the lease is over.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::awards::StoredAward;
use super::{opt_time_from_db, time_from_db, time_to_db, StorageError, Store};
use crate::domain::AwardId;
use crate::faults::FaultPoint;

/// A message to write to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub id: uuid::Uuid,
    pub kind: MessageKind,
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Awarded,
    Revoked,
    /// A sign-in link to "mes badges".
    Signin,
    /// A step of a badge request: to the trainer (returned, refused) or to a tutor (submitted,
    /// assigned).
    Request,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Awarded => "awarded",
            MessageKind::Revoked => "revoked",
            MessageKind::Signin => "signin",
            MessageKind::Request => "request",
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Claimed by a worker, until its lease ends.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up after too many attempts; an admin may resend it.
    Failed,
    /// No SMTP server configured: written to the log, kept here.
    Logged,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
            MessageStatus::Logged => "logged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => MessageStatus::Pending,
            "sending" => MessageStatus::Sending,
            "sent" => MessageStatus::Sent,
            "failed" => MessageStatus::Failed,
            "logged" => MessageStatus::Logged,
            _ => return None,
        })
    }
}

/// A message as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredMessage {
    pub id: String,
    pub award_id: Option<String>,
    pub kind: String,
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
    pub status: MessageStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, award_id, kind, recipient, lang, subject, body, status, attempts, \
                       next_attempt_at, last_error, created_at, sent_at";

fn message_from_row(row: &AnyRow) -> Result<StoredMessage, StorageError> {
    let status: String = row.try_get("status")?;
    Ok(StoredMessage {
        id: row.try_get("id")?,
        award_id: row.try_get("award_id")?,
        kind: row.try_get("kind")?,
        recipient: row.try_get("recipient")?,
        lang: row.try_get("lang")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: MessageStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("outbox status {status:?}")))?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: time_from_db(&row.try_get::<String, _>("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        sent_at: opt_time_from_db(row.try_get("sent_at")?)?,
    })
}

pub(super) async fn insert_message(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    award: Option<AwardId>,
    m: &NewMessage,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO outbox (id, award_id, kind, recipient, lang, subject, body, status, attempts,
         next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)
         ON CONFLICT (award_id, kind) DO NOTHING",
    )
    .bind(m.id.to_string())
    .bind(award.map(|a| a.to_string()))
    .bind(m.kind.as_str())
    .bind(m.recipient.clone())
    .bind(m.lang.clone())
    .bind(m.subject.clone())
    .bind(m.body.clone())
    .bind(time_to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Stores an award and the message announcing it, together or not at all.
    pub async fn insert_award_with_message(
        &self,
        stored: &StoredAward,
        message: &NewMessage,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        self.insert_announced_in(&mut tx, stored, message).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the awards a rule gave one learner, each with its message, in one transaction.
    /// Each is claimed there first (one row per learner and badge class): a badge claimed
    /// already (by a concurrent evaluation) is skipped, so it is awarded once however many
    /// evaluations race, and a claim never exists without its award. Per award: stored or not.
    pub async fn insert_claimed_awards(
        &self,
        awards: &[(StoredAward, NewMessage)],
    ) -> Result<Vec<bool>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut stored = Vec::with_capacity(awards.len());
        for (award, message) in awards {
            let a = &award.award;
            let claimed = sqlx::query(
                "INSERT INTO award_claims (badge_class_id, recipient_email, award_id, claimed_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(a.badge_class.to_string())
            .bind(a.recipient.email.to_string())
            .bind(a.id.to_string())
            .bind(time_to_db(a.issued_on))
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if claimed {
                self.fault(FaultPoint::AwardClaimed)?;
                self.insert_announced_in(&mut tx, award, message).await?;
            }
            stored.push(claimed);
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn insert_announced_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        stored: &StoredAward,
        message: &NewMessage,
    ) -> Result<(), StorageError> {
        super::awards::insert_award_in(tx, stored).await?;
        self.fault(FaultPoint::AwardStored)?;
        insert_message(tx, Some(stored.award.id), message, stored.award.issued_on).await
    }

    /// Records a revocation and the message announcing it, together; false (and no message)
    /// when the award was already revoked.
    pub async fn revoke_award_with_message(
        &self,
        id: AwardId,
        at: DateTime<Utc>,
        reason: &str,
        message: &NewMessage,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE awards SET revoked_at = $2, revocation_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .bind(time_to_db(at))
        .bind(reason.to_string())
        .execute(&mut *tx)
        .await?;
        let revoked = done.rows_affected() == 1;
        if revoked {
            insert_message(&mut tx, Some(id), message, at).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// The language a trainer reads, if they chose one.
    pub async fn trainer_lang(&self, email: &str) -> Result<Option<String>, StorageError> {
        let row = sqlx::query("SELECT lang FROM trainers WHERE email = $1")
            .bind(email.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("lang")).transpose()?)
    }

    pub async fn set_trainer_lang(
        &self,
        email: &str,
        lang: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO trainers (email, lang, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (email) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
        )
        .bind(email.to_string())
        .bind(lang.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages a worker may take at `now`: pending and due, or claimed by a worker whose lease
    /// is over (it died mid-send). Oldest first.
    pub async fn due_messages(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredMessage>, StorageError> {
        let now = time_to_db(now);
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE (status = 'pending' AND next_attempt_at <= $1)
                OR (status = 'sending' AND lease_until < $1)
             ORDER BY created_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// Claims a due message until `lease_until`; false when another worker was first.
    pub async fn claim_message(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let now = time_to_db(now);
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sending', lease_until = $2, attempts = attempts + 1
             WHERE id = $1 AND ((status = 'pending' AND next_attempt_at <= $3)
                                OR (status = 'sending' AND lease_until < $3))",
        )
        .bind(id.to_string())
        .bind(time_to_db(lease_until))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends an attempt: `status` sent or logged (done), pending again at `retry_at`, or failed.
    pub async fn finish_attempt(
        &self,
        id: &str,
        status: MessageStatus,
        at: DateTime<Utc>,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StorageError> {
        let done = matches!(status, MessageStatus::Sent | MessageStatus::Logged);
        sqlx::query(
            "UPDATE outbox SET status = $2, lease_until = NULL, last_error = $3,
             sent_at = $4, next_attempt_at = COALESCE($5, next_attempt_at)
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(error.map(str::to_string))
        .bind(done.then(|| time_to_db(at)))
        .bind(retry_at.map(time_to_db))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages, newest first, of one status or all.
    pub async fn messages(
        &self,
        status: Option<MessageStatus>,
        limit: i64,
    ) -> Result<Vec<StoredMessage>, StorageError> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM outbox WHERE status = $1
                     ORDER BY created_at DESC, id LIMIT $2"
                ))
                .bind(s.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(message_from_row).collect()
    }

    /// The messages sent (or to send) to `recipient`, oldest first.
    pub async fn messages_to(&self, recipient: &str) -> Result<Vec<StoredMessage>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE recipient = $1 ORDER BY created_at, id"
        ))
        .bind(recipient.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// The messages about one award (its announcement, its revocation), oldest first.
    pub async fn messages_of_award(
        &self,
        award: AwardId,
    ) -> Result<Vec<StoredMessage>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE award_id = $1 ORDER BY created_at, id"
        ))
        .bind(award.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn message(&self, id: &str) -> Result<Option<StoredMessage>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(message_from_row).transpose()
    }

    /// Puts a failed, logged or sent message back in line, due at `now`; false when it is
    /// already waiting or being sent.
    pub async fn resend_message(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $2, attempts = 0,
             last_error = NULL, sent_at = NULL
             WHERE id = $1 AND status IN ('failed', 'logged', 'sent')",
        )
        .bind(id.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many outbox messages are in each status.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>, StorageError> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }
}
