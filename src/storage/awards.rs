use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{
    json_from_db, opt_time_from_db, parse_id, time_from_db, time_to_db, StorageError, Store,
};
use crate::domain::award::Revocation;

use crate::domain::{Award, AwardId, BadgeClassId, EmailAddress, IssuerId, Recipient};

/// The columns of the award itself, without the signed documents (heavy, unneeded in a list).
const AWARD_COLUMNS: &str =
    "id, badge_class_id, recipient_email, recipient_name, salt, issued_on, expires, \
     narrative, evidence, revoked_at, revocation_reason";

/// Where an award stands, as a search asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardState {
    /// Neither revoked nor expired.
    Active,
    /// Past its expiry date, not revoked.
    Expired,
    Revoked,
}

/// What a search of awards asks for; every criterion given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardFilter {
    /// Part of the recipient's address, case ignored.
    pub email_contains: Option<String>,
    pub badge_class: Option<BadgeClassId>,
    pub state: Option<AwardState>,
    /// Issued at or after.
    pub issued_from: Option<DateTime<Utc>>,
    /// Issued strictly before.
    pub issued_before: Option<DateTime<Utc>>,
}

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

    /// The awards that match `filter` (their state as it stands at `now`), latest issued
    /// first, at most `limit`; without their signed documents.
    pub async fn search_awards(
        &self,
        filter: &AwardFilter,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Award>, StorageError> {
        // The state is one of three fixed clauses; everything a person typed is bound.
        let state = match filter.state {
            None => "",
            Some(AwardState::Active) => {
                "AND revoked_at IS NULL AND (expires IS NULL OR expires > $6)"
            }
            Some(AwardState::Expired) => "AND revoked_at IS NULL AND expires <= $6",
            Some(AwardState::Revoked) => "AND revoked_at IS NOT NULL",
        };
        // Times are RFC 3339 text in UTC with whole seconds: they sort as they compare, and
        // '' and '9' bound every one of them.
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM awards
             WHERE LOWER(recipient_email) LIKE $1 ESCAPE '\\'
               AND ($2 = '' OR badge_class_id = $2)
               AND issued_on >= $3 AND issued_on < $4 {state}
             ORDER BY issued_on DESC, id DESC LIMIT $5"
        );
        let mut query = sqlx::query(&sql)
            .bind(like_pattern(filter.email_contains.as_deref()))
            .bind(
                filter
                    .badge_class
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            )
            .bind(filter.issued_from.map(time_to_db).unwrap_or_default())
            .bind(
                filter
                    .issued_before
                    .map(time_to_db)
                    .unwrap_or_else(|| "9".into()),
            )
            .bind(limit);
        // PostgreSQL refuses a parameter the statement does not use.
        if sql.contains("$6") {
            query = query.bind(time_to_db(now));
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(award_only_from_row).collect()
    }

    pub async fn get_award(&self, id: AwardId) -> Result<Option<StoredAward>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM awards WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(award_from_row).transpose()
    }
}

/// `%part%` for LIKE, lower case, its own `%`, `_` and `\` taken literally.
fn like_pattern(part: Option<&str>) -> String {
    let mut pattern = String::from("%");
    for c in part.unwrap_or_default().trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(super) fn award_from_row(row: &AnyRow) -> Result<StoredAward, StorageError> {
    Ok(StoredAward {
        award: award_only_from_row(row)?,
        ob2_assertion: row.try_get("ob2_assertion")?,
        ob2_signed: row.try_get("ob2_signed")?,
        ob3_credential: row.try_get("ob3_credential")?,
        ob3_jwt: row.try_get("ob3_jwt")?,
    })
}

fn award_only_from_row(row: &AnyRow) -> Result<Award, StorageError> {
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
    Ok(award)
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
