//! OpenID4VCI's part of a wallet exchange: the pre-authorized code traded once for an access
//! token (only its SHA-256 kept), the token's expiry and the nonce a key proof must carry.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{opt_time_from_db, time_to_db, StorageError, Store};

/// What a pre-authorized code finds: the exchange it belongs to, and whether it was already
/// traded for a token. The exchange's id is a capability: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct OfferedExchange {
    pub exchange: String,
    pub token_issued: bool,
}

impl std::fmt::Debug for OfferedExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfferedExchange")
            .field("token_issued", &self.token_issued)
            .finish_non_exhaustive()
    }
}

/// What an access token finds. The nonce is a secret of the exchange: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub exchange: String,
    pub token_expires_at: DateTime<Utc>,
    pub c_nonce: Option<String>,
}

impl std::fmt::Debug for TokenHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenHolder")
            .field("token_expires_at", &self.token_expires_at)
            .finish_non_exhaustive()
    }
}

/// What trading a code records.
#[derive(Clone)]
pub struct TokenGrant<'a> {
    pub token_hash: &'a str,
    pub token_expires_at: DateTime<Utc>,
    pub c_nonce: &'a str,
}

impl Store {
    /// The exchange whose offer carries `code`.
    pub async fn exchange_of_code(
        &self,
        code: &str,
    ) -> Result<Option<OfferedExchange>, StorageError> {
        let row = sqlx::query(
            "SELECT id, access_token_hash FROM wallet_exchanges WHERE pre_authorized_code = $1",
        )
        .bind(code.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(OfferedExchange {
                exchange: row.try_get("id")?,
                token_issued: row
                    .try_get::<Option<String>, _>("access_token_hash")?
                    .is_some(),
            })
        })
        .transpose()
    }

    /// Trades `code` for a token, once: `false` when the code was traded already, or its
    /// exchange was delivered or has expired meanwhile (two wallets racing get one token).
    pub async fn grant_oid4vci_token(
        &self,
        code: &str,
        grant: &TokenGrant<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE wallet_exchanges
             SET access_token_hash = $2, token_expires_at = $3, c_nonce = $4
             WHERE pre_authorized_code = $1 AND access_token_hash IS NULL
               AND completed_at IS NULL AND expires_at > $5",
        )
        .bind(code.to_string())
        .bind(grant.token_hash.to_string())
        .bind(time_to_db(grant.token_expires_at))
        .bind(grant.c_nonce.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The exchange an access token (by its hash) was given for.
    pub async fn exchange_of_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<TokenHolder>, StorageError> {
        let row = sqlx::query(
            "SELECT id, token_expires_at, c_nonce FROM wallet_exchanges
             WHERE access_token_hash = $1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(token_expires_at) = opt_time_from_db(row.try_get("token_expires_at")?)? else {
            return Err(StorageError::Corrupt(
                "a wallet exchange has a token without an expiry".into(),
            ));
        };
        Ok(Some(TokenHolder {
            exchange: row.try_get("id")?,
            token_expires_at,
            c_nonce: row.try_get("c_nonce")?,
        }))
    }

    /// Replaces the nonce of exchange `id` (after a proof carried a wrong one).
    pub async fn renew_c_nonce(&self, id: &str, c_nonce: &str) -> Result<(), StorageError> {
        sqlx::query("UPDATE wallet_exchanges SET c_nonce = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(c_nonce.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
