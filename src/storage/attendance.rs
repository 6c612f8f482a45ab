//! Sessions attended, recorded with the marks that get their learners evaluated, and the
//! catalogue's series.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::evaluations::{mark_in, Lease};
use super::{json_from_db, time_from_db, time_to_db, Recorded, StorageError, Store};
use crate::domain::ecap::Series;
use crate::domain::EmailAddress;
use crate::faults::FaultPoint;

/// An attendance to record: one person at one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttendance {
    pub learner_email: EmailAddress,
    pub learner_name: String,
    /// The session's normalised title and local day (`attendance::session_key`).
    pub session_key: String,
    pub session_title: String,
    pub session_start: DateTime<Utc>,
    pub minutes: u32,
    pub source: String,
}

/// A learner's recorded attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttendance {
    pub learner_name: String,
    pub session_key: String,
    pub session_title: String,
    pub session_start: DateTime<Utc>,
    pub minutes: u32,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What recording one attendance did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceChange {
    /// Not known before.
    New,
    /// Known, now with more minutes than before.
    Longer,
    /// Known with as many minutes or more: nothing changed.
    Known,
}

impl Store {
    /// Records attendances in one transaction, whole or not at all, and marks for evaluation,
    /// in the same transaction, every learner with a new or longer one. The same person at the
    /// same session is stored once: a second report keeps the longest minutes.
    pub async fn record_attendances(
        &self,
        list: &[NewAttendance],
        now: DateTime<Utc>,
        lease: Option<&Lease>,
    ) -> Result<(Vec<AttendanceChange>, Recorded), StorageError> {
        let at = time_to_db(now);
        let mut tx = self.pool.begin().await?;
        let mut changes = Vec::with_capacity(list.len());
        let mut learners = BTreeSet::new();
        for a in list {
            let id = crate::domain::ids::random_uuid().to_string();
            // No row back: known, and not longer (the WHERE of the update held it back).
            let row = sqlx::query(
                "INSERT INTO attendances (id, learner_email, learner_name, session_key, session_title, session_start, minutes, source, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                 ON CONFLICT (learner_email, session_key) DO UPDATE SET minutes = excluded.minutes,
                 learner_name = excluded.learner_name, source = excluded.source, updated_at = excluded.updated_at
                 WHERE excluded.minutes > attendances.minutes
                 RETURNING id",
            )
            .bind(id.clone())
            .bind(a.learner_email.to_string())
            .bind(a.learner_name.clone())
            .bind(a.session_key.clone())
            .bind(a.session_title.clone())
            .bind(time_to_db(a.session_start))
            .bind(i64::from(a.minutes))
            .bind(a.source.clone())
            .bind(at.clone())
            .fetch_optional(&mut *tx)
            .await?;
            let change = match row {
                None => AttendanceChange::Known,
                Some(r) if r.try_get::<String, _>("id")? == id => AttendanceChange::New,
                Some(_) => AttendanceChange::Longer,
            };
            if change != AttendanceChange::Known {
                learners.insert(a.learner_email.as_str());
            }
            changes.push(change);
            self.fault(FaultPoint::CompletionInserted)?;
        }
        let mut out = Recorded {
            new: changes
                .iter()
                .map(|c| *c != AttendanceChange::Known)
                .collect(),
            ..Recorded::default()
        };
        for email in learners {
            match mark_in(&mut tx, email, &at, lease).await? {
                Ok(taken) => out.taken.push(taken),
                Err(email) => out.waiting.push(email),
            }
        }
        tx.commit().await?;
        Ok((changes, out))
    }

    /// Every session a learner attended, oldest first.
    pub async fn attendances_of(
        &self,
        email: &EmailAddress,
    ) -> Result<Vec<StoredAttendance>, StorageError> {
        let rows = sqlx::query(
            "SELECT learner_name, session_key, session_title, session_start, minutes, source, created_at, updated_at
             FROM attendances WHERE learner_email = $1 ORDER BY session_start, session_key",
        )
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAttendance {
                    learner_name: r.try_get("learner_name")?,
                    session_key: r.try_get("session_key")?,
                    session_title: r.try_get("session_title")?,
                    session_start: time_from_db(&r.try_get::<String, _>("session_start")?)?,
                    minutes: u32::try_from(r.try_get::<i64, _>("minutes")?).unwrap_or(0),
                    source: r.try_get("source")?,
                    recorded_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
                    updated_at: time_from_db(&r.try_get::<String, _>("updated_at")?)?,
                })
            })
            .collect()
    }

    /// How many attendances are recorded.
    pub async fn count_attendances(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM attendances")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// The catalogue's series, by code.
    pub async fn load_series(&self) -> Result<Vec<Series>, StorageError> {
        let rows = sqlx::query("SELECT code, name, prefixes, titles FROM series ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Series {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    prefixes: json_from_db(&r.try_get::<String, _>("prefixes")?)?,
                    titles: json_from_db(&r.try_get::<String, _>("titles")?)?,
                })
            })
            .collect()
    }
}

/// Inserts or updates a series by its code, within the catalogue's transaction.
pub(super) async fn upsert_series(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    s: &Series,
    now: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO series (code, name, prefixes, titles, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefixes = excluded.prefixes,
         titles = excluded.titles, updated_at = excluded.updated_at",
    )
    .bind(s.code.clone())
    .bind(s.name.clone())
    .bind(serde_json::to_string(&s.prefixes).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&s.titles).unwrap_or_else(|_| "[]".into()))
    .bind(now.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
