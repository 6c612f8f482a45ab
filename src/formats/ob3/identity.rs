//! Issuer identity in OB 3.0: a did:web per issuer (the default), or did:key for verification
//! with no server at all. The DID, its verification methods and its DID document.

use serde_json::{json, Value};

use crate::domain::IssuerId;
use crate::formats::contexts::{DID_V1, MULTIKEY_V1};
use crate::formats::PublicUrls;

/// How issuers are identified in OB 3.0 credentials (`INSIGNE_DID_METHOD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DidMethod {
    /// `did:web:<host>:issuers:<id>`, its document served by insigne; keys can rotate.
    #[default]
    Web,
    /// `did:key` of the Ed25519 key that signs: verifiable offline; a rotation changes the
    /// issuer's id for the credentials issued after it.
    Key,
}

impl std::str::FromStr for DidMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "web" => Ok(DidMethod::Web),
            "key" => Ok(DidMethod::Key),
            other => Err(format!("{other:?} is neither web nor key")),
        }
    }
}

/// `did:web:` for a URL: the host (port percent-encoded) then each path segment.
pub fn did_web(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    let mut did = format!("did:web:{host}");
    if let Some(port) = u.port() {
        did.push_str(&format!("%3A{port}"));
    }
    for segment in u.path_segments()?.filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    Some(did)
}

/// The did:web of an issuer; its document is at `{issuer URL}/did.json`.
pub fn issuer_did_web(urls: &PublicUrls, issuer: IssuerId) -> Option<String> {
    did_web(&urls.issuer(issuer))
}

/// One public key of the issuer's DID document.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// An Ed25519 key, as `publicKeyMultibase` (`z6Mk…`).
    Ed25519 { kid: String, multibase: String },
    /// An RSA key, as a public JWK.
    Rsa { kid: String, jwk: Value },
}

/// The did:web DID document: every key, retired ones included (what they signed keeps
/// verifying), all of them usable for `assertionMethod`.
pub fn did_document(did: &str, keys: &[PublicKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| match k {
            PublicKey::Ed25519 { kid, multibase } => json!({
                "id": format!("{did}#{kid}"),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }),
            PublicKey::Rsa { kid, jwk } => json!({
                "id": format!("{did}#{kid}"),
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk,
            }),
        })
        .collect();
    let ids: Vec<Value> = methods.iter().map(|m| m["id"].clone()).collect();
    json!({
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_encodes_port_and_path() {
        assert_eq!(
            did_web("http://localhost:8080/issuers/42").as_deref(),
            Some("did:web:localhost%3A8080:issuers:42")
        );
        assert_eq!(
            did_web("https://badges.ac-versailles.fr/insigne/issuers/42").as_deref(),
            Some("did:web:badges.ac-versailles.fr:insigne:issuers:42")
        );
        assert_eq!("key".parse(), Ok(DidMethod::Key));
        assert!("plc".parse::<DidMethod>().is_err());
    }
}
