use sqlx::any::AnyRow;
use sqlx::Row;

use super::{parse_id, time_from_db, time_to_db, StorageError, Store};
use crate::domain::{EmailAddress, Image, ImageKind, Issuer, IssuerId};

const COLUMNS: &str =
    "id, name, url, email, description, image_type, image, created_at, updated_at";

impl Store {
    /// Creates or replaces an issuer (by id); its creation time is kept on replacement.
    pub async fn save_issuer(&self, issuer: &Issuer) -> Result<(), StorageError> {
        upsert_issuer(&self.pool, issuer, None).await
    }

    pub async fn get_issuer(&self, id: IssuerId) -> Result<Option<Issuer>, StorageError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM issuers WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(issuer_from_row).transpose()
    }

    /// Every issuer, oldest first.
    pub async fn list_issuers(&self) -> Result<Vec<Issuer>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM issuers ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(issuer_from_row).collect()
    }
}

pub(super) fn image_columns(image: Option<&Image>) -> (Option<String>, Option<Vec<u8>>) {
    match image {
        Some(img) => (
            Some(img.kind().mime().to_string()),
            Some(img.bytes().to_vec()),
        ),
        None => (None, None),
    }
}

pub(super) fn image_from_columns(
    kind: Option<String>,
    bytes: Option<Vec<u8>>,
) -> Result<Option<Image>, StorageError> {
    match (kind, bytes) {
        (Some(kind), Some(bytes)) => {
            let kind = ImageKind::from_mime(&kind)
                .ok_or_else(|| StorageError::Corrupt(format!("unknown image type {kind:?}")))?;
            Image::from_bytes(kind, bytes)
                .map(Some)
                .map_err(StorageError::Corrupt)
        }
        _ => Ok(None),
    }
}

fn issuer_from_row(row: &AnyRow) -> Result<Issuer, StorageError> {
    let email: String = row.try_get("email")?;
    Ok(Issuer {
        id: parse_id(row, "id")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        email: EmailAddress::parse(&email).map_err(StorageError::Corrupt)?,
        description: row.try_get("description")?,
        image: image_from_columns(row.try_get("image_type")?, row.try_get("image")?)?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        updated_at: time_from_db(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// The one statement that writes an issuer, on the pool or in a transaction; without a `code`
/// the issuer keeps the catalogue code it has.
pub(super) async fn upsert_issuer<'e, E>(
    executor: E,
    issuer: &Issuer,
    code: Option<&str>,
) -> Result<(), StorageError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (image_type, image) = image_columns(issuer.image.as_ref());
    sqlx::query(
        "INSERT INTO issuers (id, name, url, email, description, image_type, image, created_at, updated_at, code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url,
         email = excluded.email, description = excluded.description, image_type = excluded.image_type,
         image = excluded.image, updated_at = excluded.updated_at,
         code = COALESCE(excluded.code, issuers.code)",
    )
    .bind(issuer.id.to_string())
    .bind(issuer.name.clone())
    .bind(issuer.url.clone())
    .bind(issuer.email.to_string())
    .bind(issuer.description.clone())
    .bind(image_type)
    .bind(image)
    .bind(time_to_db(issuer.created_at))
    .bind(time_to_db(issuer.updated_at))
    .bind(code.map(str::to_string))
    .execute(executor)
    .await?;
    Ok(())
}
