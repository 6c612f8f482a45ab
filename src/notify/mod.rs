//! Telling trainers about their badges: the messages (French, or English for those who chose
//! it), and the mailers that deliver them (SMTP, or the log when no server is configured).
//! Messages are written to the outbox with the award or revocation they announce; the worker
//! (`service::notifications`) delivers them.

mod mailer;
mod message;

pub use mailer::{Delivered, LogMailer, MailFuture, Mailer, MailerError, SmtpMailer};
pub use message::{
    admin_signin_message, awarded_envelope, awarded_message, request_message, revoked_message,
    signin_message, RequestNotice,
};
