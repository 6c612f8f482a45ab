//! Compact JWS with RS256 (josekit): OB 2.0 signed assertions now, VC-JWTs later.

use josekit::jws::JwsHeader;

use super::keys::{KeyAlgorithm, KeyError, KeyRing, Secret};

/// A JWS that could not be checked or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("not a compact JWS (three base64url parts)")]
    Malformed,
    #[error("the JWS header names key {0:?}, which this key ring does not hold")]
    UnknownKey(String),
    #[error("the JWS algorithm is {0:?}; RS256 is expected")]
    WrongAlgorithm(String),
    #[error("the signature does not verify")]
    BadSignature,
}

/// The header of a compact JWS, read without verifying anything.
pub fn unverified_header(jws: &str) -> Result<serde_json::Value, JwsError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut parts = jws.trim().split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| JwsError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwsError::Malformed)
}

/// The payload of a compact JWS as JSON, read without verifying anything.
pub fn unverified_payload(jws: &str) -> Option<serde_json::Value> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let part = jws.trim().split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// Verifies a compact JWS with a public JWK: RS256 or ES256 only (never `none`, never HMAC, so a
/// public key cannot be turned into a shared secret). Returns the payload.
pub fn verify_with_jwk(jws: &str, jwk: &serde_json::Value) -> Result<Vec<u8>, JwsError> {
    let header = unverified_header(jws)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    let mut map = jwk.as_object().cloned().ok_or(JwsError::BadSignature)?;
    // The key was chosen by the token's kid already; josekit would compare the JWK's own kid
    // with the header's, which name the same key differently (`rsa-1` vs `<JWKS URL>#rsa-1`).
    map.remove("kid");
    let key = josekit::jwk::Jwk::from_map(map).map_err(|_| JwsError::BadSignature)?;
    let verifier: Box<dyn josekit::jws::JwsVerifier> = match alg {
        "RS256" => Box::new(
            josekit::jws::RS256
                .verifier_from_jwk(&key)
                .map_err(|_| JwsError::BadSignature)?,
        ),
        "ES256" => Box::new(
            josekit::jws::ES256
                .verifier_from_jwk(&key)
                .map_err(|_| JwsError::BadSignature)?,
        ),
        other => return Err(JwsError::WrongAlgorithm(other.to_string())),
    };
    josekit::jws::deserialize_compact(jws.trim(), verifier.as_ref())
        .map(|(payload, _)| payload)
        .map_err(|_| JwsError::BadSignature)
}

/// Verifies an RS256 compact JWS with a PEM public key (OB 2.0 CryptographicKey).
pub fn verify_rs256_pem(jws: &str, pem: &str) -> Result<Vec<u8>, JwsError> {
    let header = unverified_header(jws)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if alg != "RS256" {
        return Err(JwsError::WrongAlgorithm(alg.to_string()));
    }
    let verifier = josekit::jws::RS256
        .verifier_from_pem(pem)
        .map_err(|_| JwsError::BadSignature)?;
    josekit::jws::deserialize_compact(jws.trim(), &verifier)
        .map(|(payload, _)| payload)
        .map_err(|_| JwsError::BadSignature)
}

impl KeyRing {
    /// Signs `payload` with the active RSA key: header `alg` RS256, `kid`, and `typ` when given.
    /// Returns the key id used and the compact JWS.
    pub fn sign_rs256(
        &self,
        payload: &[u8],
        typ: Option<&str>,
    ) -> Result<(String, String), KeyError> {
        self.sign_rs256_as(payload, typ, str::to_string)
    }

    /// As `sign_rs256`, the header `kid` being `key_ref(kid)`: a DID URL or JWKS reference that
    /// lets any verifier find the key.
    pub fn sign_rs256_as(
        &self,
        payload: &[u8],
        typ: Option<&str>,
        key_ref: impl FnOnce(&str) -> String,
    ) -> Result<(String, String), KeyError> {
        let key = self
            .active(KeyAlgorithm::RS256)
            .ok_or_else(|| KeyError::Empty(self.dir().to_path_buf()))?;
        let Secret::Rsa(rsa) = &key.secret else {
            return Err(KeyError::Key {
                kid: key.info.kid.clone(),
                message: "the active RS256 key is not an RSA key".into(),
            });
        };
        let signing_error = |e: josekit::JoseError| KeyError::Key {
            kid: key.info.kid.clone(),
            message: format!("signing failed: {e}"),
        };
        let mut header = JwsHeader::new();
        header.set_key_id(key_ref(&key.info.kid));
        if let Some(t) = typ {
            header.set_token_type(t);
        }
        let jws = josekit::jws::serialize_compact(payload, &header, &rsa.signer)
            .map_err(signing_error)?;
        Ok((key.info.kid.clone(), jws))
    }

    /// Verifies a compact RS256 JWS made with one of this ring's keys (active or retired) and
    /// returns its payload.
    pub fn verify_rs256(&self, jws: &str) -> Result<Vec<u8>, JwsError> {
        let header = unverified_header(jws)?;
        let alg = header["alg"].as_str().unwrap_or_default();
        if alg != "RS256" {
            return Err(JwsError::WrongAlgorithm(alg.to_string()));
        }
        // A DID URL or JWKS reference names the key in its fragment.
        let kid = header["kid"].as_str().unwrap_or_default();
        let kid = kid.rsplit('#').next().unwrap_or(kid);
        let key = self
            .keys
            .iter()
            .find(|k| k.info.kid == kid && k.info.algorithm == KeyAlgorithm::RS256)
            .ok_or_else(|| JwsError::UnknownKey(kid.to_string()))?;
        let Secret::Rsa(rsa) = &key.secret else {
            return Err(JwsError::UnknownKey(kid.to_string()));
        };
        let (payload, _) = josekit::jws::deserialize_compact(jws.trim(), &rsa.verifier)
            .map_err(|_| JwsError::BadSignature)?;
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_verifies_and_notices_any_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = "2026-11-28T12:00:00Z".parse().expect("date");
        let mut ring = KeyRing::generate(dir.path(), now).expect("keys");
        let (kid, jws) = ring
            .sign_rs256(br#"{"type":"Assertion"}"#, None)
            .expect("sign");
        assert_eq!(
            unverified_header(&jws).expect("header"),
            serde_json::json!({"alg": "RS256", "kid": kid})
        );
        assert_eq!(
            ring.verify_rs256(&jws).expect("verify"),
            br#"{"type":"Assertion"}"#
        );

        // Any changed character of the signing input or signature fails.
        for i in [3, jws.len() / 2, jws.len() - 3] {
            let mut bytes = jws.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).expect("ascii");
            assert!(ring.verify_rs256(&tampered).is_err(), "changed at {i}");
        }

        // A rotated-out key still verifies what it signed.
        ring.rotate(now).expect("rotate");
        assert_eq!(
            ring.verify_rs256(&jws).expect("still verifies"),
            br#"{"type":"Assertion"}"#
        );
        let (new_kid, _) = ring.sign_rs256(b"{}", None).expect("sign");
        assert_ne!(new_kid, kid);
    }
}
