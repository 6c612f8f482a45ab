//! Delivering one message: through an SMTP server (lettre), or to the log when none is set.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::storage::StoredMessage;

/// How a message left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// An SMTP server accepted it.
    Sent,
    /// No SMTP server is configured: it was written to the log.
    Logged,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct MailerError(pub String);

pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<Delivered, MailerError>> + Send + 'a>>;

pub trait Mailer: Send + Sync {
    fn deliver<'a>(&'a self, message: &'a StoredMessage) -> MailFuture<'a>;
}

/// Writes messages to the log (no SMTP server configured); they stay in the outbox, `logged`.
pub struct LogMailer;

impl Mailer for LogMailer {
    fn deliver<'a>(&'a self, m: &'a StoredMessage) -> MailFuture<'a> {
        Box::pin(async move {
            tracing::info!(
                id = %m.id,
                to = %m.recipient,
                subject = %m.subject,
                body = %m.body,
                "no SMTP server configured (INSIGNE_SMTP_URL): message logged, kept in the outbox"
            );
            Ok(Delivered::Logged)
        })
    }
}

/// Sends through the SMTP server of `INSIGNE_SMTP_URL`: `smtp://[user:password@]host[:port]`,
/// `?tls=required` for STARTTLS (or `opportunistic`), `smtps://` for TLS from the start.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of Message-IDs: a message sent twice (a worker that died after the
    /// server accepted it) carries the same Message-ID, so mail systems can tell.
    domain: String,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailerError(format!("INSIGNE_SMTP_URL is not a usable SMTP URL: {e}")))?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| MailerError(format!("the sender address {from:?} is not valid: {e}")))?;
        let domain = from.email.domain().to_string();
        Ok(Self {
            transport,
            from,
            domain,
        })
    }
}

impl Mailer for SmtpMailer {
    fn deliver<'a>(&'a self, m: &'a StoredMessage) -> MailFuture<'a> {
        Box::pin(async move {
            let to: Mailbox = m
                .recipient
                .parse()
                .map_err(|e| MailerError(format!("recipient {:?}: {e}", m.recipient)))?;
            let email = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(m.subject.clone())
                .message_id(Some(format!("<{}@{}>", m.id, self.domain)))
                .header(ContentType::TEXT_PLAIN)
                .body(m.body.clone())
                .map_err(|e| MailerError(format!("message: {e}")))?;
            self.transport
                .send(email)
                .await
                .map(|_| Delivered::Sent)
                .map_err(|e| MailerError(e.to_string()))
        })
    }
}
