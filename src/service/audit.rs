//! Who did what and when: every change made through the console, the API or the CLI is
//! appended to the audit log, which nothing rewrites.

use super::{Insigne, ServiceError};
use crate::domain::clock::rfc3339;
use crate::storage::{AuditEntry, Store};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Someone signed in to the console.
    Console(String),
    /// An API token, by its id (never the token).
    Token(String),
    /// The command line, run on the server.
    Cli,
    /// A platform of the Open Badges 3.0 API, by its client id.
    Platform(String),
    /// A trainer on "mes badges": never named, since the log outlives an erasure.
    Trainer,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Console(email) => format!("console:{email}"),
            Actor::Token(id) => format!("token:{id}"),
            Actor::Cli => "cli".into(),
            Actor::Platform(id) => format!("platform:{id}"),
            Actor::Trainer => "trainer".into(),
        }
    }
}

/// Appends an entry; needs only the store (the CLI's commands record without the keys).
pub async fn audit(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> Result<(), ServiceError> {
    Ok(store
        .append_audit(now, &actor.label(), action, target, detail)
        .await?)
}

/// An entry as the console and its CSV show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        AuditView {
            at: rfc3339(e.at),
            actor: e.actor,
            action: e.action,
            target: e.target.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        }
    }
}

impl Insigne {
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), ServiceError> {
        audit(&self.store, self.clock.now(), actor, action, target, detail).await
    }

    /// The latest entries (1,000 at most), filtered by words of the actor and the action.
    pub async fn audit_log(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
    ) -> Result<Vec<AuditView>, ServiceError> {
        Ok(self
            .store
            .audit_entries(actor, action, 1000)
            .await?
            .into_iter()
            .map(AuditView::from)
            .collect())
    }

    /// The same entries as CSV (a header line, then one line each), for a spreadsheet.
    pub async fn audit_csv(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
    ) -> Result<String, ServiceError> {
        let mut out = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        out.write_record(["at", "actor", "action", "target", "detail"])
            .map_err(|e| ServiceError::Inconsistent(format!("audit CSV: {e}")))?;
        for entry in self.audit_log(actor, action).await? {
            out.serialize(entry)
                .map_err(|e| ServiceError::Inconsistent(format!("audit CSV: {e}")))?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| ServiceError::Inconsistent(format!("audit CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| ServiceError::Inconsistent(format!("audit CSV: {e}")))
    }
}
