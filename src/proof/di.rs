//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa): the document
//! and the proof configuration are canonicalised (RDFC-1.0), hashed with SHA-256, and the
//! concatenated hashes (proof first) signed with Ed25519; `proofValue` is base58btc multibase.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::canon::{canonical_nquads, CanonError};
use crate::domain::clock::rfc3339;

pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The proofs this module verifies. They differ only in name: `eddsa-2022` is the draft name of
/// `eddsa-rdfc-2022`, and `Ed25519Signature2020` (VCDM 1.1 era) hashes and signs the same
/// canonical proof options and document the same way (SHA-256 of each, proof first, Ed25519,
/// base58btc multibase). insigne signs only with eddsa-rdfc-2022.
pub fn suite_of(proof: &Map<String, Value>) -> Option<&'static str> {
    match (
        proof.get("type").and_then(Value::as_str),
        proof.get("cryptosuite").and_then(Value::as_str),
    ) {
        (Some("DataIntegrityProof"), Some(CRYPTOSUITE)) => Some(CRYPTOSUITE),
        (Some("DataIntegrityProof"), Some("eddsa-2022")) => Some("eddsa-2022"),
        (Some("Ed25519Signature2020"), None) => Some("Ed25519Signature2020"),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiError {
    #[error(transparent)]
    Canon(#[from] CanonError),
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("the document has no proof")]
    NoProof,
    #[error("the proof is not eddsa-rdfc-2022, eddsa-2022 or Ed25519Signature2020")]
    UnsupportedProof,
    #[error("proofValue is not a base58btc multibase Ed25519 signature")]
    BadProofValue,
    #[error("the signature does not verify")]
    BadSignature,
}

/// The hashes that are signed: SHA-256 of the canonical proof configuration, then of the
/// canonical document (without proof).
pub fn hash_data(document: &Value, proof_config: &Value) -> Result<Vec<u8>, DiError> {
    let proof_hash = Sha256::digest(canonical_nquads(proof_config)?.as_bytes());
    let doc_hash = Sha256::digest(canonical_nquads(document)?.as_bytes());
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&proof_hash);
    out.extend_from_slice(&doc_hash);
    Ok(out)
}

/// The proof configuration: the proof without `proofValue`, under the document's `@context`.
pub fn proof_config(document: &Map<String, Value>, proof: &Map<String, Value>) -> Value {
    let mut config = proof.clone();
    config.remove("proofValue");
    if let Some(ctx) = document.get("@context") {
        config.insert("@context".into(), ctx.clone());
    }
    Value::Object(config)
}

/// Signs `document` (which has no `proof`), returning it with an embedded proof.
pub fn sign(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<Value, DiError> {
    let Value::Object(doc) = document else {
        return Err(DiError::NotAnObject);
    };
    let proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": rfc3339(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    let Value::Object(mut proof) = proof else {
        return Err(DiError::NotAnObject);
    };
    let data = hash_data(document, &proof_config(doc, &proof))?;
    let signature = key.sign(&data);
    proof.insert(
        "proofValue".into(),
        json!(format!(
            "z{}",
            bs58::encode(signature.to_bytes()).into_string()
        )),
    );
    let mut signed = doc.clone();
    signed.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(signed))
}

/// The embedded proof of `document` (one of the suites of [`suite_of`]), and the document
/// without it.
pub fn split_proof(document: &Value) -> Result<(Value, Map<String, Value>), DiError> {
    let Value::Object(doc) = document else {
        return Err(DiError::NotAnObject);
    };
    let mut unsigned = doc.clone();
    let proof = match unsigned.remove("proof") {
        Some(Value::Object(p)) => p,
        Some(Value::Array(mut list)) if list.len() == 1 => match list.pop() {
            Some(Value::Object(p)) => p,
            _ => return Err(DiError::UnsupportedProof),
        },
        Some(_) => return Err(DiError::UnsupportedProof),
        None => return Err(DiError::NoProof),
    };
    if suite_of(&proof).is_none() {
        return Err(DiError::UnsupportedProof);
    }
    Ok((Value::Object(unsigned), proof))
}

/// Checks the embedded proof of `document` against `key`.
pub fn verify(document: &Value, key: &VerifyingKey) -> Result<(), DiError> {
    let (unsigned, proof) = split_proof(document)?;
    let Value::Object(doc) = &unsigned else {
        return Err(DiError::NotAnObject);
    };
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        // 64 bytes are at most 88 base58 characters: a longer value is refused before base58
        // decoding, whose cost grows with the square of the length.
        .filter(|v| v.len() <= MAX_PROOF_VALUE_CHARS)
        .and_then(|v| v.strip_prefix('z'))
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(DiError::BadProofValue)?;
    let data = hash_data(&unsigned, &proof_config(doc, &proof))?;
    // Strict: no small-order key, no non-canonical signature (RFC 8032 §5.1.7).
    key.verify_strict(&data, &ed25519_dalek::Signature::from_bytes(&value))
        .map_err(|_| DiError::BadSignature)
}

/// `z` + base58btc(0xed01 ‖ key): the Multikey `publicKeyMultibase` of an Ed25519 key (also the
/// method-specific id of its did:key).
pub fn ed25519_multibase(key: &VerifyingKey) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The longest `proofValue` read: `z` and the base58 of 64 bytes (at most 88 characters).
pub const MAX_PROOF_VALUE_CHARS: usize = 90;
/// The longest `publicKeyMultibase` read: `z` and the base58 of 34 bytes (at most 47).
pub const MAX_MULTIBASE_KEY_CHARS: usize = 50;

/// The Ed25519 key of a `z6Mk…` multibase value; none for a longer value (refused before
/// decoding) or a weak (small-order) key.
pub fn ed25519_from_multibase(value: &str) -> Option<VerifyingKey> {
    if value.len() > MAX_MULTIBASE_KEY_CHARS {
        return None;
    }
    let bytes = bs58::decode(value.strip_prefix('z')?).into_vec().ok()?;
    let raw: [u8; 32] = bytes.strip_prefix(&[0xed, 0x01])?.try_into().ok()?;
    VerifyingKey::from_bytes(&raw).ok().filter(|k| !k.is_weak())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_KEY: &str =
        include_str!("../../tests/fixtures/test-vectors/1edtech-ldp-testvector-key.json");
    const VECTOR_SIGNED: &str =
        include_str!("../../tests/fixtures/test-vectors/1edtech-ldp-testvector-signed.json");
    const VECTOR_DOCUMENT_CANON: &str =
        include_str!("../../tests/fixtures/test-vectors/document-canon.txt");
    const VECTOR_PROOF_CANON: &str =
        include_str!("../../tests/fixtures/test-vectors/proof-canon.txt");

    fn vector() -> (Value, Value) {
        (
            serde_json::from_str(VECTOR_KEY).expect("key json"),
            serde_json::from_str(VECTOR_SIGNED).expect("signed json"),
        )
    }

    #[test]
    fn reproduces_the_1edtech_test_vector_byte_for_byte() {
        let (key, signed) = vector();
        let (unsigned, proof) = split_proof(&signed).expect("proof");
        let Value::Object(doc) = &unsigned else {
            panic!("object")
        };
        let config = proof_config(doc, &proof);

        let doc_canon = canonical_nquads(&unsigned).expect("document canon");
        let proof_canon = canonical_nquads(&config).expect("proof canon");
        assert_eq!(doc_canon, VECTOR_DOCUMENT_CANON);
        assert_eq!(proof_canon, VECTOR_PROOF_CANON);
        assert_eq!(
            hex::encode(Sha256::digest(doc_canon.as_bytes())),
            key["documentHashHex"]
        );
        assert_eq!(
            hex::encode(Sha256::digest(proof_canon.as_bytes())),
            key["proofHashHex"]
        );

        let seed = hex::decode(&key["privateKeyHex_seed_plus_pub"].as_str().expect("hex")[..64])
            .expect("seed");
        let signing = SigningKey::from_bytes(&seed.try_into().expect("32 bytes"));
        assert_eq!(
            ed25519_multibase(&signing.verifying_key()),
            key["publicKeyMultibase"]
        );
        let created: DateTime<Utc> = proof["created"]
            .as_str()
            .expect("created")
            .parse()
            .expect("date");
        let resigned = sign(
            &unsigned,
            &signing,
            proof["verificationMethod"].as_str().expect("vm"),
            created,
        )
        .expect("sign");
        assert_eq!(resigned["proof"]["proofValue"], key["proofValue"]);
        assert_eq!(resigned["proof"], signed["proof"]);
        verify(&signed, &signing.verifying_key()).expect("the published credential verifies");
    }

    #[test]
    fn any_change_to_a_signed_document_fails() {
        let (key, signed) = vector();
        let public =
            ed25519_from_multibase(key["publicKeyMultibase"].as_str().expect("mb")).expect("key");
        let mut changed = signed.clone();
        changed["name"] = json!("Teamwork Badge!");
        assert_eq!(verify(&changed, &public), Err(DiError::BadSignature));
        let mut changed = signed.clone();
        changed["proof"]["created"] = json!("2010-01-01T19:23:25Z");
        assert_eq!(verify(&changed, &public), Err(DiError::BadSignature));
        let mut changed = signed.clone();
        changed["proof"]["proofValue"] = json!("zzz");
        assert_eq!(verify(&changed, &public), Err(DiError::BadProofValue));
        let mut unknown = signed;
        unknown["@context"][1] = json!("https://example.org/not-vendored.jsonld");
        assert!(matches!(verify(&unknown, &public), Err(DiError::Canon(_))));
    }
}
