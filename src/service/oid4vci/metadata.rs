//! What a wallet reads before it asks for anything: the credential issuer's and the
//! authorization server's metadata, and the credential offer of an exchange.

use serde_json::{json, Value};

use super::{CONFIGURATION_JWT, CONFIGURATION_LDP, PRE_AUTHORIZED_GRANT};
use crate::formats::contexts::{CREDENTIALS_V2, OB_V3P0};
use crate::service::wallets::deliverable;
use crate::service::{Insigne, WalletError};

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
}
