//! DID Authentication: a holder proves control of a DID by signing a Verifiable Presentation
//! that carries the verifier's challenge (VC-API exchanges, as the Learner Credential Wallet
//! answers them). Only `did:key` holders with an Ed25519 key are understood: their key is their
//! DID, so nothing needs resolving.

use serde_json::Value;

use super::di::{self, DiError};

/// Why a presentation does not prove its holder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresentationError {
    #[error("this is not a VerifiablePresentation")]
    NotAPresentation,
    #[error("the presentation names no holder")]
    NoHolder,
    #[error("the presentation is not signed by a did:key Ed25519 key ({0})")]
    NotDidKey(String),
    #[error("the presentation is signed by {signer}, not by its holder {holder}")]
    NotTheHolder { signer: String, holder: String },
    #[error("the proof's purpose is {0:?}, not \"authentication\"")]
    WrongPurpose(String),
    #[error("the proof does not carry this exchange's challenge")]
    WrongChallenge,
    #[error("the proof is for the domain {0:?}, not this service's")]
    WrongDomain(String),
    #[error(transparent)]
    Proof(#[from] DiError),
}

/// Checks that `presentation` is signed by its holder for `challenge` (and, when the proof names
/// one, for `domain`), and returns the holder's DID.
pub fn verify_did_auth(
    presentation: &Value,
    challenge: &str,
    domain: &str,
) -> Result<String, PresentationError> {
    let is_presentation = match &presentation["type"] {
        Value::String(t) => t == "VerifiablePresentation",
        Value::Array(types) => types.iter().any(|t| t == "VerifiablePresentation"),
        _ => false,
    };
    if !is_presentation {
        return Err(PresentationError::NotAPresentation);
    }
    let (_, proof) = di::split_proof(presentation)?;
    let text = |name: &str| proof.get(name).and_then(Value::as_str).unwrap_or_default();
    if text("proofPurpose") != "authentication" {
        return Err(PresentationError::WrongPurpose(text("proofPurpose").into()));
    }
    if text("challenge") != challenge || challenge.is_empty() {
        return Err(PresentationError::WrongChallenge);
    }
    match proof.get("domain") {
        None => {}
        Some(Value::String(d)) if d == domain => {}
        Some(Value::Array(ds)) if ds.iter().any(|d| d == domain) => {}
        Some(other) => {
            return Err(PresentationError::WrongDomain(
                other.as_str().unwrap_or("(not a string)").into(),
            ))
        }
    }
    let method = text("verificationMethod");
    let (did, fragment) = method.split_once('#').unwrap_or((method, ""));
    let key = did
        .strip_prefix("did:key:")
        .filter(|multibase| *multibase == fragment)
        .and_then(di::ed25519_from_multibase)
        .ok_or_else(|| PresentationError::NotDidKey(method.chars().take(120).collect()))?;
    let holder = match &presentation["holder"] {
        Value::String(h) => h.as_str(),
        Value::Object(h) => h.get("id").and_then(Value::as_str).unwrap_or_default(),
        _ => "",
    };
    if holder.is_empty() {
        return Err(PresentationError::NoHolder);
    }
    if holder != did {
        return Err(PresentationError::NotTheHolder {
            signer: did.chars().take(120).collect(),
            holder: holder.chars().take(120).collect(),
        });
    }
    di::verify(presentation, &key)?;
    Ok(did.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    /// A presentation signed as a wallet signs it (eddsa-rdfc-2022 here; the signing side is
    /// insigne's own, with the proof options a DIDAuth answer carries).
    fn signed(key: &SigningKey, challenge: &str, domain: Option<&str>, holder: &str) -> Value {
        let did = format!("did:key:{}", di::ed25519_multibase(&key.verifying_key()));
        let vp = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": holder.replace("SELF", &did),
        });
        let created = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap();
        let mut out = di::sign(
            &vp,
            key,
            &format!("{did}#{}", di::ed25519_multibase(&key.verifying_key())),
            created,
        )
        .unwrap();
        // Re-sign with the DIDAuth options (purpose, challenge, domain) in the proof.
        let proof = out["proof"].as_object_mut().unwrap();
        proof.remove("proofValue");
        proof.insert("proofPurpose".into(), json!("authentication"));
        proof.insert("challenge".into(), json!(challenge));
        if let Some(d) = domain {
            proof.insert("domain".into(), json!(d));
        }
        let config = di::proof_config(vp.as_object().unwrap(), proof);
        let data = di::hash_data(&vp, &config).unwrap();
        use ed25519_dalek::Signer;
        let sig = key.sign(&data);
        proof.insert(
            "proofValue".into(),
            json!(format!("z{}", bs58::encode(sig.to_bytes()).into_string())),
        );
        out
    }

    #[test]
    fn a_holder_signing_the_challenge_is_proven_and_anything_else_is_refused() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let did = format!("did:key:{}", di::ed25519_multibase(&key.verifying_key()));
        let vp = signed(&key, "c-1", Some("insigne.test"), "SELF");
        assert_eq!(verify_did_auth(&vp, "c-1", "insigne.test"), Ok(did.clone()));
        // No domain in the proof (the older deep link): the challenge alone binds it.
        let vp = signed(&key, "c-1", None, "SELF");
        assert_eq!(verify_did_auth(&vp, "c-1", "insigne.test"), Ok(did));

        let vp = signed(&key, "c-1", Some("insigne.test"), "SELF");
        assert_eq!(
            verify_did_auth(&vp, "c-2", "insigne.test"),
            Err(PresentationError::WrongChallenge)
        );
        assert!(matches!(
            verify_did_auth(&vp, "c-1", "other.test"),
            Err(PresentationError::WrongDomain(_))
        ));
        let other = signed(&key, "c-1", None, "did:key:z6MkSomeoneElse");
        assert!(matches!(
            verify_did_auth(&other, "c-1", "insigne.test"),
            Err(PresentationError::NotTheHolder { .. })
        ));
        let mut tampered = vp.clone();
        tampered["holder"] = json!("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
        assert!(verify_did_auth(&tampered, "c-1", "insigne.test").is_err());
        let mut flipped = vp.clone();
        flipped["proof"]["challenge"] = json!("c-1 ");
        assert!(verify_did_auth(&flipped, "c-1 ", "insigne.test").is_err());
        let mut credential = vp;
        credential["type"] = json!(["VerifiableCredential"]);
        assert_eq!(
            verify_did_auth(&credential, "c-1", "insigne.test"),
            Err(PresentationError::NotAPresentation)
        );
    }
}
