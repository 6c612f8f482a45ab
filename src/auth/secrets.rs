//! Secrets handed out once (API tokens, sign-in links, sessions) and what is kept of them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Every API token starts with it, so that a leaked one is recognisable (and cheap to refuse).
pub const TOKEN_PREFIX: &str = "insigne_";

/// A new random API token (256 bits).
pub fn new_token_secret() -> String {
    let bytes = crate::domain::ids::random_bytes::<32>();
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A new random secret for a link or a session cookie (256 bits).
pub fn new_link_secret() -> String {
    URL_SAFE_NO_PAD.encode(crate::domain::ids::random_bytes::<32>())
}

/// What the database keeps of a secret: its SHA-256, in hex.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether `token` could be an API token at all (before any lookup).
pub fn looks_like_token(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX) && token.len() <= 200
}
