//! Badges on request: the review grids, which parcours each tutor reviews, the trainers'
//! requests with their files and history. Every change of a request's status is one
//! conditional UPDATE (two tutors deciding at once: one wins, the other is told it changed),
//! written with its history entry and its messages in one transaction; an approval marks the
//! learner for evaluation in the same transaction, so the badge follows as durably as a
//! completion's.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::outbox::{insert_message, NewMessage};
use super::{
    is_unique_violation, json_from_db, opt_time_from_db, time_from_db, time_to_db, StorageError,
    Store,
};
use crate::domain::ecap::ReviewGrid;
use crate::domain::BadgeClassId;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Being written by the trainer; nobody else sees it.
    Draft,
    /// Waiting for a tutor.
    Submitted,
    /// Sent back to the trainer for revision, with a message.
    Returned,
    /// Approved: the badge is awarded.
    Approved,
    /// Refused, with a reason; the trainer may start a new request.
    Refused,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Draft => "draft",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Returned => "returned",
            RequestStatus::Approved => "approved",
            RequestStatus::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "draft" => RequestStatus::Draft,
            "submitted" => RequestStatus::Submitted,
            "returned" => RequestStatus::Returned,
            "approved" => RequestStatus::Approved,
            "refused" => RequestStatus::Refused,
            _ => return None,
        })
    }

    /// Whether the trainer may still change it.
    pub fn editable(self) -> bool {
        matches!(self, RequestStatus::Draft | RequestStatus::Returned)
    }
}

/// A request as stored (its files apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: String,
    pub email: String,
    pub learner_name: String,
    pub badge_class: BadgeClassId,
    pub badge_code: String,
    pub parcours: Option<String>,
    pub tutor: Option<String>,
    pub status: RequestStatus,
    pub analysis: String,
    pub links: Vec<String>,
    /// The tutor's last assessment, as JSON (see `service::requests::Assessment`).
    pub assessment: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A file of a request, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFile {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub note: Option<String>,
    pub assessment: Option<String>,
}

/// A change of status: from what, to what, by whom, with what note and assessment, and the
/// messages it sends.
#[derive(Debug, Clone)]
pub struct StatusChange<'a> {
    /// For an approval: the lease that holds the learner it marks, when free.
    pub lease: Option<&'a super::Lease>,
    pub from: &'a [RequestStatus],
    pub to: RequestStatus,
    pub actor: &'a str,
    pub action: &'a str,
    pub note: Option<&'a str>,
    pub assessment: Option<&'a str>,
    pub messages: &'a [NewMessage],
}

/// A change of status done: the learner an approval marked, when `lease` holds them.
#[derive(Debug, Clone)]
pub struct StatusChanged {
    pub taken: Option<super::Taken>,
}

/// Which requests a reviewer sees.
#[derive(Debug, Clone)]
pub enum Reviewer<'a> {
    /// An admin: every request past its draft.
    All,
    /// A tutor (by address): those assigned to them, and those of their parcours
    /// (`tutor_parcours`) assigned to nobody.
    Tutor(&'a str),
}

const COLUMNS: &str = "id, learner_email, learner_name, badge_class_id, badge_code, parcours_code,
    tutor_email, status, analysis, links, assessment, decision_note, decided_by, lang,
    created_at, updated_at, submitted_at, decided_at";

fn request(r: &AnyRow) -> Result<StoredRequest, StorageError> {
    let status: String = r.try_get("status")?;
    Ok(StoredRequest {
        id: r.try_get("id")?,
        email: r.try_get("learner_email")?,
        learner_name: r.try_get("learner_name")?,
        badge_class: super::parse_id(r, "badge_class_id")?,
        badge_code: r.try_get("badge_code")?,
        parcours: r.try_get("parcours_code")?,
        tutor: r.try_get("tutor_email")?,
        status: RequestStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown request status {status:?}")))?,
        analysis: r.try_get("analysis")?,
        links: json_from_db(&r.try_get::<String, _>("links")?)?,
        assessment: r.try_get("assessment")?,
        decision_note: r.try_get("decision_note")?,
        decided_by: r.try_get("decided_by")?,
        lang: r.try_get("lang")?,
        created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time_from_db(&r.try_get::<String, _>("updated_at")?)?,
        submitted_at: opt_time_from_db(r.try_get("submitted_at")?)?,
        decided_at: opt_time_from_db(r.try_get("decided_at")?)?,
    })
}

fn file(r: &AnyRow) -> Result<RequestFile, StorageError> {
    Ok(RequestFile {
        id: r.try_get("id")?,
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
    })
}

/// Inserts or updates a grid by its code, within the catalogue's transaction.
pub(super) async fn upsert_grid(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    g: &ReviewGrid,
    now: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO review_grids (code, name, description, criteria, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
         criteria = excluded.criteria, updated_at = excluded.updated_at",
    )
    .bind(g.code.clone())
    .bind(g.name.clone())
    .bind(g.description.clone())
    .bind(serde_json::to_string(&g.criteria).unwrap_or_else(|_| "[]".into()))
    .bind(now.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The catalogue's review grids, by code.
    pub async fn load_grids(&self) -> Result<Vec<ReviewGrid>, StorageError> {
        let rows =
            sqlx::query("SELECT code, name, description, criteria FROM review_grids ORDER BY code")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ReviewGrid {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    criteria: json_from_db(&r.try_get::<String, _>("criteria")?)?,
                })
            })
            .collect()
    }

    /// Sets the parcours whose requests `tutor` reviews (replacing those they had).
    pub async fn set_tutor_parcours(
        &self,
        tutor: &str,
        parcours: &[String],
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM tutor_parcours WHERE tutor_email = $1")
            .bind(tutor.to_string())
            .execute(&mut *tx)
            .await?;
        for p in parcours {
            sqlx::query(
                "INSERT INTO tutor_parcours (tutor_email, parcours_code) VALUES ($1, $2)
                 ON CONFLICT (tutor_email, parcours_code) DO NOTHING",
            )
            .bind(tutor.to_string())
            .bind(p.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The parcours `tutor` reviews.
    pub async fn tutor_parcours(&self, tutor: &str) -> Result<Vec<String>, StorageError> {
        let rows = sqlx::query(
            "SELECT parcours_code FROM tutor_parcours WHERE tutor_email = $1 ORDER BY parcours_code",
        )
        .bind(tutor.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("parcours_code")?))
            .collect()
    }

    /// The tutors who review `parcours`' requests (still tutors of the console).
    pub async fn tutors_of(&self, parcours: &str) -> Result<Vec<String>, StorageError> {
        let rows = sqlx::query(
            "SELECT t.tutor_email FROM tutor_parcours t JOIN admins a ON a.email = t.tutor_email
             WHERE t.parcours_code = $1 AND a.role = 'tutor' ORDER BY t.tutor_email",
        )
        .bind(parcours.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("tutor_email")?)).collect()
    }

    /// Starts a request; `Conflict` when the trainer has one for that badge not refused.
    pub async fn create_request(&self, r: &StoredRequest) -> Result<(), StorageError> {
        let done = sqlx::query(&format!(
            "INSERT INTO badge_requests ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .bind(r.id.clone())
        .bind(r.email.clone())
        .bind(r.learner_name.clone())
        .bind(r.badge_class.to_string())
        .bind(r.badge_code.clone())
        .bind(r.parcours.clone())
        .bind(r.tutor.clone())
        .bind(r.status.as_str())
        .bind(r.analysis.clone())
        .bind(serde_json::to_string(&r.links).unwrap_or_else(|_| "[]".into()))
        .bind(r.assessment.clone())
        .bind(r.decision_note.clone())
        .bind(r.decided_by.clone())
        .bind(r.lang.clone())
        .bind(time_to_db(r.created_at))
        .bind(time_to_db(r.updated_at))
        .bind(r.submitted_at.map(time_to_db))
        .bind(r.decided_at.map(time_to_db))
        .execute(&self.pool)
        .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StorageError::Conflict("a request")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get_request(&self, id: &str) -> Result<Option<StoredRequest>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM badge_requests WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(request).transpose()
    }

    /// A trainer's requests, the latest first.
    pub async fn requests_of(&self, email: &str) -> Result<Vec<StoredRequest>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM badge_requests WHERE learner_email = $1
             ORDER BY created_at DESC, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request).collect()
    }

    /// The requests past their draft that `reviewer` sees, those waiting first, then by date.
    pub async fn requests_for(
        &self,
        reviewer: &Reviewer<'_>,
    ) -> Result<Vec<StoredRequest>, StorageError> {
        let order =
            "ORDER BY CASE status WHEN 'submitted' THEN 0 WHEN 'returned' THEN 1 ELSE 2 END,
             COALESCE(submitted_at, created_at) DESC, id";
        let rows = match reviewer {
            Reviewer::All => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM badge_requests WHERE status <> 'draft' {order}"
                ))
                .fetch_all(&self.pool)
                .await?
            }
            Reviewer::Tutor(email) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM badge_requests WHERE status <> 'draft' AND
                     (tutor_email = $1 OR (tutor_email IS NULL AND parcours_code IN
                       (SELECT parcours_code FROM tutor_parcours WHERE tutor_email = $1)))
                     {order}"
                ))
                .bind(email.to_string())
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(request).collect()
    }

    /// Saves what the trainer typed, while the request is theirs to change; false otherwise.
    pub async fn save_request_text(
        &self,
        id: &str,
        analysis: &str,
        links: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE badge_requests SET analysis = $2, links = $3, updated_at = $4
             WHERE id = $1 AND status IN ('draft', 'returned')",
        )
        .bind(id.to_string())
        .bind(analysis.to_string())
        .bind(serde_json::to_string(links).unwrap_or_else(|_| "[]".into()))
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Attaches a file while the request is editable and has fewer than `max` files; false
    /// when it is not editable or full (decided in the transaction, so two uploads at once
    /// cannot make six).
    pub async fn add_request_file(
        &self,
        request_id: &str,
        meta: &RequestFile,
        content: &[u8],
        max: i64,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so that SQLite takes its write lock now and two uploads queue.
        let editable = sqlx::query(
            "UPDATE badge_requests SET updated_at = $2
             WHERE id = $1 AND status IN ('draft', 'returned')",
        )
        .bind(request_id.to_string())
        .bind(time_to_db(meta.created_at))
        .execute(&mut *tx)
        .await?;
        if editable.rows_affected() != 1 {
            return Ok(false);
        }
        if self.backend == super::Backend::Postgres {
            sqlx::query("SELECT id FROM badge_requests WHERE id = $1 FOR UPDATE")
                .bind(request_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        }
        let count =
            sqlx::query("SELECT COUNT(*) AS n FROM badge_request_files WHERE request_id = $1")
                .bind(request_id.to_string())
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?;
        if count >= max {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO badge_request_files (id, request_id, file_name, media_type, size, sha256,
             content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(meta.id.clone())
        .bind(request_id.to_string())
        .bind(meta.file_name.clone())
        .bind(meta.media_type.clone())
        .bind(meta.size)
        .bind(meta.sha256.clone())
        .bind(content.to_vec())
        .bind(time_to_db(meta.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a file while the request is editable; false otherwise (or no such file).
    pub async fn remove_request_file(
        &self,
        request_id: &str,
        file_id: &str,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "DELETE FROM badge_request_files WHERE id = $2 AND request_id = $1 AND request_id IN
             (SELECT id FROM badge_requests WHERE id = $1 AND status IN ('draft', 'returned'))",
        )
        .bind(request_id.to_string())
        .bind(file_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn request_files(&self, request_id: &str) -> Result<Vec<RequestFile>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, file_name, media_type, size, sha256, created_at FROM badge_request_files
             WHERE request_id = $1 ORDER BY created_at, file_name, id",
        )
        .bind(request_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file).collect()
    }

    /// A file of the request, with its bytes.
    pub async fn request_file(
        &self,
        request_id: &str,
        file_id: &str,
    ) -> Result<Option<(RequestFile, Vec<u8>)>, StorageError> {
        let row = sqlx::query(
            "SELECT id, file_name, media_type, size, sha256, created_at, content
             FROM badge_request_files WHERE request_id = $1 AND id = $2",
        )
        .bind(request_id.to_string())
        .bind(file_id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((file(&r)?, r.try_get::<Vec<u8>, _>("content")?)))
            .transpose()
    }

    /// The request's history, oldest first.
    pub async fn request_events(
        &self,
        request_id: &str,
    ) -> Result<Vec<RequestEvent>, StorageError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, note, assessment FROM badge_request_events
             WHERE request_id = $1 ORDER BY seq",
        )
        .bind(request_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RequestEvent {
                    at: time_from_db(&r.try_get::<String, _>("at")?)?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    note: r.try_get("note")?,
                    assessment: r.try_get("assessment")?,
                })
            })
            .collect()
    }

    /// Moves the request from one of `change.from` to `change.to`, with its history entry and
    /// messages, in one transaction; an approval marks the learner for evaluation there too.
    /// `None` when the request was not in one of `change.from` (someone else acted first).
    pub async fn change_request_status(
        &self,
        id: &str,
        change: &StatusChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<StatusChanged>, StorageError> {
        let at = time_to_db(now);
        let from: Vec<String> = change
            .from
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let decided = matches!(change.to, RequestStatus::Approved | RequestStatus::Refused);
        let submitted = change.to == RequestStatus::Submitted;
        let mut set = String::from("status = $2, updated_at = $3, decision_note = $4, assessment = COALESCE($5, assessment)");
        if submitted {
            set.push_str(", submitted_at = $3");
        }
        if decided {
            set.push_str(", decided_at = $3, decided_by = $6");
        }
        let mut tx = self.pool.begin().await?;
        // The statuses come from the enum, never from input: formatting them in is safe.
        let sql = format!(
            "UPDATE badge_requests SET {set} WHERE id = $1 AND status IN ({}) RETURNING learner_email",
            from.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(id.to_string())
            .bind(change.to.as_str())
            .bind(at.clone())
            .bind(change.note.map(str::to_string))
            .bind(change.assessment.map(str::to_string));
        if decided {
            query = query.bind(change.actor.to_string());
        }
        let row = query.fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let email: String = row.try_get("learner_email")?;
        sqlx::query(
            "INSERT INTO badge_request_events (request_id, at, actor, action, note, assessment)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(at)
        .bind(change.actor.to_string())
        .bind(change.action.to_string())
        .bind(change.note.map(str::to_string))
        .bind(change.assessment.map(str::to_string))
        .execute(&mut *tx)
        .await?;
        for m in change.messages {
            insert_message(&mut tx, None, m, now).await?;
        }
        let mut taken = None;
        if change.to == RequestStatus::Approved {
            taken = super::evaluations::mark_in(&mut tx, &email, &time_to_db(now), change.lease)
                .await?
                .ok();
        }
        tx.commit().await?;
        Ok(Some(StatusChanged { taken }))
    }

    /// Assigns a request past its draft to `tutor` (none: back to its parcours' tutors), with
    /// its history entry and messages; false when there is no such request to assign.
    pub async fn assign_request(
        &self,
        id: &str,
        tutor: Option<&str>,
        actor: &str,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let at = time_to_db(now);
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE badge_requests SET tutor_email = $2, updated_at = $3
             WHERE id = $1 AND status IN ('submitted', 'returned')",
        )
        .bind(id.to_string())
        .bind(tutor.map(str::to_string))
        .bind(at.clone())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO badge_request_events (request_id, at, actor, action, note)
             VALUES ($1, $2, $3, 'reassigned', $4)",
        )
        .bind(id.to_string())
        .bind(at)
        .bind(actor.to_string())
        .bind(tutor.map(str::to_string))
        .execute(&mut *tx)
        .await?;
        for m in messages {
            insert_message(&mut tx, None, m, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// How many requests wait for a tutor's decision.
    pub async fn count_requests_waiting(&self) -> Result<i64, StorageError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM badge_requests WHERE status = 'submitted'")
                .fetch_one(&self.pool)
                .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// The requests approved for `email`, as the award engine counts them.
    pub async fn approved_requests_of(
        &self,
        email: &str,
    ) -> Result<Vec<StoredRequest>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM badge_requests WHERE learner_email = $1 AND status = 'approved'
             ORDER BY decided_at, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request).collect()
    }
}

/// Deletes `email`'s requests, their files and history, within an erasure's transaction.
pub(super) async fn erase_requests(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    email: &str,
) -> Result<(), StorageError> {
    for statement in [
        "DELETE FROM badge_request_files WHERE request_id IN
         (SELECT id FROM badge_requests WHERE learner_email = $1)",
        "DELETE FROM badge_request_events WHERE request_id IN
         (SELECT id FROM badge_requests WHERE learner_email = $1)",
        "DELETE FROM badge_requests WHERE learner_email = $1",
    ] {
        sqlx::query(statement)
            .bind(email.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
