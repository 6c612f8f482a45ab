//! The documents an Open Badges verifier fetches, as the service publishes them: the OB 2.0
//! Profile, BadgeClass, CryptographicKey, Assertion and signed assertion, and the OB 3.0
//! credential in both forms. The HTTP edge only chooses their media types and caching.

use serde_json::{json, Value};

use super::{Insigne, ServiceError};
use crate::domain::{AwardId, BadgeClassId, IssuerId};
use crate::formats::ob2;
use crate::proof::KeyAlgorithm;

/// A hosted Assertion: as issued, or the notice that replaces a revoked one (410 Gone).
#[derive(Debug, Clone)]
pub enum HostedAssertion {
    /// The Assertion byte for byte as issued.
    Valid(String),
    /// `{"revoked": true, "revocationReason": …}`, as OB 2.0 hosted verification expects.
    Revoked(Value),
}

impl Insigne {
    /// A key id of the ring's RSA keys (active or retired).
    fn rsa_kid<'a>(&self, kid: &'a str) -> Result<&'a str, ServiceError> {
        if self
            .keys()
            .kids(KeyAlgorithm::RS256)
            .iter()
            .any(|k| k == kid)
        {
            Ok(kid)
        } else {
            Err(ServiceError::not_found("key", kid))
        }
    }

    /// The issuer's OB 2.0 Profile; with `signer`, the Profile that assertions signed with that
    /// RSA key point at (it names the key as its public key).
    pub async fn ob2_profile(
        &self,
        issuer: IssuerId,
        signer: Option<&str>,
    ) -> Result<Value, ServiceError> {
        let issuer = self.issuer(issuer).await?;
        let signer = signer.map(|kid| self.rsa_kid(kid)).transpose()?;
        Ok(ob2::issuer_profile(&self.urls, &issuer, signer))
    }

    /// The OB 2.0 BadgeClass; with `signer`, as assertions signed with that RSA key point at it.
    pub async fn ob2_badge_class(
        &self,
        class: BadgeClassId,
        signer: Option<&str>,
    ) -> Result<Value, ServiceError> {
        let class = self.badge_class(class).await?;
        let signer = signer.map(|kid| self.rsa_kid(kid)).transpose()?;
        let mut doc = ob2::badge_class(&self.urls, &class, signer);
        // Its endorsements in force, as OB 2.0 Endorsements (`endorsement`: their URLs).
        let endorsements: Vec<Value> = self
            .endorsements_of(crate::storage::EndorsementTarget::BadgeClass(class.id))
            .await?
            .into_iter()
            .filter(|e| e.revoked_at.is_none())
            .map(|e| Value::String(self.urls.endorsement_ob2(e.id)))
            .collect();
        if let (Some(d), false) = (doc.as_object_mut(), endorsements.is_empty()) {
            d.insert("endorsement".into(), Value::Array(endorsements));
        }
        Ok(doc)
    }

    /// The CryptographicKey of one of the RSA keys (active or retired), owned by `issuer`.
    pub async fn ob2_key(&self, issuer: IssuerId, kid: &str) -> Result<Value, ServiceError> {
        let issuer = self.issuer(issuer).await?;
        let pem = self
            .keys()
            .public_pem(self.rsa_kid(kid)?)
            .ok_or_else(|| ServiceError::not_found("key", kid))?;
        Ok(ob2::cryptographic_key(&self.urls, issuer.id, kid, &pem))
    }

    /// The hosted Assertion, or the notice of its revocation.
    pub async fn ob2_assertion(&self, id: AwardId) -> Result<HostedAssertion, ServiceError> {
        let stored = self.award(id).await?;
        Ok(match &stored.award.revocation {
            Some(revocation) => HostedAssertion::Revoked(json!({
                "@context": ob2::CONTEXT,
                "id": self.urls.assertion(id),
                "revoked": true,
                "revocationReason": revocation.reason,
            })),
            None => HostedAssertion::Valid(stored.ob2_assertion),
        })
    }

    /// The OB 2.0 signed assertion (compact JWS), as signed at issuance.
    pub async fn ob2_signed_assertion(&self, id: AwardId) -> Result<String, ServiceError> {
        self.award(id)
            .await?
            .ob2_signed
            .ok_or(ServiceError::Unsigned {
                award: id,
                form: "signed assertion",
            })
    }

    /// The OB 3.0 credential with its Data Integrity proof, as signed at issuance. A revoked
    /// one is still served: its status list says it is revoked.
    pub async fn ob3_credential(&self, id: AwardId) -> Result<String, ServiceError> {
        self.award(id)
            .await?
            .ob3_credential
            .ok_or(ServiceError::Unsigned {
                award: id,
                form: "Open Badges 3.0 credential",
            })
    }

    /// The OB 3.0 credential as a VC-JWT.
    pub async fn ob3_jwt(&self, id: AwardId) -> Result<String, ServiceError> {
        self.award(id).await?.ob3_jwt.ok_or(ServiceError::Unsigned {
            award: id,
            form: "Open Badges 3.0 credential",
        })
    }
}
