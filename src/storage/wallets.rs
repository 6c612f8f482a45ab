//! Deliveries of badges to trainers' wallets (VC-API exchanges and OID4VCI offers).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{opt_time_from_db, parse_id, time_from_db, time_to_db, StorageError, Store};
use crate::domain::AwardId;

/// A wallet delivery as kept. Its id and codes are capabilities: `Debug` leaves them out.
#[derive(Clone, PartialEq, Eq)]
pub struct WalletExchange {
    pub id: String,
    pub award: AwardId,
    pub email: String,
    pub challenge: String,
    pub pre_authorized_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub protocol: Option<String>,
    pub holder: Option<String>,
    pub credential_id: Option<String>,
}

impl std::fmt::Debug for WalletExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletExchange")
            .field("award", &self.award)
            .field("expires_at", &self.expires_at)
            .field("completed_at", &self.completed_at)
            .field("protocol", &self.protocol)
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

/// What the delivery of a credential records.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    pub protocol: &'a str,
    pub holder: &'a str,
    pub credential_id: &'a str,
}

const COLUMNS: &str = "id, award_id, email, challenge, pre_authorized_code, created_at, \
                       expires_at, completed_at, protocol, holder, credential_id";

fn exchange_from(row: &AnyRow) -> Result<WalletExchange, StorageError> {
    Ok(WalletExchange {
        id: row.try_get("id")?,
        award: parse_id(row, "award_id")?,
        email: row.try_get("email")?,
        challenge: row.try_get("challenge")?,
        pre_authorized_code: row.try_get("pre_authorized_code")?,
        created_at: time_from_db(&row.try_get::<String, _>("created_at")?)?,
        expires_at: time_from_db(&row.try_get::<String, _>("expires_at")?)?,
        completed_at: opt_time_from_db(row.try_get("completed_at")?)?,
        protocol: row.try_get("protocol")?,
        holder: row.try_get("holder")?,
        credential_id: row.try_get("credential_id")?,
    })
}

impl Store {
    pub async fn create_wallet_exchange(
        &self,
        exchange: &WalletExchange,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO wallet_exchanges
             (id, award_id, email, challenge, pre_authorized_code, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(exchange.id.clone())
        .bind(exchange.award.to_string())
        .bind(exchange.email.clone())
        .bind(exchange.challenge.clone())
        .bind(exchange.pre_authorized_code.clone())
        .bind(time_to_db(exchange.created_at))
        .bind(time_to_db(exchange.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn wallet_exchange(&self, id: &str) -> Result<Option<WalletExchange>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM wallet_exchanges WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(exchange_from).transpose()
    }

    /// The exchanges a trainer started, latest first.
    pub async fn wallet_exchanges_of(
        &self,
        email: &str,
    ) -> Result<Vec<WalletExchange>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM wallet_exchanges WHERE email = $1 ORDER BY created_at DESC, id"
        ))
        .bind(email.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(exchange_from).collect()
    }

    /// Marks exchange `id` delivered, once and before it expires: `false` when it was already
    /// used (by either protocol), has expired or does not exist.
    pub async fn complete_wallet_exchange(
        &self,
        id: &str,
        delivery: &Delivery<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE wallet_exchanges
             SET completed_at = $2, protocol = $3, holder = $4, credential_id = $5
             WHERE id = $1 AND completed_at IS NULL AND expires_at > $2",
        )
        .bind(id.to_string())
        .bind(time_to_db(now))
        .bind(delivery.protocol.to_string())
        .bind(delivery.holder.to_string())
        .bind(delivery.credential_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
