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

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::wallets::deliverable;
use super::{Insigne, ServiceError, WalletError};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::formats::contexts::{CREDENTIALS_V2, OB_V3P0};
use crate::proof::holder_proof::{verify_key_proof, HolderProofError};
use crate::proof::KeyAlgorithm;
use crate::storage::{TokenGrant, TokenHolder, WalletExchange};

/// The grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// The configuration of the badge as a VC-JWT.
pub const CONFIGURATION_JWT: &str = "OpenBadgeCredential_jwt_vc_json";
/// The configuration of the badge with its Data Integrity proof.
pub const CONFIGURATION_LDP: &str = "OpenBadgeCredential_ldp_vc";
/// How long a nonce from the nonce endpoint may be used, seconds.
pub const NONCE_SECONDS: i64 = 300;

/// What the service is called in a wallet, by language.
const SERVICE_NAMES: [(&str, &str); 2] = [
    (
        "fr",
        "Badges de la formation des formateurs — académie de Versailles",
    ),
    ("en", "Teacher-trainer badges — académie de Versailles"),
];
/// What a badge is called in a wallet, by language.
const CREDENTIAL_NAMES: [(&str, &str); 2] = [
    ("fr", "Open Badge de l'académie de Versailles"),
    ("en", "Open Badge of the académie de Versailles"),
];
/// What a nonce of the nonce endpoint signs, before its expiry and randomness.
const NONCE_PURPOSE: &[u8] = b"insigne oid4vci c_nonce v1.";

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
    pub c_nonce: Nonce,
}

impl Insigne {
    /// The credential issuer metadata (`/.well-known/openid-credential-issuer`), readable by
    /// 1.0 and draft 13 wallets: where both versions put a thing differently, it is in both
    /// places (unknown members are ignored by either).
    pub fn credential_issuer_metadata(&self) -> Value {
        let base = self.urls.base();
        let display = |names: &[(&str, &str)]| -> Vec<Value> {
            names
                .iter()
                .map(|(locale, name)| json!({"name": name, "locale": locale}))
                .collect()
        };
        let binding = json!(["did:key", "did:jwk", "jwk"]);
        let proofs = json!({"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}});
        let types = json!(["VerifiableCredential", "OpenBadgeCredential"]);
        let configuration = |format: &str, algs: Value, definition: Value| {
            json!({
                "format": format,
                "cryptographic_binding_methods_supported": binding,
                "credential_signing_alg_values_supported": algs,
                "proof_types_supported": proofs,
                "credential_definition": definition,
                // Draft 13 reads display here; 1.0 under credential_metadata.
                "display": display(&CREDENTIAL_NAMES),
                "credential_metadata": {"display": display(&CREDENTIAL_NAMES)},
            })
        };
        json!({
            "credential_issuer": base,
            // This service is its own authorization server; draft 13 wallets may look for it
            // here, and some read the token endpoint straight from this document.
            "authorization_servers": [base],
            "token_endpoint": self.urls.oid4vci_token(),
            "credential_endpoint": self.urls.oid4vci_credential(),
            "nonce_endpoint": self.urls.oid4vci_nonce(),
            "display": display(&SERVICE_NAMES),
            "credential_configurations_supported": {
                CONFIGURATION_JWT: configuration(
                    "jwt_vc_json",
                    json!(["RS256"]),
                    json!({"type": types}),
                ),
                CONFIGURATION_LDP: configuration(
                    "ldp_vc",
                    json!(["eddsa-rdfc-2022"]),
                    json!({"@context": [CREDENTIALS_V2, OB_V3P0], "type": types}),
                ),
            },
        })
    }

    /// The OAuth 2.0 authorization server metadata (RFC 8414) of the pre-authorized code flow.
    pub fn oauth_server_metadata(&self) -> Value {
        json!({
            "issuer": self.urls.base(),
            "token_endpoint": self.urls.oid4vci_token(),
            "grant_types_supported": [PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true,
            "token_endpoint_auth_methods_supported": ["none"],
            "response_types_supported": [],
        })
    }

    /// The credential offer of exchange `id`, while a wallet may use it.
    pub async fn credential_offer(&self, id: &str) -> Result<Value, WalletError> {
        let exchange = self.open_wallet_exchange(id).await?;
        let stored = self.award(exchange.award).await?;
        deliverable(&stored.award, self.clock.now())?;
        let code = exchange
            .pre_authorized_code
            .as_deref()
            .ok_or(WalletError::Unknown)?;
        Ok(json!({
            "credential_issuer": self.urls.base(),
            "credential_configuration_ids": [CONFIGURATION_JWT, CONFIGURATION_LDP],
            "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code}},
        }))
    }

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

    /// A nonce of the nonce endpoint (1.0). It takes no token, so it belongs to no exchange:
    /// it is signed by this service and carries its expiry, and any replica recognises it
    /// without remembering it. Replaying one gains nothing: an exchange delivers once.
    pub fn fresh_c_nonce(&self) -> Result<Nonce, ServiceError> {
        let expires = self.clock.now().timestamp() + NONCE_SECONDS;
        let body = format!(
            "{expires}.{}",
            URL_SAFE_NO_PAD.encode(crate::domain::ids::random_bytes::<16>())
        );
        let mut message = NONCE_PURPOSE.to_vec();
        message.extend_from_slice(body.as_bytes());
        let (_, signature) = self.keys().sign_own_value(&message)?;
        Ok(Nonce {
            value: format!("n1.{body}.{}", URL_SAFE_NO_PAD.encode(signature)),
            expires_in: NONCE_SECONDS,
        })
    }

    /// Whether `nonce` is one of [`Self::fresh_c_nonce`]'s, still current.
    fn is_own_nonce(&self, nonce: &str) -> bool {
        let Some((body, signature)) = nonce
            .strip_prefix("n1.")
            .and_then(|rest| rest.rsplit_once('.'))
        else {
            return false;
        };
        let now = self.clock.now().timestamp();
        let current = body
            .split_once('.')
            .and_then(|(expires, _)| expires.parse::<i64>().ok())
            .is_some_and(|expires| expires > now && expires <= now + NONCE_SECONDS);
        let Some(signature) = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
        else {
            return false;
        };
        if !current {
            return false;
        }
        let mut message = NONCE_PURPOSE.to_vec();
        message.extend_from_slice(body.as_bytes());
        let signature = ed25519_dalek::Signature::from_bytes(&signature);
        let keys = self.keys();
        keys.kids(KeyAlgorithm::Ed25519).iter().any(|kid| {
            keys.ed25519_public(kid)
                .is_some_and(|key| key.verify_strict(&message, &signature).is_ok())
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
                WalletError::Refused(_) | WalletError::BadRequest(_) => {
                    Oid4vciError::InvalidCredentialRequest(e.to_string())
                }
                WalletError::Service(e) => Oid4vciError::Service(e),
            })?;
        let credential = match form {
            CredentialForm::VcJwt => Value::String(delivered.jwt),
            CredentialForm::DataIntegrity => delivered.credential,
        };
        Ok(IssuedCredential {
            form,
            shape,
            credential,
            c_nonce: self.fresh_c_nonce()?,
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

/// Which form a request asks for, and in which version's words.
fn requested(request: &CredentialRequest) -> Result<(CredentialForm, RequestShape), Oid4vciError> {
    if let Some(id) = &request.credential_configuration_id {
        let form = match id.as_str() {
            CONFIGURATION_JWT => CredentialForm::VcJwt,
            CONFIGURATION_LDP => CredentialForm::DataIntegrity,
            other => {
                return Err(Oid4vciError::UnknownConfiguration(
                    other.chars().take(80).collect(),
                ))
            }
        };
        return Ok((form, RequestShape::Final));
    }
    if let Some(id) = &request.credential_identifier {
        // The token response names no credential identifiers, so none can be asked for.
        return Err(Oid4vciError::UnknownIdentifier(
            id.chars().take(80).collect(),
        ));
    }
    let Some(format) = &request.format else {
        return Err(Oid4vciError::InvalidCredentialRequest(
            "name the credential: credential_configuration_id (OpenID4VCI 1.0) or format and \
             credential_definition (draft 13)"
                .into(),
        ));
    };
    let form = match format.as_str() {
        "jwt_vc_json" => CredentialForm::VcJwt,
        "ldp_vc" => CredentialForm::DataIntegrity,
        other => {
            return Err(Oid4vciError::UnsupportedFormat(
                other.chars().take(40).collect(),
            ))
        }
    };
    let types = request
        .credential_definition
        .as_ref()
        .and_then(|d| d.get("type").or_else(|| d.get("types")))
        .or(request.types.as_ref());
    if let Some(types) = types {
        let names_badge = match types {
            Value::Array(ts) => ts.iter().any(|t| t == "OpenBadgeCredential"),
            Value::String(t) => t == "OpenBadgeCredential",
            _ => false,
        };
        if !names_badge {
            return Err(Oid4vciError::UnsupportedType);
        }
    }
    Ok((form, RequestShape::Draft13))
}

/// The one JWT key proof of a request: `proofs.jwt[0]` (1.0) or `proof.jwt` (draft 13).
fn proof_jwt(request: &CredentialRequest) -> Result<String, String> {
    match (&request.proof, &request.proofs) {
        (Some(_), Some(_)) => Err("send proof or proofs, not both".into()),
        (None, None) => Err(
            "a key proof is required: sign the c_nonce with the key the \
                             badge is to be bound to"
                .into(),
        ),
        (Some(proof), None) => {
            let kind = proof.get("proof_type").and_then(Value::as_str);
            if kind != Some("jwt") {
                return Err(format!(
                    "the proof_type is {}; only jwt proofs are accepted",
                    kind.map_or("missing".to_string(), |k| format!("{k:?}"))
                ));
            }
            proof
                .get("jwt")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| "the proof has no jwt".into())
        }
        (None, Some(proofs)) => {
            let Some(proofs) = proofs.as_object() else {
                return Err("proofs is not an object".into());
            };
            if proofs.keys().any(|k| k != "jwt") {
                return Err("only jwt proofs are accepted".into());
            }
            match proofs
                .get("jwt")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([Value::String(jwt)]) => Ok(jwt.clone()),
                Some([_]) => Err("proofs.jwt holds something other than a JWT".into()),
                Some(_) => Err(
                    "one key proof exactly: this issuer delivers one credential \
                                per offer"
                        .into(),
                ),
                None => Err("proofs.jwt is not a list of JWTs".into()),
            }
        }
    }
}
