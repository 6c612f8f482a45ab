//! The nonces of the nonce endpoint (OpenID4VCI 1.0). That endpoint takes no token, so its
//! nonces belong to no exchange: each is signed by this service and carries its expiry, and
//! any replica recognises one without remembering it. Replaying one gains nothing: an exchange
//! delivers once, and a key proof is also bound to the issuer and to its time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{Nonce, NONCE_SECONDS};
use crate::proof::KeyAlgorithm;
use crate::service::{Insigne, ServiceError};

/// What a nonce of the nonce endpoint signs, before its expiry and randomness.
const NONCE_PURPOSE: &[u8] = b"insigne oid4vci c_nonce v1.";

impl Insigne {
    /// A nonce of the nonce endpoint, valid [`NONCE_SECONDS`].
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
    pub(super) fn is_own_nonce(&self, nonce: &str) -> bool {
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
}
