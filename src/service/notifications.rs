//! Delivering the outbox: claim each due message for a lease, hand it to the mailer, record the
//! outcome; failures are retried with growing delays, then left `failed` for an admin to resend.
//! A worker that dies mid-send leaves its message claimed; once the lease is over, the next
//! round takes it again, so nothing is lost. A message is marked sent only after the server
//! accepted it, and carries the same Message-ID on every attempt.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::views::NotificationView;
use super::{Insigne, ServiceError};
use crate::domain::AwardId;
use crate::i18n::Lang;
use crate::notify::{Delivered, Mailer};
use crate::storage::{MessageKind, MessageStatus, StoredMessage};

/// How long a claimed message is a worker's: longer than an SMTP exchange may last.
pub const LEASE: Duration = Duration::from_secs(120);
/// Attempts before a message is left `failed`.
pub const MAX_ATTEMPTS: i64 = 8;
/// Messages taken per round.
const BATCH: i64 = 50;

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub logged: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    chrono::Duration::seconds((30 * 2i64.pow(exponent)).min(3600))
}

impl Insigne {
    /// The language `email` reads its messages in (French unless they chose English).
    pub(super) async fn trainer_lang(&self, email: &str) -> Result<Lang, ServiceError> {
        Ok(self
            .store
            .trainer_lang(email)
            .await?
            .as_deref()
            .and_then(Lang::from_tag)
            .unwrap_or(Lang::Fr))
    }

    /// One delivery round at `now`.
    pub async fn deliver_due(
        &self,
        mailer: &dyn Mailer,
        now: DateTime<Utc>,
    ) -> Result<Round, ServiceError> {
        let mut round = Round::default();
        let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(2));
        for message in self.store.due_messages(now, BATCH).await? {
            if !self
                .store
                .claim_message(&message.id, now, now + lease)
                .await?
            {
                continue; // another worker was first
            }
            let attempts = message.attempts + 1;
            let outcome = match self.with_body(message.clone()).await {
                Ok(complete) => mailer.deliver(&complete).await,
                Err(e) => Err(crate::notify::MailerError(e.to_string())),
            };
            match outcome {
                Ok(Delivered::Sent) => {
                    self.store
                        .finish_attempt(&message.id, MessageStatus::Sent, now, None, None)
                        .await?;
                    round.sent += 1;
                }
                Ok(Delivered::Logged) => {
                    self.store
                        .finish_attempt(&message.id, MessageStatus::Logged, now, None, None)
                        .await?;
                    round.logged += 1;
                }
                Err(e) if attempts >= MAX_ATTEMPTS => {
                    tracing::warn!(id = %message.id, error = %e, "message given up: an admin may resend it");
                    self.store
                        .finish_attempt(&message.id, MessageStatus::Failed, now, Some(&e.0), None)
                        .await?;
                    round.failed += 1;
                }
                Err(e) => {
                    tracing::warn!(id = %message.id, attempts, error = %e, "message not sent, will retry");
                    self.store
                        .finish_attempt(
                            &message.id,
                            MessageStatus::Pending,
                            now,
                            Some(&e.0),
                            Some(now + backoff(attempts)),
                        )
                        .await?;
                    round.retried += 1;
                }
            }
        }
        Ok(round)
    }

    /// The message with its text: an award's announcement is written when it is sent, from
    /// the award as it stands (the outbox keeps only who, what and in which language).
    async fn with_body(&self, mut message: StoredMessage) -> Result<StoredMessage, ServiceError> {
        if !message.body.is_empty() || message.kind != MessageKind::Awarded.as_str() {
            return Ok(message);
        }
        let id: AwardId = message
            .award_id
            .as_deref()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| ServiceError::not_found("award of message", &message.id))?;
        let stored = self.award(id).await?;
        let class = self.badge_class(stored.award.badge_class).await?;
        let issuer = self.issuer(class.issuer).await?;
        let lang = Lang::from_tag(&message.lang).unwrap_or(Lang::Fr);
        message.body =
            crate::notify::awarded_message(&self.urls, &stored.award, &class, &issuer, lang).body;
        Ok(message)
    }

    /// A message status by its name (`pending`, `failed`…).
    pub fn parse_message_status(&self, name: &str) -> Option<MessageStatus> {
        MessageStatus::parse(name)
    }

    /// Messages, newest first (500 at most): all, or those of one status (pending, failed…).
    pub async fn notification_views(
        &self,
        status: Option<MessageStatus>,
    ) -> Result<Vec<NotificationView>, ServiceError> {
        let messages = self.store.messages(status, 500).await?;
        Ok(messages.iter().map(NotificationView::from).collect())
    }

    /// The messages about one award (its announcement, its revocation), oldest first.
    pub async fn award_notifications(
        &self,
        award: AwardId,
    ) -> Result<Vec<NotificationView>, ServiceError> {
        let messages = self.store.messages_of_award(award).await?;
        Ok(messages.iter().map(NotificationView::from).collect())
    }

    /// Puts a failed (or logged, or sent) message back in line, due now.
    pub async fn resend_notification(&self, id: &str) -> Result<NotificationView, ServiceError> {
        let missing = || ServiceError::NotFound {
            what: "notification",
            id: id.to_string(),
        };
        let current = self.store.message(id).await?.ok_or_else(missing)?;
        if !self.store.resend_message(id, self.clock.now()).await? {
            return Err(ServiceError::Invalid(crate::domain::Invalid::one(
                "status",
                format!(
                    "the message is {}: it is already on its way",
                    current.status.as_str()
                ),
            )));
        }
        let message = self.store.message(id).await?.ok_or_else(missing)?;
        Ok(NotificationView::from(&message))
    }
}

/// Delivers the outbox every `every` until `shutdown` completes; a round's error is logged and
/// the next round tries again.
pub async fn run_worker(
    app: Insigne,
    mailer: Arc<dyn Mailer>,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        if let Err(e) = app.deliver_due(mailer.as_ref(), app.clock.now()).await {
            tracing::error!(error = %e, "delivery round failed");
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(60));
        assert_eq!(backoff(4), chrono::Duration::seconds(240));
        assert_eq!(backoff(8), chrono::Duration::seconds(3600));
        assert_eq!(backoff(80), chrono::Duration::seconds(3600));
    }
}
