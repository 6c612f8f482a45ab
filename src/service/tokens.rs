//! API tokens: shown once, stored as a hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Insigne, ServiceError};
use crate::domain::TokenId;
use crate::storage::{Scope, Store, StoredToken};

const TOKEN_PREFIX: &str = "insigne_";

/// A new random token (256 bits).
pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
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

    /// The token behind a bearer credential, if it is known and live.
    pub async fn authenticate(&self, token: &str) -> Result<Option<StoredToken>, ServiceError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        Ok(self.store.find_token(&hash_token(token)).await?)
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
        .insert_token(TokenId::random(), &hash_token(&token), scope, label, now)
        .await?;
    Ok(token)
}
