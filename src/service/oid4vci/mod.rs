//! OpenID for Verifiable Credential Issuance, pre-authorized code flow: the way wallets other
//! than the Learner Credential Wallet take a badge from its exchange. Both OpenID4VCI 1.0 and
//! draft 13 (which most deployed wallets still speak) are understood.
//!
//! The offer of an exchange carries its pre-authorized code; the code is traded once for an
//! access token (only its SHA-256 kept) and a nonce; the credential endpoint takes the token
//! and a key proof over the nonce, and delivers the badge issued to the proven key's DID,
//! once (`Insigne::deliver`). No transaction code (`tx_code`) is asked: the offer is shown only
//! to the signed-in trainer, on their own page, and works once, for 15 minutes; a second
//! factor typed into the wallet would add nothing the sign-in did not already prove.

mod metadata;
mod nonce;
mod request;

use serde::Deserialize;
use serde_json::Value;

use super::wallets::deliverable;
use super::{Insigne, ServiceError, WalletError};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::proof::holder_proof::{verify_key_proof, HolderProofError};
use crate::storage::{TokenGrant, TokenHolder, WalletExchange};
use request::{proof_jwt, requested};

/// The grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// The configuration of the badge as a VC-JWT.
pub const CONFIGURATION_JWT: &str = "OpenBadgeCredential_jwt_vc_json";
/// The configuration of the badge with its Data Integrity proof.
pub const CONFIGURATION_LDP: &str = "OpenBadgeCredential_ldp_vc";
/// How long a nonce from the nonce endpoint may be used, seconds.
pub const NONCE_SECONDS: i64 = 300;

/// The two forms a badge takes in a wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialForm {
    /// `jwt_vc_json`: the VC-JWT (RS256).
    VcJwt,
    /// `ldp_vc`: the credential with its eddsa-rdfc-2022 proof.
    DataIntegrity,
}

impl CredentialForm {
    pub fn format(self) -> &'static str {
        match self {
            CredentialForm::VcJwt => "jwt_vc_json",
            CredentialForm::DataIntegrity => "ldp_vc",
        }
    }
}

/// Which version's credential request came, and so which response shape it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestShape {
    /// OpenID4VCI 1.0: `credential_configuration_id`, `proofs`; `{"credentials": [...]}` back.
    Final,
    /// Draft 13: `format` and `credential_definition`, `proof`; `{"credential": ...}` back.
    Draft13,
}

/// A nonce handed to a wallet, with how long it may be used (seconds).
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce {
    pub value: String,
    pub expires_in: i64,
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nonce")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Why a wallet gets no token or no credential: the OAuth 2.0 and OpenID4VCI error codes.
#[derive(Debug, thiserror::Error)]
pub enum Oid4vciError {
    #[error("only the pre-authorized code grant ({PRE_AUTHORIZED_GRANT}) is offered")]
    UnsupportedGrantType,
    #[error("{0}")]
    InvalidRequest(String),
    /// The code is unknown, used, expired, or its badge can no longer be delivered.
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    InvalidToken(&'static str),
    #[error("{0}")]
    InvalidCredentialRequest(String),
    #[error("no credential configuration {0:?}; this issuer offers {CONFIGURATION_JWT} and {CONFIGURATION_LDP}")]
    UnknownConfiguration(String),
    #[error("no credential identifier {0:?} was given with the token")]
    UnknownIdentifier(String),
    #[error("the format {0:?} is not offered; jwt_vc_json and ldp_vc are")]
    UnsupportedFormat(String),
    #[error("only OpenBadgeCredential is offered")]
    UnsupportedType,
    /// The key proof is missing or proves nothing; the nonce to sign, for draft 13 wallets.
    #[error("{why}")]
    InvalidProof { why: String, c_nonce: Option<Nonce> },
    /// The key proof carries no nonce this service gave out; a fresh one.
    #[error("the key proof's nonce is not a current one; sign this c_nonce")]
    InvalidNonce { c_nonce: Nonce },
    /// The badge is revoked or expired: no wallet receives it.
    #[error("{0}")]
    Denied(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::storage::StorageError> for Oid4vciError {
    fn from(e: crate::storage::StorageError) -> Self {
        Oid4vciError::Service(e.into())
    }
}

/// What the token endpoint hands out. The token is shown once: `Debug` leaves it out.
#[derive(Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub c_nonce: Nonce,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A credential request as either version sends it; what is not read is ignored.
#[derive(Debug, Default, Deserialize)]
pub struct CredentialRequest {
    pub credential_configuration_id: Option<String>,
    pub credential_identifier: Option<String>,
    pub format: Option<String>,
    pub credential_definition: Option<Value>,
    /// Draft 11's place for the types, still sent by some wallets beside `format`.
    pub types: Option<Value>,
    pub proof: Option<Value>,
    pub proofs: Option<Value>,
}

/// A delivered credential, as the credential endpoint answers it.
#[derive(Debug, Clone)]
pub struct IssuedCredential {
    pub form: CredentialForm,
    pub shape: RequestShape,
    /// The VC-JWT as a string, or the Data Integrity credential.
    pub credential: Value,
    /// For a draft 13 wallet that would ask again.
    pub c_nonce: Option<Nonce>,
}

impl Insigne {
    /// The token endpoint: a pre-authorized code traded, once, for an access token that lasts
    /// until the exchange expires, and the nonce its key proof must carry.
    pub async fn oid4vci_token(
        &self,
        grant_type: Option<&str>,
        code: Option<&str>,
    ) -> Result<IssuedToken, Oid4vciError> {
        match grant_type {
            Some(PRE_AUTHORIZED_GRANT) => {}
            Some(_) => return Err(Oid4vciError::UnsupportedGrantType),
            None => return Err(Oid4vciError::InvalidRequest("grant_type is missing".into())),
        }
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Oid4vciError::InvalidRequest("pre-authorized_code is missing".into()))?;
        let unknown = || Oid4vciError::InvalidGrant("this pre-authorized code is not valid".into());
        let offered = self
            .store
            .exchange_of_code(code)
            .await?
            .ok_or_else(unknown)?;
        if offered.token_issued {
            return Err(Oid4vciError::InvalidGrant(
                "this pre-authorized code has been used".into(),
            ));
        }
        let exchange = self
            .open_wallet_exchange(&offered.exchange)
            .await
            .map_err(|e| match e {
                WalletError::Service(e) => Oid4vciError::Service(e),
                other => Oid4vciError::InvalidGrant(other.to_string()),
            })?;
        let stored = self.award(exchange.award).await?;
        let now = self.clock.now();
        deliverable(&stored.award, now).map_err(|e| Oid4vciError::InvalidGrant(e.to_string()))?;
        let access_token = new_link_secret();
        let c_nonce = new_link_secret();
        let grant = TokenGrant {
            token_hash: &hash_secret(&access_token),
            token_expires_at: exchange.expires_at,
            c_nonce: &c_nonce,
        };
        if !self.store.grant_oid4vci_token(code, &grant, now).await? {
            return Err(Oid4vciError::InvalidGrant(
                "this pre-authorized code has been used".into(),
            ));
        }
        let expires_in = (exchange.expires_at - now).num_seconds().max(1);
        Ok(IssuedToken {
            access_token,
            expires_in,
            c_nonce: Nonce {
                value: c_nonce,
                expires_in,
            },
        })
    }

    /// The credential endpoint: the bearer of `token` proves a key, and receives the badge of
    /// its exchange issued to that key's DID, once.
    pub async fn oid4vci_credential(
        &self,
        token: &str,
        request: &CredentialRequest,
    ) -> Result<IssuedCredential, Oid4vciError> {
        let (holder, exchange) = self.token_exchange(token).await?;
        let (form, shape) = requested(request)?;
        let current = holder.c_nonce.as_ref().map(|value| Nonce {
            value: value.clone(),
            expires_in: (holder.token_expires_at - self.clock.now())
                .num_seconds()
                .max(1),
        });
        let invalid = |why: String| Oid4vciError::InvalidProof {
            why,
            c_nonce: current.clone(),
        };
        let jwt = proof_jwt(request).map_err(invalid)?;
        let proven = verify_key_proof(&jwt, self.urls.base(), self.clock.now())
            .map_err(|e: HolderProofError| invalid(e.to_string()))?;
        let Some(nonce) = proven.nonce.as_deref() else {
            return Err(invalid(
                "the key proof carries no nonce; sign the c_nonce given".into(),
            ));
        };
        let ours = holder.c_nonce.as_deref() == Some(nonce) || self.is_own_nonce(nonce);
        if !ours {
            let fresh = new_link_secret();
            self.store.renew_c_nonce(&exchange.id, &fresh).await?;
            return Err(Oid4vciError::InvalidNonce {
                c_nonce: Nonce {
                    value: fresh,
                    expires_in: (holder.token_expires_at - self.clock.now())
                        .num_seconds()
                        .max(1),
                },
            });
        }
        // Made before the delivery, which nothing may fail after: the credential is issued once.
        let next_nonce = match shape {
            RequestShape::Draft13 => Some(self.fresh_c_nonce()?),
            RequestShape::Final => None,
        };
        let delivered = self
            .deliver(&exchange, "oid4vci", &proven.did)
            .await
            .map_err(|e| match e {
                WalletError::Used => {
                    Oid4vciError::InvalidToken("this token's credential has been delivered")
                }
                WalletError::Expired => Oid4vciError::InvalidToken("this token has expired"),
                WalletError::Unknown => Oid4vciError::InvalidToken("this token is not valid"),
                WalletError::NotDeliverable(_) => Oid4vciError::Denied(e.to_string()),
                WalletError::Service(e) => Oid4vciError::Service(e),
                // What only the other protocol, or the trainer's page, runs into.
                other => Oid4vciError::InvalidCredentialRequest(other.to_string()),
            })?;
        let credential = match form {
            CredentialForm::VcJwt => Value::String(delivered.jwt),
            CredentialForm::DataIntegrity => delivered.credential,
        };
        Ok(IssuedCredential {
            form,
            shape,
            credential,
            c_nonce: next_nonce,
        })
    }

    /// The open exchange `token` was given for.
    async fn token_exchange(
        &self,
        token: &str,
    ) -> Result<(TokenHolder, WalletExchange), Oid4vciError> {
        let invalid = || Oid4vciError::InvalidToken("this token is not valid");
        if token.is_empty() || token.len() > 200 {
            return Err(invalid());
        }
        let holder = self
            .store
            .exchange_of_token(&hash_secret(token))
            .await?
            .ok_or_else(invalid)?;
        if holder.token_expires_at <= self.clock.now() {
            return Err(Oid4vciError::InvalidToken("this token has expired"));
        }
        let exchange = self
            .open_wallet_exchange(&holder.exchange)
            .await
            .map_err(|e| match e {
                WalletError::Used => {
                    Oid4vciError::InvalidToken("this token's credential has been delivered")
                }
                WalletError::Expired => Oid4vciError::InvalidToken("this token has expired"),
                WalletError::Service(e) => Oid4vciError::Service(e),
                _ => invalid(),
            })?;
        Ok((holder, exchange))
    }
}
