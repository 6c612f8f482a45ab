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
    /// A key refused before any use: weak, malformed, private, or not for the token's `alg`.
    #[error("the key is refused: {0}")]
    KeyRefused(String),
    /// A header the token marks critical (`crit`), which no verifier here understands.
    #[error("the JWS marks {0} critical, which is not understood")]
    UnknownCritical(String),
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

/// The payload of a compact JWS as text, read without verifying anything.
pub fn unverified_payload_text(jws: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let part = jws.trim().split('.').nth(1)?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The payload of a compact JWS as JSON, read without verifying anything.
pub fn unverified_payload(jws: &str) -> Option<serde_json::Value> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let part = jws.trim().split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The largest RSA modulus verified, bits: the cost of a verification grows with it.
const MAX_RSA_BITS: usize = 8192;
/// The smallest RSA modulus accepted, bits (NIST SP 800-131A: 2048 since 2014).
const MIN_RSA_BITS: usize = 2048;

/// Refuses a JWS that marks any header critical: RFC 7515 §4.1.11 requires refusing one whose
/// critical extensions are not understood, and none is here.
fn refuse_critical(header: &serde_json::Value) -> Result<(), JwsError> {
    match header.get("crit") {
        None => Ok(()),
        Some(crit) => Err(JwsError::UnknownCritical(crit.to_string())),
    }
}

/// An RSA public key as insigne accepts it: 2048 to 8192 bits, public exponent 65537. A small
/// exponent turns "verifying" into comparing with a value anyone computes (e = 1: the padded
/// digest itself); a short modulus can be factored.
fn check_rsa(n: &[u8], e: &[u8]) -> Result<(), JwsError> {
    let strip = |b: &[u8]| -> Vec<u8> { b.iter().copied().skip_while(|x| *x == 0).collect() };
    let (n, e) = (strip(n), strip(e));
    let bits = n
        .first()
        .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize);
    if bits < MIN_RSA_BITS {
        return Err(JwsError::KeyRefused(format!(
            "an RSA key of {bits} bits (at least {MIN_RSA_BITS})"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(JwsError::KeyRefused(format!(
            "an RSA key of {bits} bits (at most {MAX_RSA_BITS})"
        )));
    }
    if e != [1, 0, 1] {
        return Err(JwsError::KeyRefused(
            "an RSA public exponent other than 65537".into(),
        ));
    }
    Ok(())
}

/// A P-256 point given by its coordinates, refused unless it lies on the curve (an invalid
/// point lets a forger choose signatures that "verify").
fn check_p256(x: &[u8], y: &[u8]) -> Result<(), JwsError> {
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    if x.len() != 32 || y.len() != 32 {
        return Err(JwsError::KeyRefused(
            "P-256 coordinates are 32 bytes each".into(),
        ));
    }
    let off = |_| JwsError::KeyRefused("the EC point is not on P-256".into());
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(off)?;
    let (x, y) = (
        BigNum::from_slice(x).map_err(off)?,
        BigNum::from_slice(y).map_err(off)?,
    );
    let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y).map_err(off)?;
    key.check_key().map_err(off)
}

/// Checks that `jwk` is a public key fit for `alg` before it is used: the right key type, no
/// private part, not restricted to another use, not weak.
pub fn check_jwk(alg: &str, jwk: &serde_json::Value) -> Result<(), JwsError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let refused = |why: &str| JwsError::KeyRefused(why.to_string());
    if !jwk.is_object() {
        return Err(refused("not a JSON Web Key"));
    }
    if ["d", "p", "q", "dp", "dq", "qi", "k"]
        .iter()
        .any(|k| jwk.get(k).is_some())
    {
        return Err(refused("it holds private or secret key material"));
    }
    if let Some(own) = jwk.get("alg") {
        if own != alg {
            return Err(JwsError::KeyRefused(format!(
                "the key is for {own}, the token is {alg}"
            )));
        }
    }
    if jwk.get("use").is_some_and(|u| u != "sig") {
        return Err(refused("the key is not for signatures (use)"));
    }
    // A member that is present must decode: a malformed key is refused, not tried.
    let part = |name: &str| -> Result<Vec<u8>, JwsError> {
        jwk[name]
            .as_str()
            .filter(|s| s.len() <= 2048)
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
            .ok_or_else(|| JwsError::KeyRefused(format!("its {name} is not base64url")))
    };
    match (alg, jwk["kty"].as_str().unwrap_or_default()) {
        ("RS256", "RSA") => check_rsa(&part("n")?, &part("e")?),
        ("ES256", "EC") if jwk["crv"] == "P-256" => check_p256(&part("x")?, &part("y")?),
        ("ES256", "EC") => Err(refused("ES256 needs a P-256 key")),
        (alg, kty) => Err(JwsError::KeyRefused(format!(
            "a key of type {kty:?} cannot verify {alg}"
        ))),
    }
}

/// Verifies a compact JWS with a public JWK: RS256 or ES256 only (never `none`, never HMAC, so a
/// public key cannot be turned into a shared secret), a key that [`check_jwk`] accepts, no
/// critical header. Returns the payload.
pub fn verify_with_jwk(jws: &str, jwk: &serde_json::Value) -> Result<Vec<u8>, JwsError> {
    let header = unverified_header(jws)?;
    refuse_critical(&header)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if !matches!(alg, "RS256" | "ES256") {
        return Err(JwsError::WrongAlgorithm(alg.to_string()));
    }
    check_jwk(alg, jwk)?;
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
    refuse_critical(&header)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if alg != "RS256" {
        return Err(JwsError::WrongAlgorithm(alg.to_string()));
    }
    if pem.len() > 16 * 1024 {
        return Err(JwsError::KeyRefused("a PEM key larger than 16 KiB".into()));
    }
    let rsa = openssl::pkey::PKey::public_key_from_pem(pem.as_bytes())
        .ok()
        .and_then(|k| k.rsa().ok())
        .or_else(|| openssl::rsa::Rsa::public_key_from_pem_pkcs1(pem.as_bytes()).ok())
        .ok_or_else(|| JwsError::KeyRefused("not an RSA public key in PEM".into()))?;
    check_rsa(&rsa.n().to_vec(), &rsa.e().to_vec())?;
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
