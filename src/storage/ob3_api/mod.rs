//! The Open Badges 3.0 API's OAuth 2.0 state: registered platforms and pending authorization
//! requests (`clients.rs`), the trainers' grants (`grants.rs`), codes and tokens (`tokens.rs`).
//! Secrets are stored as their SHA-256 only; every time comes from the caller (the app's clock).

mod clients;
mod grants;
mod tokens;

pub use clients::{NewPending, StoredClient, StoredPending};
pub use grants::StoredGrant;
pub use tokens::{CodeUse, NewCode, NewOAuthToken, StoredCode, StoredOAuthToken, TokenKind};
