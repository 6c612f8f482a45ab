//! API tokens: shown once, stored as a hash.

use super::{Insigne, ServiceError};
use crate::auth::secrets::{hash_secret, looks_like_token, new_token_secret};
use crate::auth::{ApiToken, Scope};
use crate::domain::TokenId;
use crate::storage::Store;

impl Insigne {
    /// Creates a token and returns it; this is the only time it can be seen.
    pub async fn create_token(
        &self,
        scope: Scope,
        label: Option<&str>,
    ) -> Result<String, ServiceError> {
        create_token(&self.store, scope, label, self.clock.now()).await
    }

    /// The token behind a bearer credential, if it is known and live.
    pub async fn authenticate(&self, token: &str) -> Result<Option<ApiToken>, ServiceError> {
        if !looks_like_token(token) {
            return Ok(None);
        }
        Ok(self.store.find_token(&hash_secret(token)).await?)
    }
}

/// Creates a token and returns it; this is the only time it can be seen. Needs only the store, so
/// that `insigne tokens create` works without the keys.
pub async fn create_token(
    store: &Store,
    scope: Scope,
    label: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ServiceError> {
    let token = new_token_secret();
    store
        .insert_token(TokenId::random(), &hash_secret(&token), scope, label, now)
        .await?;
    Ok(token)
}
