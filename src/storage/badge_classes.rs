use sqlx::any::AnyRow;
use sqlx::Row;

use super::issuers::{image_columns, image_from_columns};
use super::{json_from_db, parse_id, time_from_db, time_to_db, StorageError, Store};
use crate::domain::ecap::AwardRule;
use crate::domain::{BadgeClass, BadgeClassId, Criteria};

const COLUMNS: &str = "id, issuer_id, name, description, image_type, image, criteria_narrative, \
     criteria_url, alignments, tags, validity_days, created_at, updated_at";

impl Store {
    /// Creates or replaces a badge class (by id); its creation time is kept on replacement.
    /// Awards already issued keep what they were issued with (their documents are stored).
    pub async fn save_badge_class(&self, class: &BadgeClass) -> Result<(), StorageError> {
        upsert_badge_class(&self.pool, class, None).await
    }

    /// Saves a badge class with its catalogue code and award rule (`None`: awarded by hand
    /// only, any rule it had removed). With a rule, every learner with completions is marked
    /// for evaluation in the same transaction; returns how many.
    pub async fn save_ruled_badge_class(
        &self,
        class: &BadgeClass,
        rule: Option<(&str, &AwardRule)>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, StorageError> {
        let mut tx = self.pool.begin().await?;
        upsert_badge_class(&mut *tx, class, rule).await?;
        let marked = match rule {
            Some(_) => super::evaluations::mark_all_in(&mut tx, at, None)
                .await?
                .len(),
            None => {
                sqlx::query("UPDATE badge_classes SET rule = NULL WHERE id = $1")
                    .bind(class.id.to_string())
                    .execute(&mut *tx)
                    .await?;
                0
            }
        };
        tx.commit().await?;
        Ok(marked)
    }

    /// The catalogue code and award rule of a badge class, when it has them.
    pub async fn badge_class_rule(
        &self,
        id: BadgeClassId,
    ) -> Result<(Option<String>, Option<AwardRule>), StorageError> {
        let row = sqlx::query("SELECT code, rule FROM badge_classes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else {
            return Ok((None, None));
        };
        let rule: Option<String> = r.try_get("rule")?;
        Ok((
            r.try_get("code")?,
            rule.map(|t| json_from_db(&t)).transpose()?,
        ))
    }

    pub async fn get_badge_class(
        &self,
        id: BadgeClassId,
    ) -> Result<Option<BadgeClass>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM badge_classes WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(badge_class_from_row).transpose()
    }

    /// Every badge class, oldest first.
    pub async fn list_badge_classes(&self) -> Result<Vec<BadgeClass>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM badge_classes ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(badge_class_from_row).collect()
    }
}

fn badge_class_from_row(row: &AnyRow) -> Result<BadgeClass, StorageError> {
    let image = image_from_columns(row.try_get("image_type")?, row.try_get("image")?)?
        .ok_or_else(|| StorageError::Corrupt("badge class without image".into()))?;
    Ok(BadgeClass {
        id: parse_id(row, "id")?,
        issuer: parse_id(row, "issuer_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        image,
        criteria: Criteria {
            narrative: row.try_get("criteria_narrative")?,
            url: row.try_get("criteria_url")?,
        },
        alignments: json_from_db(&row.try_get::<String, _>("alignments")?)?,
        tags: json_from_db(&row.try_get::<String, _>("tags")?)?,
        validity_days: row.try_get("validity_days")?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        updated_at: time_from_db(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// The one statement that writes a badge class, on the pool or in a transaction. `catalogue`:
/// its code and rule when it comes from the catalogue; without them, a class keeps the code and
/// rule it has (an admin's edit does not detach it from the catalogue).
pub(super) async fn upsert_badge_class<'e, E>(
    executor: E,
    class: &BadgeClass,
    catalogue: Option<(&str, &AwardRule)>,
) -> Result<(), StorageError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (image_type, image) = image_columns(Some(&class.image));
    sqlx::query(
        "INSERT INTO badge_classes (id, issuer_id, name, description, image_type, image,
         criteria_narrative, criteria_url, alignments, tags, validity_days, created_at, updated_at, code, rule)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (id) DO UPDATE SET issuer_id = excluded.issuer_id, name = excluded.name,
         description = excluded.description, image_type = excluded.image_type,
         image = excluded.image, criteria_narrative = excluded.criteria_narrative,
         criteria_url = excluded.criteria_url, alignments = excluded.alignments,
         tags = excluded.tags, validity_days = excluded.validity_days,
         updated_at = excluded.updated_at, code = COALESCE(excluded.code, badge_classes.code),
         rule = COALESCE(excluded.rule, badge_classes.rule)",
    )
    .bind(class.id.to_string())
    .bind(class.issuer.to_string())
    .bind(class.name.clone())
    .bind(class.description.clone())
    .bind(image_type)
    .bind(image)
    .bind(class.criteria.narrative.clone())
    .bind(class.criteria.url.clone())
    .bind(serde_json::to_string(&class.alignments).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&class.tags).unwrap_or_else(|_| "[]".into()))
    .bind(class.validity_days)
    .bind(time_to_db(class.created_at))
    .bind(time_to_db(class.updated_at))
    .bind(catalogue.map(|(code, _)| code.to_string()))
    .bind(catalogue.and_then(|(_, rule)| serde_json::to_string(rule).ok()))
    .execute(executor)
    .await?;
    Ok(())
}
