//! A holder's proof of possession, as OpenID4VCI wallets send it: a compact JWS with `typ`
//! `openid4vci-proof+jwt`, signed by the key the credential is to be bound to, for this
//! credential issuer (`aud`), recently (`iat`), over the issuer's `nonce`. The key is named by
//! `kid` (a `did:key` or `did:jwk` URL) or given as `jwk`; either way it names the holder's DID,
//! so nothing needs resolving. Bytes in, a DID out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::di;
use super::jws;

/// The `typ` every key proof carries (OpenID4VCI 1.0 Appendix F.1).
pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";

/// How far `iat` may be from this service's clock, either way, seconds.
pub const IAT_LEEWAY_SECONDS: i64 = 300;

/// The longest proof read: a proof with an embedded P-256 JWK is well under 1 KiB.
pub const MAX_PROOF_BYTES: usize = 8 * 1024;

/// The multicodec prefixes of the did:key keys understood (unsigned varints).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const P256_PUB: [u8; 2] = [0x80, 0x24];

/// Why a key proof proves nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolderProofError {
    #[error("the proof is not a compact JWS")]
    Malformed,
    #[error("the proof's typ is {0:?}, not \"openid4vci-proof+jwt\"")]
    WrongType(String),
    #[error("the proof's alg is {0:?}; EdDSA (Ed25519) and ES256 (P-256) are accepted")]
    UnsupportedAlgorithm(String),
    #[error("the proof marks {0} critical, which is not understood")]
    Critical(String),
    #[error("the proof names no key (kid or jwk)")]
    NoKey,
    #[error("the proof names its key more than once (kid, jwk, x5c: one of them)")]
    SeveralKeys,
    #[error("the proof's key is not understood: {0}")]
    UnsupportedKey(String),
    #[error("the proof's key is a {key} key, its alg is {alg}")]
    KeyAlgorithmMismatch { key: &'static str, alg: String },
    #[error("the proof's signature does not verify")]
    BadSignature,
    #[error("the proof's claims are not a JSON object")]
    BadClaims,
    #[error("the proof is for {0:?}, not for this credential issuer")]
    WrongAudience(String),
    #[error("the proof has no iat, or one more than 5 minutes from this service's clock")]
    NotFresh,
    #[error("the proof has expired")]
    Expired,
}

/// What a verified key proof says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenHolder {
    /// The DID of the key that signed: `did:key:z…` or `did:jwk:…`.
    pub did: String,
    /// The `nonce` claim, for the caller to check against the nonces it gave out.
    pub nonce: Option<String>,
}

/// A public key named by a proof.
enum HolderKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    /// A P-256 key as a JWK (`kty`, `crv`, `x`, `y`), which the JWS verifier takes.
    P256(Value),
}

impl HolderKey {
    fn name(&self) -> &'static str {
        match self {
            HolderKey::Ed25519(_) => "Ed25519",
            HolderKey::P256(_) => "P-256",
        }
    }
}

/// Verifies key proof `jwt` for credential issuer `audience` at `now`: its type, algorithm, key,
/// signature, audience and freshness. Returns the holder's DID and the nonce it carries.
pub fn verify_key_proof(
    jwt: &str,
    audience: &str,
    now: DateTime<Utc>,
) -> Result<ProvenHolder, HolderProofError> {
    if jwt.len() > MAX_PROOF_BYTES {
        return Err(HolderProofError::Malformed);
    }
    let header = jws::unverified_header(jwt).map_err(|_| HolderProofError::Malformed)?;
    let text = |name: &str| header.get(name).and_then(Value::as_str);
    let typ = text("typ").unwrap_or_default();
    if typ != PROOF_TYPE {
        return Err(HolderProofError::WrongType(typ.chars().take(60).collect()));
    }
    // Only asymmetric algorithms: `none` proves nothing, and an HMAC "key" would be the public
    // key turned into a shared secret.
    let alg = text("alg").unwrap_or_default();
    if !matches!(alg, "EdDSA" | "Ed25519" | "ES256") {
        return Err(HolderProofError::UnsupportedAlgorithm(
            alg.chars().take(20).collect(),
        ));
    }
    if let Some(crit) = header.get("crit") {
        return Err(HolderProofError::Critical(crit.to_string()));
    }
    // Exactly one way of naming the key: two would let a proof pair someone's kid with its own
    // jwk, and which one "wins" would be an accident.
    let named = ["kid", "jwk", "x5c", "trust_chain"]
        .iter()
        .filter(|k| header.get(**k).is_some())
        .count();
    if named > 1 {
        return Err(HolderProofError::SeveralKeys);
    }
    let (did, key) = match (header.get("kid"), header.get("jwk")) {
        (Some(Value::String(kid)), None) => key_of_kid(kid)?,
        (None, Some(jwk)) => {
            let (key, minimal) = key_of_jwk(jwk)?;
            (format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(minimal)), key)
        }
        (Some(_), None) => return Err(HolderProofError::UnsupportedKey("kid is not text".into())),
        _ if header.get("x5c").is_some() || header.get("trust_chain").is_some() => {
            return Err(HolderProofError::UnsupportedKey(
                "x5c and trust_chain are not accepted; use a did:key, did:jwk or jwk".into(),
            ))
        }
        _ => return Err(HolderProofError::NoKey),
    };
    let payload = verify_signature(jwt, alg, &key)?;
    let claims: Value =
        serde_json::from_slice(&payload).map_err(|_| HolderProofError::BadClaims)?;
    if !claims.is_object() {
        return Err(HolderProofError::BadClaims);
    }
    let for_us = match &claims["aud"] {
        Value::String(aud) => aud == audience,
        Value::Array(auds) => auds.iter().any(|a| a == audience),
        _ => false,
    };
    if !for_us {
        let aud = claims["aud"].to_string();
        return Err(HolderProofError::WrongAudience(
            aud.chars().take(120).collect(),
        ));
    }
    let iat = claims["iat"].as_i64().ok_or(HolderProofError::NotFresh)?;
    if (now.timestamp() - iat).abs() > IAT_LEEWAY_SECONDS {
        return Err(HolderProofError::NotFresh);
    }
    if let Some(exp) = claims.get("exp") {
        if exp.as_i64().is_none_or(|exp| exp <= now.timestamp()) {
            return Err(HolderProofError::Expired);
        }
    }
    Ok(ProvenHolder {
        did,
        nonce: claims["nonce"].as_str().map(str::to_string),
    })
}

/// The holder's DID and key named by a `kid`: `did:key:<mb>#<mb>` (Ed25519 `z6Mk…` or P-256
/// `zDn…`) or `did:jwk:<jwk>#0`.
fn key_of_kid(kid: &str) -> Result<(String, HolderKey), HolderProofError> {
    let unsupported = || {
        HolderProofError::UnsupportedKey(format!(
            "kid {:?} is not a did:key or did:jwk URL",
            kid.chars().take(80).collect::<String>()
        ))
    };
    if kid.len() > 2048 {
        return Err(unsupported());
    }
    let (did, fragment) = match kid.split_once('#') {
        Some((did, fragment)) => (did, Some(fragment)),
        None => (kid, None),
    };
    if let Some(multibase) = did.strip_prefix("did:key:") {
        if fragment.is_some_and(|f| f != multibase) {
            return Err(unsupported());
        }
        return Ok((did.to_string(), key_of_multibase(multibase)?));
    }
    if let Some(encoded) = did.strip_prefix("did:jwk:") {
        if fragment.is_some_and(|f| f != "0") {
            return Err(unsupported());
        }
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| unsupported())?;
        let jwk: Value = serde_json::from_slice(&bytes).map_err(|_| unsupported())?;
        let (key, _) = key_of_jwk(&jwk)?;
        return Ok((did.to_string(), key));
    }
    Err(unsupported())
}

/// The key of a did:key's method-specific id.
fn key_of_multibase(multibase: &str) -> Result<HolderKey, HolderProofError> {
    let refused = |why: &str| HolderProofError::UnsupportedKey(why.to_string());
    if multibase.len() > 64 {
        return Err(refused(
            "the did:key is too long for an Ed25519 or P-256 key",
        ));
    }
    let bytes = multibase
        .strip_prefix('z')
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .ok_or_else(|| refused("the did:key is not base58btc multibase"))?;
    if bytes.starts_with(&ED25519_PUB) {
        return di::ed25519_from_multibase(multibase)
            .map(HolderKey::Ed25519)
            .ok_or_else(|| refused("not a usable Ed25519 key"));
    }
    if let Some(point) = bytes.strip_prefix(&P256_PUB) {
        return p256_jwk_of_point(point).map(HolderKey::P256);
    }
    Err(refused(
        "only Ed25519 (z6Mk…) and P-256 (zDn…) did:keys are understood",
    ))
}

/// A compressed (or uncompressed) P-256 point as a JWK, refused unless it is on the curve.
fn p256_jwk_of_point(point: &[u8]) -> Result<Value, HolderProofError> {
    use openssl::bn::{BigNum, BigNumContext};
    use openssl::ec::{EcGroup, EcPoint};
    use openssl::nid::Nid;
    let off = |_| HolderProofError::UnsupportedKey("the did:key is not a P-256 point".into());
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(off)?;
    let mut ctx = BigNumContext::new().map_err(off)?;
    let point = EcPoint::from_bytes(&group, point, &mut ctx).map_err(off)?;
    let (mut x, mut y) = (BigNum::new().map_err(off)?, BigNum::new().map_err(off)?);
    point
        .affine_coordinates(&group, &mut x, &mut y, &mut ctx)
        .map_err(off)?;
    let jwk = json!({
        "crv": "P-256",
        "kty": "EC",
        "x": URL_SAFE_NO_PAD.encode(x.to_vec_padded(32).map_err(off)?),
        "y": URL_SAFE_NO_PAD.encode(y.to_vec_padded(32).map_err(off)?),
    });
    jws::check_jwk("ES256", &jwk).map_err(|e| HolderProofError::UnsupportedKey(e.to_string()))?;
    Ok(jwk)
}

/// The key of a public JWK (OKP Ed25519 or EC P-256), and its minimal form: the required
/// members only, in lexicographic order (as RFC 7638 orders them), which is what its did:jwk
/// encodes, so that one key always names one DID.
fn key_of_jwk(jwk: &Value) -> Result<(HolderKey, String), HolderProofError> {
    let refused = |why: String| HolderProofError::UnsupportedKey(why);
    let member = |name: &str| jwk.get(name).and_then(Value::as_str).unwrap_or_default();
    match (member("kty"), member("crv")) {
        ("OKP", "Ed25519") => {
            if jwk.get("d").is_some() {
                return Err(refused("the jwk holds a private key".into()));
            }
            if jwk.get("use").is_some_and(|u| u != "sig") {
                return Err(refused("the key is not for signatures (use)".into()));
            }
            let raw: [u8; 32] = URL_SAFE_NO_PAD
                .decode(member("x"))
                .ok()
                .and_then(|x| x.try_into().ok())
                .ok_or_else(|| refused("its x is not 32 bytes of base64url".into()))?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .ok()
                .filter(|k| !k.is_weak())
                .ok_or_else(|| refused("not a usable Ed25519 key".into()))?;
            let minimal = json!({"crv": "Ed25519", "kty": "OKP", "x": member("x")});
            Ok((HolderKey::Ed25519(key), minimal.to_string()))
        }
        ("EC", "P-256") => {
            let minimal = json!({"crv": "P-256", "kty": "EC", "x": member("x"), "y": member("y")});
            // check_jwk looks at the key as given: private parts, `use`, `alg`, the point.
            jws::check_jwk("ES256", jwk).map_err(|e| refused(e.to_string()))?;
            Ok((HolderKey::P256(minimal.clone()), minimal.to_string()))
        }
        (kty, crv) => Err(refused(format!(
            "a {kty:?} {crv:?} jwk; Ed25519 (OKP) and P-256 (EC) are understood"
        ))),
    }
}

/// Checks the signature of `jwt` with `key`; returns the payload.
fn verify_signature(jwt: &str, alg: &str, key: &HolderKey) -> Result<Vec<u8>, HolderProofError> {
    match (alg, key) {
        ("EdDSA" | "Ed25519", HolderKey::Ed25519(key)) => {
            let jwt = jwt.trim();
            let (signing_input, signature) =
                jwt.rsplit_once('.').ok_or(HolderProofError::Malformed)?;
            let signature: [u8; 64] = URL_SAFE_NO_PAD
                .decode(signature)
                .ok()
                .and_then(|s| s.try_into().ok())
                .ok_or(HolderProofError::BadSignature)?;
            // Strict: no small-order key, no non-canonical signature (RFC 8032 §5.1.7).
            key.verify_strict(
                signing_input.as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&signature),
            )
            .map_err(|_| HolderProofError::BadSignature)?;
            let payload = signing_input
                .split_once('.')
                .map(|(_, p)| p)
                .ok_or(HolderProofError::Malformed)?;
            URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| HolderProofError::Malformed)
        }
        ("ES256", HolderKey::P256(jwk)) => {
            jws::verify_with_jwk(jwt, jwk).map_err(|_| HolderProofError::BadSignature)
        }
        (alg, key) => Err(HolderProofError::KeyAlgorithmMismatch {
            key: key.name(),
            alg: alg.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ed25519_dalek::{Signer, SigningKey};

    const AUD: &str = "https://badges.test";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(v.to_string())
    }

    fn ed25519_proof(key: &SigningKey, header: Value, claims: Value) -> String {
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let sig = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    fn did_key(key: &SigningKey) -> String {
        format!("did:key:{}", di::ed25519_multibase(&key.verifying_key()))
    }

    fn claims(nonce: &str) -> Value {
        json!({"aud": AUD, "iat": now().timestamp(), "nonce": nonce})
    }

    #[test]
    fn an_ed25519_did_key_proof_names_its_holder() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let did = did_key(&key);
        let mb = did.trim_start_matches("did:key:");
        let header = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "kid": format!("{did}#{mb}")});
        let proof = ed25519_proof(&key, header, claims("n-1"));
        assert_eq!(
            verify_key_proof(&proof, AUD, now()),
            Ok(ProvenHolder {
                did: did.clone(),
                nonce: Some("n-1".into())
            })
        );
        // Another key claiming that kid.
        let other = SigningKey::from_bytes(&[4; 32]);
        let header = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "kid": format!("{did}#{mb}")});
        let forged = ed25519_proof(&other, header, claims("n-1"));
        assert_eq!(
            verify_key_proof(&forged, AUD, now()),
            Err(HolderProofError::BadSignature)
        );
    }

    #[test]
    fn an_ed25519_jwk_proof_names_a_did_jwk() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "wallet-1"});
        let header = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "jwk": jwk});
        let proof = ed25519_proof(&key, header, claims("n"));
        let holder = verify_key_proof(&proof, AUD, now()).unwrap();
        let minimal = json!({"crv": "Ed25519", "kty": "OKP", "x": x}).to_string();
        assert_eq!(
            holder.did,
            format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(minimal))
        );
        // The same key named by that did:jwk verifies to the same holder.
        let header = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "kid": format!("{}#0", holder.did)});
        let again = ed25519_proof(&key, header, claims("n"));
        assert_eq!(
            verify_key_proof(&again, AUD, now()).unwrap().did,
            holder.did
        );
    }

    #[test]
    fn what_a_key_proof_must_be() {
        let key = SigningKey::from_bytes(&[6; 32]);
        let did = did_key(&key);
        let good = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "kid": did});
        let with = |field: &str, value: Value| {
            let mut h = good.clone();
            h[field] = value;
            h
        };
        let check = |header: Value, claims: Value| {
            verify_key_proof(&ed25519_proof(&key, header, claims), AUD, now())
        };
        assert!(check(good.clone(), claims("n")).is_ok());
        assert!(matches!(
            check(with("typ", json!("JWT")), claims("n")),
            Err(HolderProofError::WrongType(_))
        ));
        for alg in ["none", "HS256", "RS256", ""] {
            assert!(matches!(
                check(with("alg", json!(alg)), claims("n")),
                Err(HolderProofError::UnsupportedAlgorithm(_))
            ));
        }
        assert!(matches!(
            check(with("alg", json!("ES256")), claims("n")),
            Err(HolderProofError::KeyAlgorithmMismatch { .. })
        ));
        assert!(matches!(
            check(with("crit", json!(["b64"])), claims("n")),
            Err(HolderProofError::Critical(_))
        ));
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        assert_eq!(
            check(
                with("jwk", json!({"kty": "OKP", "crv": "Ed25519", "x": x})),
                claims("n")
            ),
            Err(HolderProofError::SeveralKeys)
        );
        let mut bare = good.clone();
        bare.as_object_mut().unwrap().remove("kid");
        assert_eq!(check(bare, claims("n")), Err(HolderProofError::NoKey));
        assert!(matches!(
            check(with("kid", json!("did:web:wallet.example#k")), claims("n")),
            Err(HolderProofError::UnsupportedKey(_))
        ));
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": x, "d": x});
        let mut h = good.clone();
        h.as_object_mut().unwrap().remove("kid");
        h["jwk"] = private;
        assert!(matches!(
            check(h, claims("n")),
            Err(HolderProofError::UnsupportedKey(_))
        ));

        let mut c = claims("n");
        c["aud"] = json!("https://elsewhere.test");
        assert!(matches!(
            check(good.clone(), c),
            Err(HolderProofError::WrongAudience(_))
        ));
        let mut c = claims("n");
        c["aud"] = json!(["https://elsewhere.test", AUD]);
        assert!(check(good.clone(), c).is_ok());
        let mut c = claims("n");
        c["iat"] = json!(now().timestamp() - IAT_LEEWAY_SECONDS - 1);
        assert_eq!(check(good.clone(), c), Err(HolderProofError::NotFresh));
        let mut c = claims("n");
        c["iat"] = json!(now().timestamp() + IAT_LEEWAY_SECONDS + 1);
        assert_eq!(check(good.clone(), c), Err(HolderProofError::NotFresh));
        let mut c = claims("n");
        c.as_object_mut().unwrap().remove("iat");
        assert_eq!(check(good.clone(), c), Err(HolderProofError::NotFresh));
        let mut c = claims("n");
        c["exp"] = json!(now().timestamp());
        assert_eq!(check(good.clone(), c), Err(HolderProofError::Expired));
        let mut c = claims("n");
        c.as_object_mut().unwrap().remove("nonce");
        assert_eq!(check(good.clone(), c).unwrap().nonce, None);

        // One flipped byte of the signature.
        let proof = ed25519_proof(&key, good, claims("n"));
        let mut bytes = proof.into_bytes();
        let i = bytes.len() - 5;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(bytes).unwrap();
        assert_eq!(
            verify_key_proof(&flipped, AUD, now()),
            Err(HolderProofError::BadSignature)
        );
        assert_eq!(
            verify_key_proof("not a jwt", AUD, now()),
            Err(HolderProofError::Malformed)
        );
    }

    #[test]
    fn a_p256_did_key_proof_verifies_with_es256() {
        use josekit::jws::JwsSigner;
        use openssl::bn::{BigNum, BigNumContext};
        use openssl::ec::{EcGroup, EcKey, PointConversionForm};
        use openssl::nid::Nid;
        let pair = josekit::jws::ES256.generate_key_pair().unwrap();
        let jwk = pair.to_jwk_public_key();
        let coordinate = |name: &str| {
            let text = jwk.parameter(name).unwrap().as_str().unwrap();
            BigNum::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
        };
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec =
            EcKey::from_public_key_affine_coordinates(&group, &coordinate("x"), &coordinate("y"))
                .unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let mut bytes = P256_PUB.to_vec();
        bytes.extend_from_slice(
            &ec.public_key()
                .to_bytes(&group, PointConversionForm::COMPRESSED, &mut ctx)
                .unwrap(),
        );
        let mb = format!("z{}", bs58::encode(bytes).into_string());
        let did = format!("did:key:{mb}");
        let header = json!({"typ": PROOF_TYPE, "alg": "ES256", "kid": format!("{did}#{mb}")});
        let input = format!("{}.{}", b64(&header), b64(&claims("n-2")));
        let signer = josekit::jws::ES256
            .signer_from_der(pair.to_der_private_key())
            .unwrap();
        let sig = signer.sign(input.as_bytes()).unwrap();
        let proof = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            verify_key_proof(&proof, AUD, now()),
            Ok(ProvenHolder {
                did,
                nonce: Some("n-2".into())
            })
        );
        // EdDSA claimed over a P-256 key.
        let header = json!({"typ": PROOF_TYPE, "alg": "EdDSA", "kid": format!("did:key:{mb}")});
        let input = format!("{}.{}", b64(&header), b64(&claims("n-2")));
        let sig = signer.sign(input.as_bytes()).unwrap();
        let proof = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig));
        assert!(matches!(
            verify_key_proof(&proof, AUD, now()),
            Err(HolderProofError::KeyAlgorithmMismatch { .. })
        ));
    }

    #[test]
    fn a_p256_did_key_is_read_from_its_compressed_point() {
        use openssl::bn::BigNumContext;
        use openssl::ec::{EcGroup, EcKey, PointConversionForm};
        use openssl::nid::Nid;
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec = EcKey::generate(&group).unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let compressed = ec
            .public_key()
            .to_bytes(&group, PointConversionForm::COMPRESSED, &mut ctx)
            .unwrap();
        let mut bytes = P256_PUB.to_vec();
        bytes.extend_from_slice(&compressed);
        let mb = format!("z{}", bs58::encode(bytes).into_string());
        assert!(mb.starts_with("zDn"), "{mb}");
        let HolderKey::P256(jwk) = key_of_multibase(&mb).unwrap() else {
            panic!("a P-256 key")
        };
        let (mut x, mut y) = (
            openssl::bn::BigNum::new().unwrap(),
            openssl::bn::BigNum::new().unwrap(),
        );
        ec.public_key()
            .affine_coordinates(&group, &mut x, &mut y, &mut ctx)
            .unwrap();
        assert_eq!(
            jwk["x"],
            URL_SAFE_NO_PAD.encode(x.to_vec_padded(32).unwrap())
        );
        assert_eq!(
            jwk["y"],
            URL_SAFE_NO_PAD.encode(y.to_vec_padded(32).unwrap())
        );
        // A point off the curve is refused.
        let mut bad = P256_PUB.to_vec();
        bad.push(0x02);
        bad.extend_from_slice(&[0xff; 32]);
        let mb = format!("z{}", bs58::encode(bad).into_string());
        assert!(key_of_multibase(&mb).is_err());
    }
}
