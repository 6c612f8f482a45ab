//! Persistence through sqlx: SQLite (embedded default) or PostgreSQL, chosen by the database URL.
//!
//! One `Store` serves both: queries are written once in the SQL both databases speak (`$n`
//! parameters, text times, `ON CONFLICT`), over sqlx's `Any` driver; the schema has a migrations
//! folder per backend. Uniqueness and atomicity come from the database, never from memory.

mod admins;
mod attendance;
mod audit;
mod awards;
mod badge_classes;
mod catalogue;
mod completions;
mod endorsements;
mod evaluations;
mod imports;
mod issuers;
mod moodle_syncs;
mod ob3_api;
mod oid4vci;
mod outbox;
mod requests;
mod status;
mod tokens;
mod trainers;
mod uploads;
mod wallets;

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

pub use admins::{StoredAdmin, StoredAdminSession};
pub use attendance::{AttendanceChange, NewAttendance, StoredAttendance};
pub use audit::AuditEntry;
pub use awards::{AwardFilter, AwardState, StoredAward};
pub use catalogue::{CatalogueBadge, CatalogueEntry, RuledBadge, StoredCatalogue};
pub use completions::{NewCompletion, Recorded, StoredCompletion};
pub use endorsements::{EndorsementTarget, StoredEndorsement};
pub use evaluations::{EvaluationStats, Lease, Taken};
pub use imports::{ImportOrigin, ImportRecord, ImportStatus};
pub use moodle_syncs::{SyncRecord, SyncedCompletion};
pub use ob3_api::{
    CodeUse, NewCode, NewOAuthToken, NewPending, StoredClient, StoredCode, StoredGrant,
    StoredOAuthToken, StoredPending, TokenKind,
};
pub use oid4vci::{OfferedExchange, TokenGrant, TokenHolder};
pub use outbox::{MessageKind, MessageStatus, NewMessage, StoredMessage};
pub use requests::{
    RequestEvent, RequestFile, RequestStatus, Reviewer, StatusChange, StatusChanged, StoredRequest,
};
pub use status::StatusSlot;
pub use tokens::StoredToken;
pub use trainers::OwnedAward;
pub use uploads::Upload;
pub use wallets::{Delivery, WalletExchange};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database URL {0:?} is neither sqlite://… nor postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// What a write was based on changed before it could commit; doing it again will do.
    #[error("{0} changed meanwhile")]
    Stale(&'static str),
    #[error(transparent)]
    Fault(#[from] crate::faults::InjectedFault),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the durability tests make a step fail or the process abort; none otherwise.
    faults: crate::faults::Faults,
    /// Status lists known to exist (they are never deleted).
    known_lists: std::sync::Arc<
        std::sync::Mutex<std::collections::BTreeSet<(crate::domain::IssuerId, String)>>,
    >,
}

impl Store {
    /// Connects to `url`; for SQLite, creates the file (and its folder) and turns on WAL.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let (url, max) = match backend {
            Backend::Sqlite => (sqlite_url_creating_dir(url)?, 8),
            Backend::Postgres => (url.to_string(), 16),
        };
        let sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // In WAL mode, NORMAL syncs at checkpoints instead of at every commit:
                        // no corruption is possible, and a power cut can only lose the last
                        // commits; FULL made every award wait for several disk flushes.
                        use sqlx::Executor;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file, set once; readers then never wait for the writer.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Self {
            pool,
            backend,
            faults: crate::faults::Faults::none(),
            known_lists: Default::default(),
        })
    }

    /// The same store, with faults injected where `faults` says (durability tests).
    pub fn with_faults(mut self, faults: crate::faults::Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Passes a fault point: an injected error, or an abort, when the tests ask for one.
    pub fn fault(&self, point: crate::faults::FaultPoint) -> Result<(), StorageError> {
        Ok(self.faults.check(point)?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Takes the lock `name` for the rest of `tx`: a second transaction asking for it waits
    /// until the first ends. A row written in the transaction, so that it works the same way on
    /// SQLite (whose writer lock it takes) and PostgreSQL (whose row lock it takes).
    pub(crate) async fn lock_in(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO locks (name, taken_at) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET taken_at = excluded.taken_at",
        )
        .bind(name.to_string())
        .bind(time_to_db(now))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The SQLite journal mode (`wal` once connected); `None` on PostgreSQL.
    pub async fn sqlite_journal_mode(&self) -> Result<Option<String>, StorageError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let row = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(row.try_get::<String, _>(0)?))
    }
}

fn backend_of(url: &str) -> Result<Backend, StorageError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StorageError::UnsupportedUrl(url.to_string()))
    }
}

/// Adds `mode=rwc` (create if missing) and creates the parent folder of the database file.
fn sqlite_url_creating_dir(url: &str) -> Result<String, StorageError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StorageError::CreateDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Times are stored as RFC 3339 UTC text with whole seconds.
pub(crate) fn time_to_db(t: DateTime<Utc>) -> String {
    crate::domain::clock::rfc3339(t)
}

pub(crate) fn time_from_db(s: &str) -> Result<DateTime<Utc>, StorageError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StorageError::Corrupt(format!("bad time {s:?}")))
}

pub(crate) fn opt_time_from_db(s: Option<String>) -> Result<Option<DateTime<Utc>>, StorageError> {
    s.as_deref().map(time_from_db).transpose()
}

pub(crate) fn parse_id<T: FromStr>(row: &AnyRow, column: &str) -> Result<T, StorageError> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| StorageError::Corrupt(format!("bad id {text:?} in {column}")))
}

pub(crate) fn json_from_db<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::Corrupt(format!("bad JSON column: {e}")))
}

/// True when `e` is a unique-key violation (the database's answer to a duplicate).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("sub/insigne.db");
        let url = sqlite_url_creating_dir(&format!("sqlite://{}", db.display())).expect("url");
        assert!(url.ends_with("?mode=rwc"), "{url}");
        assert!(dir.path().join("sub").is_dir());
        assert!(matches!(
            backend_of("mysql://x"),
            Err(StorageError::UnsupportedUrl(_))
        ));
    }
}
