//! A trainer's grants to platforms, the authorization codes and the access and refresh tokens
//! issued under them. A token works while it, and its grant, are neither revoked nor expired.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::storage::{time_from_db, time_to_db, StorageError, Store};

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }

    fn parse(text: &str) -> Result<Self, StorageError> {
        match text {
            "access" => Ok(TokenKind::Access),
            "refresh" => Ok(TokenKind::Refresh),
            other => Err(StorageError::Corrupt(format!(
                "unknown token kind {other:?}"
            ))),
        }
    }
}

/// A code to store at the trainer's consent.
#[derive(Debug, Clone)]
pub struct NewCode {
    pub code_hash: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub family: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored code, as the token endpoint checks it.
#[derive(Debug, Clone)]
pub struct StoredCode {
    pub grant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub family: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// What using a code found.
#[derive(Debug, Clone)]
pub enum CodeUse {
    /// Never used before: it is used now.
    Fresh(StoredCode),
    /// Used already: whoever holds it now is not who it was meant for.
    Replayed(StoredCode),
    Unknown,
}

/// A token to store (its hash only).
#[derive(Debug, Clone)]
pub struct NewOAuthToken {
    pub token_hash: String,
    pub kind: TokenKind,
    /// What it allows (an access token may have less than its grant).
    pub scope: String,
    pub expires_at: DateTime<Utc>,
}

/// A live token, as a request authenticated by it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOAuthToken {
    pub kind: TokenKind,
    pub grant_id: String,
    pub client_id: String,
    pub family: String,
    pub email: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
}

fn code_from_row(row: &AnyRow) -> Result<StoredCode, StorageError> {
    Ok(StoredCode {
        grant_id: row.try_get("grant_id")?,
        client_id: row.try_get("client_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        code_challenge: row.try_get("code_challenge")?,
        family: row.try_get("family")?,
        email: row.try_get("email")?,
        expires_at: time_from_db(&row.try_get::<String, _>("expires_at")?)?,
    })
}

impl Store {
    /// Records the trainer's consent: their live grant to this platform (made, or widened to
    /// the scope now given) and a code under it, in one transaction. Returns the grant's id.
    pub async fn consent_oauth(
        &self,
        code: &NewCode,
        new_grant_id: &str,
        granted_scope: impl Fn(Option<&str>) -> String,
    ) -> Result<String, StorageError> {
        let mut tx = self.pool.begin().await?;
        let now = time_to_db(code.created_at);
        let live = sqlx::query(
            "SELECT id, scope FROM oauth_grants
             WHERE client_id = $1 AND email = $2 AND revoked_at IS NULL ORDER BY created_at LIMIT 1",
        )
        .bind(code.client_id.clone())
        .bind(code.email.clone())
        .fetch_optional(&mut *tx)
        .await?;
        let grant_id = match live {
            Some(row) => {
                let id: String = row.try_get("id")?;
                let scope: String = row.try_get("scope")?;
                sqlx::query("UPDATE oauth_grants SET scope = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.clone())
                    .bind(granted_scope(Some(&scope)))
                    .bind(now.clone())
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                sqlx::query(
                    "INSERT INTO oauth_grants (id, client_id, email, scope, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind(new_grant_id.to_string())
                .bind(code.client_id.clone())
                .bind(code.email.clone())
                .bind(granted_scope(None))
                .bind(now.clone())
                .execute(&mut *tx)
                .await?;
                new_grant_id.to_string()
            }
        };
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, grant_id, client_id, redirect_uri, scope,
                                      code_challenge, family, email, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(code.code_hash.clone())
        .bind(grant_id.clone())
        .bind(code.client_id.clone())
        .bind(code.redirect_uri.clone())
        .bind(code.scope.clone())
        .bind(code.code_challenge.clone())
        .bind(code.family.clone())
        .bind(code.email.clone())
        .bind(now)
        .bind(time_to_db(code.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(grant_id)
    }

    /// Uses a code: the first use finds it fresh (whatever its expiry: the caller checks), any
    /// later one finds it replayed.
    pub async fn use_oauth_code(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<CodeUse, StorageError> {
        let Some(row) = sqlx::query(
            "SELECT grant_id, client_id, redirect_uri, scope, code_challenge, family, email,
                    expires_at, used_at
             FROM oauth_codes WHERE code_hash = $1",
        )
        .bind(code_hash.to_string())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(CodeUse::Unknown);
        };
        let code = code_from_row(&row)?;
        let done = sqlx::query(
            "UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
        )
        .bind(code_hash.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(if done.rows_affected() == 1 {
            CodeUse::Fresh(code)
        } else {
            CodeUse::Replayed(code)
        })
    }

    /// Stores tokens of one family under a grant, in one transaction; when `rotated` names a
    /// refresh token, it is revoked in the same transaction, and nothing is stored (false)
    /// unless it was still live: a refresh token is used once.
    pub async fn insert_oauth_tokens(
        &self,
        from: &StoredOAuthToken,
        tokens: &[NewOAuthToken],
        rotated: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let now = time_to_db(now);
        if let Some(old) = rotated {
            let done = sqlx::query(
                "UPDATE oauth_tokens SET revoked_at = $2
                 WHERE token_hash = $1 AND kind = 'refresh' AND revoked_at IS NULL",
            )
            .bind(old.to_string())
            .bind(now.clone())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
        }
        for token in tokens {
            sqlx::query(
                "INSERT INTO oauth_tokens (token_hash, kind, grant_id, client_id, family, email,
                                           scope, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(token.token_hash.clone())
            .bind(token.kind.as_str())
            .bind(from.grant_id.clone())
            .bind(from.client_id.clone())
            .bind(from.family.clone())
            .bind(from.email.clone())
            .bind(token.scope.clone())
            .bind(now.clone())
            .bind(time_to_db(token.expires_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The live token with this hash: not revoked, not expired, its grant not withdrawn.
    pub async fn oauth_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredOAuthToken>, StorageError> {
        let row = sqlx::query(
            "SELECT t.kind, t.grant_id, t.client_id, t.family, t.email, t.scope, t.expires_at
             FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
               AND g.revoked_at IS NULL",
        )
        .bind(token_hash.to_string())
        .bind(time_to_db(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredOAuthToken {
                kind: TokenKind::parse(&r.try_get::<String, _>("kind")?)?,
                grant_id: r.try_get("grant_id")?,
                client_id: r.try_get("client_id")?,
                family: r.try_get("family")?,
                email: r.try_get("email")?,
                scope: r.try_get("scope")?,
                expires_at: time_from_db(&r.try_get::<String, _>("expires_at")?)?,
            })
        })
        .transpose()
    }

    /// Revokes every token of a family (a refresh token's revocation, a code's replay).
    pub async fn revoke_oauth_family(
        &self,
        family: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL",
        )
        .bind(family.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Revokes one token, if it is the client's (RFC 7009: another client's token is left).
    pub async fn revoke_oauth_token(
        &self,
        token_hash: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $3
             WHERE token_hash = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(token_hash.to_string())
        .bind(client_id.to_string())
        .bind(time_to_db(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
