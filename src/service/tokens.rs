//! API tokens: shown once, stored as a hash, revoked for good.

use chrono::{DateTime, Utc};

use super::{Insigne, ServiceError};
use crate::auth::secrets::{hash_secret, looks_like_token, new_token_secret};
use crate::auth::{ApiToken, Scope};
use crate::domain::{Invalid, TokenId};
use crate::storage::{Store, StoredToken};

/// The longest label a token may carry.
pub const TOKEN_LABEL_MAX: usize = 200;

/// A token just made: its id, and the token itself, which is never seen again.
pub struct NewToken {
    pub id: TokenId,
    pub secret: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .field("secret", &"***")
            .finish()
    }
}

/// What revoking a token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRevocation {
    Revoked,
    /// It was revoked already; its first revocation date stands.
    AlreadyRevoked,
}

/// What the audit log says of a token made: its scope and label, never the token.
pub fn token_audit_detail(scope: Scope, label: Option<&str>) -> String {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(label) => format!("{}: {label}", scope.as_str()),
        None => scope.as_str().to_string(),
    }
}

impl Insigne {
    /// Creates a token and returns it; this is the only time it can be seen.
    pub async fn create_token(
        &self,
        scope: Scope,
        label: Option<&str>,
    ) -> Result<String, ServiceError> {
        create_token(&self.store, scope, label, self.clock.now()).await
    }

    /// Creates a token; its secret in the answer is the only time it can be seen.
    pub async fn issue_token(
        &self,
        scope: Scope,
        label: Option<&str>,
    ) -> Result<NewToken, ServiceError> {
        issue_token(&self.store, scope, label, self.clock.now()).await
    }

    /// The token behind a bearer credential, if it is known and live.
    pub async fn authenticate(&self, token: &str) -> Result<Option<ApiToken>, ServiceError> {
        if !looks_like_token(token) {
            return Ok(None);
        }
        Ok(self.store.find_token(&hash_secret(token)).await?)
    }

    /// Every token, revoked ones included, the newest first; never a token or its hash.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, ServiceError> {
        list_tokens(&self.store).await
    }

    pub async fn token(&self, id: TokenId) -> Result<StoredToken, ServiceError> {
        self.store
            .token(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("token", id))
    }

    /// Revokes a token: from now on it authenticates nothing.
    pub async fn revoke_token(&self, id: TokenId) -> Result<TokenRevocation, ServiceError> {
        revoke_token(&self.store, id, self.clock.now()).await
    }
}

/// Creates a token and returns it; this is the only time it can be seen. Needs only the store, so
/// that `insigne tokens create` works without the keys.
pub async fn create_token(
    store: &Store,
    scope: Scope,
    label: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    Ok(issue_token(store, scope, label, now).await?.secret)
}

/// Creates a token, with a label of at most `TOKEN_LABEL_MAX` characters (blank: none).
pub async fn issue_token(
    store: &Store,
    scope: Scope,
    label: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewToken, ServiceError> {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    if label.is_some_and(|l| l.chars().count() > TOKEN_LABEL_MAX) {
        return Err(Invalid::one("label", format!("at most {TOKEN_LABEL_MAX} characters")).into());
    }
    let token = NewToken {
        id: TokenId::random(),
        secret: new_token_secret(),
    };
    store
        .insert_token(token.id, &hash_secret(&token.secret), scope, label, now)
        .await?;
    Ok(token)
}

pub async fn list_tokens(store: &Store) -> Result<Vec<StoredToken>, ServiceError> {
    Ok(store.tokens().await?)
}

/// Revokes a token; `NotFound` when no token has this id.
pub async fn revoke_token(
    store: &Store,
    id: TokenId,
    now: DateTime<Utc>,
) -> Result<TokenRevocation, ServiceError> {
    if store.revoke_token(id, now).await? {
        return Ok(TokenRevocation::Revoked);
    }
    match store.token(id).await? {
        Some(_) => Ok(TokenRevocation::AlreadyRevoked),
        None => Err(ServiceError::not_found("token", id)),
    }
}
