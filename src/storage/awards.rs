use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{
    json_from_db, opt_time_from_db, parse_id, time_from_db, time_to_db, StorageError, Store,
};
use crate::domain::award::Revocation;

use crate::domain::{Award, AwardId, EmailAddress, IssuerId, Recipient};

pub(super) const COLUMNS: &str =
    "id, badge_class_id, recipient_email, recipient_name, salt, issued_on, expires, \
     narrative, evidence, revoked_at, revocation_reason, ob2_assertion, ob2_signed, ob3_credential, ob3_jwt";

/// An award with the documents signed or fixed at issuance.
#[derive(Debug, Clone)]
pub struct StoredAward {
    pub award: Award,
    /// The hosted OB 2.0 Assertion, byte for byte as issued.
    pub ob2_assertion: String,
    /// The OB 2.0 signed assertion (compact JWS), as signed at issuance.
    pub ob2_signed: Option<String>,
    /// The OB 3.0 credential with its Data Integrity proof, as signed at issuance.
    pub ob3_credential: Option<String>,
    /// The OB 3.0 credential as a VC-JWT, as signed at issuance.
    pub ob3_jwt: Option<String>,
}

impl Store {
    /// Stores an award with the documents fixed at issuance, in one statement.
    pub async fn insert_award(&self, stored: &StoredAward) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        insert_award_in(&mut tx, stored).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The revoked awards of an issuer's badge classes, with their reasons, oldest revocation first.
    pub async fn revoked_awards_of_issuer(
        &self,
        issuer: IssuerId,
    ) -> Result<Vec<(AwardId, String)>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.revocation_reason FROM awards a JOIN badge_classes b ON b.id = a.badge_class_id
             WHERE b.issuer_id = $1 AND a.revoked_at IS NOT NULL ORDER BY a.revoked_at, a.id",
        )
        .bind(issuer.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    parse_id(row, "id")?,
                    row.try_get::<Option<String>, _>("revocation_reason")?
                        .unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// Awards issued before every format existed (a signed document is missing).
    pub async fn awards_without_signature(&self) -> Result<Vec<AwardId>, StorageError> {
        let rows = sqlx::query(
            "SELECT id FROM awards WHERE ob2_signed IS NULL OR ob3_credential IS NULL OR ob3_jwt IS NULL
             ORDER BY issued_on, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| parse_id(row, "id")).collect()
    }

    /// Stores the signed documents an award lacks; never replaces one it has.
    pub async fn fill_signed_documents(&self, stored: &StoredAward) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE awards SET ob2_signed = COALESCE(ob2_signed, $2),
             ob3_credential = COALESCE(ob3_credential, $3), ob3_jwt = COALESCE(ob3_jwt, $4)
             WHERE id = $1 AND (ob2_signed IS NULL OR ob3_credential IS NULL OR ob3_jwt IS NULL)",
        )
        .bind(stored.award.id.to_string())
        .bind(stored.ob2_signed.clone())
        .bind(stored.ob3_credential.clone())
        .bind(stored.ob3_jwt.clone())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many awards exist (revoked ones included).
    pub async fn count_awards(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM awards")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Awards in all, awards issued since `since`, and the trainers who hold one.
    pub async fn award_counts(
        &self,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64, i64), StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total,
                    COALESCE(SUM(CASE WHEN issued_on >= $1 THEN 1 ELSE 0 END), 0) AS recent,
                    COUNT(DISTINCT recipient_email) AS trainers
             FROM awards",
        )
        .bind(time_to_db(since))
        .fetch_one(&self.pool)
        .await?;
        Ok((
            row.try_get::<i64, _>("total")?,
            row.try_get::<i64, _>("recent")?,
            row.try_get::<i64, _>("trainers")?,
        ))
    }

    pub async fn get_award(&self, id: AwardId) -> Result<Option<StoredAward>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM awards WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(award_from_row).transpose()
    }
}

pub(super) fn award_from_row(row: &AnyRow) -> Result<StoredAward, StorageError> {
    let email: String = row.try_get("recipient_email")?;
    let revoked_at = opt_time_from_db(row.try_get("revoked_at")?)?;
    let reason: Option<String> = row.try_get("revocation_reason")?;
    let award = Award {
        id: parse_id(row, "id")?,
        badge_class: parse_id(row, "badge_class_id")?,
        recipient: Recipient {
            email: EmailAddress::parse(&email).map_err(StorageError::Corrupt)?,
            name: row.try_get("recipient_name")?,
        },
        salt: row.try_get("salt")?,
        issued_on: time_from_db(&row.try_get::<String, _>("issued_on")?)?,
        expires: opt_time_from_db(row.try_get("expires")?)?,
        narrative: row.try_get("narrative")?,
        evidence: json_from_db(&row.try_get::<String, _>("evidence")?)?,
        revocation: revoked_at.map(|at| Revocation {
            at,
            reason: reason.unwrap_or_default(),
        }),
    };
    Ok(StoredAward {
        award,
        ob2_assertion: row.try_get("ob2_assertion")?,
        ob2_signed: row.try_get("ob2_signed")?,
        ob3_credential: row.try_get("ob3_credential")?,
        ob3_jwt: row.try_get("ob3_jwt")?,
    })
}

/// Stores an award with the documents fixed at issuance, within `tx`.
pub(super) async fn insert_award_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    stored: &StoredAward,
) -> Result<(), StorageError> {
    let award = &stored.award;
    sqlx::query(
        "INSERT INTO awards (id, badge_class_id, recipient_email, recipient_name, salt, issued_on,
         expires, narrative, evidence, revoked_at, revocation_reason, ob2_assertion, ob2_signed,
         ob3_credential, ob3_jwt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(award.id.to_string())
    .bind(award.badge_class.to_string())
    .bind(award.recipient.email.to_string())
    .bind(award.recipient.name.clone())
    .bind(award.salt.clone())
    .bind(time_to_db(award.issued_on))
    .bind(award.expires.map(time_to_db))
    .bind(award.narrative.clone())
    .bind(serde_json::to_string(&award.evidence).unwrap_or_else(|_| "[]".into()))
    .bind(award.revocation.as_ref().map(|r| time_to_db(r.at)))
    .bind(award.revocation.as_ref().map(|r| r.reason.clone()))
    .bind(stored.ob2_assertion.clone())
    .bind(stored.ob2_signed.clone())
    .bind(stored.ob3_credential.clone())
    .bind(stored.ob3_jwt.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
