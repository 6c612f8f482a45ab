//! Endorsements of badge classes and awards, stored as signed.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{opt_time_from_db, parse_id, time_from_db, time_to_db, StorageError, Store};
use crate::domain::{EndorsementId, IssuerId};

/// What an endorsement vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndorsementTarget {
    BadgeClass(crate::domain::BadgeClassId),
    Award(crate::domain::AwardId),
}

impl EndorsementTarget {
    fn kind(&self) -> &'static str {
        match self {
            EndorsementTarget::BadgeClass(_) => "badge_class",
            EndorsementTarget::Award(_) => "award",
        }
    }

    fn id(&self) -> String {
        match self {
            EndorsementTarget::BadgeClass(id) => id.to_string(),
            EndorsementTarget::Award(id) => id.to_string(),
        }
    }
}

/// An endorsement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEndorsement {
    pub id: EndorsementId,
    pub target: EndorsementTarget,
    pub issuer: IssuerId,
    pub endorser: String,
    pub endorser_name: String,
    pub comment: String,
    pub credential: String,
    pub jwt: String,
    pub ob2: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
}

const COLUMNS: &str = "id, target_kind, target_id, issuer_id, endorser, endorser_name, comment,
    credential, jwt, ob2, created_at, revoked_at, revocation_reason";

fn endorsement(r: &AnyRow) -> Result<StoredEndorsement, StorageError> {
    let kind: String = r.try_get("target_kind")?;
    let target = match kind.as_str() {
        "badge_class" => EndorsementTarget::BadgeClass(parse_id(r, "target_id")?),
        "award" => EndorsementTarget::Award(parse_id(r, "target_id")?),
        other => {
            return Err(StorageError::Corrupt(format!(
                "unknown endorsement target {other:?}"
            )))
        }
    };
    Ok(StoredEndorsement {
        id: parse_id(r, "id")?,
        target,
        issuer: parse_id(r, "issuer_id")?,
        endorser: r.try_get("endorser")?,
        endorser_name: r.try_get("endorser_name")?,
        comment: r.try_get("comment")?,
        credential: r.try_get("credential")?,
        jwt: r.try_get("jwt")?,
        ob2: r.try_get("ob2")?,
        created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
        revoked_at: opt_time_from_db(r.try_get("revoked_at")?)?,
        revocation_reason: r.try_get("revocation_reason")?,
    })
}

impl Store {
    pub async fn insert_endorsement(&self, e: &StoredEndorsement) -> Result<(), StorageError> {
        sqlx::query(&format!(
            "INSERT INTO endorsements ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(e.id.to_string())
        .bind(e.target.kind())
        .bind(e.target.id())
        .bind(e.issuer.to_string())
        .bind(e.endorser.clone())
        .bind(e.endorser_name.clone())
        .bind(e.comment.clone())
        .bind(e.credential.clone())
        .bind(e.jwt.clone())
        .bind(e.ob2.clone())
        .bind(time_to_db(e.created_at))
        .bind(e.revoked_at.map(time_to_db))
        .bind(e.revocation_reason.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get_endorsement(
        &self,
        id: EndorsementId,
    ) -> Result<Option<StoredEndorsement>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM endorsements WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(endorsement).transpose()
    }

    /// The endorsements of `target`, oldest first (revoked ones too).
    pub async fn endorsements_of(
        &self,
        target: EndorsementTarget,
    ) -> Result<Vec<StoredEndorsement>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM endorsements WHERE target_kind = $1 AND target_id = $2
             ORDER BY created_at, id"
        ))
        .bind(target.kind())
        .bind(target.id())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(endorsement).collect()
    }

    /// Every endorsement, the latest first.
    pub async fn all_endorsements(&self) -> Result<Vec<StoredEndorsement>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM endorsements ORDER BY created_at DESC, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(endorsement).collect()
    }

    /// Revokes an endorsement with `reason`; false when there is none or it is revoked already.
    pub async fn revoke_endorsement(
        &self,
        id: EndorsementId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE endorsements SET revoked_at = $2, revocation_reason = $3
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .bind(time_to_db(now))
        .bind(reason.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
