//! Issuing and revoking awards.

use rand::RngCore;
use serde_json::Value;

use super::{Insigne, ServiceError};
use crate::domain::award::{AwardInput, RevokeInput};
use crate::domain::{Award, AwardId, AwardRequest, BadgeClass, Invalid, IssuerId};
use crate::formats::ob2;
use crate::proof::KeyAlgorithm;
use crate::storage::StoredAward;

impl Insigne {
    /// Awards a badge class to a recipient: checks the request, fixes and signs every published
    /// document, and stores them with the award in one write.
    pub async fn issue_award(&self, input: &AwardInput) -> Result<StoredAward, ServiceError> {
        let request = AwardRequest::from_input(input)?;
        let class = self
            .store
            .get_badge_class(request.badge_class)
            .await?
            .ok_or_else(|| {
                Invalid::one(
                    "badge_class",
                    format!("no badge class with id {}", request.badge_class),
                )
            })?;
        let award = Award::new(
            AwardId::random(),
            &class,
            request,
            new_salt(),
            self.clock.now(),
        );
        let stored = StoredAward {
            ob2_assertion: ob2::hosted_assertion(&self.urls, &award).to_string(),
            ob2_signed: Some(self.sign_ob2(&award, &class).await?),
            award,
        };
        self.store.insert_award(&stored).await?;
        Ok(stored)
    }

    /// The OB 2.0 signed assertion: the Assertion JSON, `verification.creator` naming the active
    /// RSA key as the issuer's CryptographicKey, signed RS256.
    async fn sign_ob2(&self, award: &Award, class: &BadgeClass) -> Result<String, ServiceError> {
        let kid = self
            .keys
            .active_kid(KeyAlgorithm::RS256)
            .ok_or_else(|| ServiceError::Signing("no active RS256 key".into()))?;
        let payload = ob2::signed_assertion(&self.urls, award, class.issuer, kid).to_string();
        let (signed_by, jws) = self
            .keys
            .sign_rs256(payload.as_bytes(), None)
            .map_err(|e| ServiceError::Signing(e.to_string()))?;
        if signed_by != kid {
            return Err(ServiceError::Signing(format!(
                "signed with {signed_by}, expected {kid}"
            )));
        }
        Ok(jws)
    }

    pub async fn award(&self, id: AwardId) -> Result<StoredAward, ServiceError> {
        self.store
            .get_award(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("award", id))
    }

    /// Revokes an award. Revoking again changes nothing: the first reason stands.
    pub async fn revoke_award(
        &self,
        id: AwardId,
        input: &RevokeInput,
    ) -> Result<StoredAward, ServiceError> {
        let reason = input.checked_reason()?;
        // Unknown ids are a 404 before anything is written.
        self.award(id).await?;
        self.store
            .revoke_award(id, self.clock.now(), &reason)
            .await?;
        self.award(id).await
    }

    /// The issuer's OB 2.0 RevocationList.
    pub async fn revocation_list(&self, issuer: IssuerId) -> Result<Value, ServiceError> {
        self.issuer(issuer).await?;
        let revoked = self.store.revoked_awards_of_issuer(issuer).await?;
        Ok(ob2::revocation_list(&self.urls, issuer, &revoked))
    }

    /// Signs the awards stored before signed assertions existed; returns how many.
    pub async fn sign_unsigned_awards(&self) -> Result<usize, ServiceError> {
        let mut signed = 0;
        for id in self.store.awards_without_signature().await? {
            let stored = self.award(id).await?;
            let class = self.badge_class(stored.award.badge_class).await?;
            let jws = self.sign_ob2(&stored.award, &class).await?;
            if self.store.set_ob2_signed(id, &jws).await? {
                signed += 1;
            }
        }
        Ok(signed)
    }
}

/// 128 random bits, hex: unguessable, so the published hash cannot be reversed by trying
/// addresses.
fn new_salt() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
