//! Issuing and revoking awards.

use std::collections::BTreeMap;

use rand::RngCore;
use serde_json::Value;

use super::{Insigne, ServiceError};
use crate::domain::{Award, AwardId, AwardRequest, BadgeClass, Invalid, Issuer, IssuerId};
use crate::formats::ob2;
use crate::proof::KeyAlgorithm;
use crate::service::inputs::{AwardInput, RevokeInput};
use crate::storage::{AwardFilter, NewMessage, StoredAward};

/// At most this many awards answer a search: a longer list is refined, not read.
pub const AWARD_SEARCH_LIMIT: usize = 200;

/// The awards a search found, latest issued first, and whether more matched than shown.
#[derive(Debug, Clone)]
pub struct AwardSearch {
    pub awards: Vec<Award>,
    pub truncated: bool,
}

impl Insigne {
    /// Awards a badge class to a recipient: checks the request, fixes and signs every published
    /// document (OB 2.0 hosted and signed, OB 3.0 credential and VC-JWT), and stores them with
    /// the award.
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
        let issuer = self.issuer(class.issuer).await?;
        let email = request.recipient.email.to_string();
        if let Some(lang) = &request.lang {
            self.store
                .set_trainer_lang(&email, lang, self.clock.now())
                .await?;
        }
        let lang = self.trainer_lang(&email).await?;
        self.issue_checked(AwardId::random(), &class, &issuer, request, lang)
            .await
    }

    /// Issues a checked request of an existing badge class under the id `id`; its message is
    /// written in `lang`.
    pub(super) async fn issue_checked(
        &self,
        id: AwardId,
        class: &BadgeClass,
        issuer: &Issuer,
        request: AwardRequest,
        lang: crate::i18n::Lang,
    ) -> Result<StoredAward, ServiceError> {
        let (mut stored, message) = self.new_award(id, class, request, lang);
        let written = async {
            self.sign_missing(&mut stored, class, issuer, true).await?;
            self.store
                .insert_award_with_message(&stored, &message)
                .await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        if let Err(e) = written {
            // The status index drawn for an award that was not stored is given back.
            let _ = self.store.release_status_indexes(&[id]).await;
            return Err(e);
        }
        Ok(stored)
    }

    /// Issues the awards a rule gives one learner, in `lang`: their status indexes drawn
    /// together, each signed, then all stored in one transaction where each is claimed. An
    /// award whose badge was claimed already (a concurrent evaluation) is not stored and not
    /// returned.
    pub(super) async fn issue_by_rule(
        &self,
        awards: Vec<(&BadgeClass, &Issuer, AwardRequest)>,
        lang: crate::i18n::Lang,
    ) -> Result<Vec<StoredAward>, ServiceError> {
        let mut new: Vec<(StoredAward, NewMessage)> = awards
            .iter()
            .map(|(class, _, request)| {
                self.new_award(AwardId::random(), class, request.clone(), lang)
            })
            .collect();
        let ids: Vec<AwardId> = new.iter().map(|(s, _)| s.award.id).collect();
        let written = async {
            // One status list per issuer; the catalogue's badges share one.
            let mut by_issuer: BTreeMap<IssuerId, Vec<usize>> = BTreeMap::new();
            for (i, (_, issuer, _)) in awards.iter().enumerate() {
                by_issuer.entry(issuer.id).or_default().push(i);
            }
            // The live endorsements of each class, embedded in its new credentials.
            let mut endorsed: BTreeMap<crate::domain::BadgeClassId, Vec<serde_json::Value>> =
                BTreeMap::new();
            let classes: std::collections::BTreeSet<_> =
                awards.iter().map(|(class, _, _)| class.id).collect();
            for class in classes {
                endorsed.insert(class, self.class_endorsements(class).await?);
            }
            for (issuer, indexes) in by_issuer {
                let wanted: Vec<AwardId> = indexes.iter().map(|i| ids[*i]).collect();
                let slots = self.new_status_slots(issuer, &wanted).await?;
                for (i, slot) in indexes.into_iter().zip(slots) {
                    let (class, issuer, _) = &awards[i];
                    let stored = &mut new[i].0;
                    stored.ob2_signed = Some(self.sign_ob2(&stored.award, class)?);
                    let endorsements = endorsed.get(&class.id).map(Vec::as_slice).unwrap_or(&[]);
                    let (credential, jwt) =
                        self.sign_ob3_at(&stored.award, class, issuer, &slot, endorsements)?;
                    stored.ob3_credential = Some(credential);
                    stored.ob3_jwt = Some(jwt);
                }
            }
            Ok::<_, ServiceError>(self.store.insert_claimed_awards(&new).await?)
        }
        .await;
        let claimed = match written {
            Ok(claimed) => claimed,
            Err(e) => {
                let _ = self.store.release_status_indexes(&ids).await;
                return Err(e);
            }
        };
        let lost: Vec<AwardId> = ids
            .iter()
            .zip(&claimed)
            .filter(|(_, c)| !**c)
            .map(|(id, _)| *id)
            .collect();
        self.store.release_status_indexes(&lost).await?;
        Ok(new
            .into_iter()
            .zip(claimed)
            .filter(|(_, c)| *c)
            .map(|((stored, _), _)| stored)
            .collect())
    }

    /// A new award of `class` with its hosted assertion, and the message announcing it.
    fn new_award(
        &self,
        id: AwardId,
        class: &BadgeClass,
        request: AwardRequest,
        lang: crate::i18n::Lang,
    ) -> (StoredAward, NewMessage) {
        let award = Award::new(id, class, request, new_salt(), self.clock.now());
        // The text is written when the message is sent: an import of thousands of awards
        // neither composes nor stores thousands of texts.
        let message = crate::notify::awarded_envelope(&award, class, lang);
        let stored = StoredAward {
            ob2_assertion: ob2::hosted_assertion(&self.urls, &award).to_string(),
            ob2_signed: None,
            ob3_credential: None,
            ob3_jwt: None,
            award,
        };
        (stored, message)
    }

    /// Signs whatever document `stored` lacks (all of them for a new award).
    async fn sign_missing(
        &self,
        stored: &mut StoredAward,
        class: &BadgeClass,
        issuer: &Issuer,
        fresh: bool,
    ) -> Result<(), ServiceError> {
        if stored.ob2_signed.is_none() {
            stored.ob2_signed = Some(self.sign_ob2(&stored.award, class)?);
        }
        if stored.ob3_credential.is_none() || stored.ob3_jwt.is_none() {
            let (credential, jwt) = self.sign_ob3(&stored.award, class, issuer, fresh).await?;
            stored.ob3_credential.get_or_insert(credential);
            stored.ob3_jwt.get_or_insert(jwt);
        }
        Ok(())
    }

    /// The OB 2.0 signed assertion: the Assertion JSON, `verification.creator` naming the active
    /// RSA key as the issuer's CryptographicKey, signed RS256.
    fn sign_ob2(&self, award: &Award, class: &BadgeClass) -> Result<String, ServiceError> {
        // One snapshot of the ring: a rotation meanwhile cannot sign with another key than
        // the one the assertion names.
        let keys = self.keys();
        let kid = keys
            .active_kid(KeyAlgorithm::RS256)
            .ok_or(ServiceError::NoActiveKey(KeyAlgorithm::RS256))?;
        let payload = ob2::signed_assertion(&self.urls, award, class.issuer, kid).to_string();
        let (signed_by, jws) = keys.sign_rs256(payload.as_bytes(), None)?;
        if signed_by != kid {
            return Err(ServiceError::Inconsistent(format!(
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

    /// The awards that match `filter` (their state as it stands now), latest issued first,
    /// [`AWARD_SEARCH_LIMIT`] at most.
    pub async fn search_awards(&self, filter: &AwardFilter) -> Result<AwardSearch, ServiceError> {
        let limit = i64::try_from(AWARD_SEARCH_LIMIT + 1).unwrap_or(i64::MAX);
        let mut awards = self
            .store
            .search_awards(filter, self.clock.now(), limit)
            .await?;
        let truncated = awards.len() > AWARD_SEARCH_LIMIT;
        awards.truncate(AWARD_SEARCH_LIMIT);
        Ok(AwardSearch { awards, truncated })
    }

    /// Revokes an award: the hosted assertion answers 410, the OB 2.0 RevocationList names it
    /// and its bit is set in its OB 3.0 status list. Revoking again changes nothing but rewrites
    /// the status list, so a rewrite interrupted before is completed.
    pub async fn revoke_award(
        &self,
        id: AwardId,
        input: &RevokeInput,
    ) -> Result<StoredAward, ServiceError> {
        let reason = input.checked_reason()?;
        let stored = self.award(id).await?;
        let class = self.badge_class(stored.award.badge_class).await?;
        let issuer = self.issuer(class.issuer).await?;
        let lang = self
            .trainer_lang(&stored.award.recipient.email.to_string())
            .await?;
        let message = crate::notify::revoked_message(
            &self.urls,
            &stored.award,
            &reason,
            &class,
            &issuer,
            lang,
        );
        self.store
            .revoke_award_with_message(id, self.clock.now(), &reason, &message)
            .await?;
        self.refresh_status_list(&stored.award).await?;
        self.award(id).await
    }

    /// The issuer's OB 2.0 RevocationList.
    pub async fn revocation_list(&self, issuer: IssuerId) -> Result<Value, ServiceError> {
        self.issuer(issuer).await?;
        let revoked = self.store.revoked_awards_of_issuer(issuer).await?;
        Ok(ob2::revocation_list(&self.urls, issuer, &revoked))
    }

    /// Signs the documents that awards stored by an earlier version lack; returns how many
    /// awards were completed. Documents already signed are never signed again.
    pub async fn sign_unsigned_awards(&self) -> Result<usize, ServiceError> {
        let mut signed = 0;
        for id in self.store.awards_without_signature().await? {
            let mut stored = self.award(id).await?;
            let class = self.badge_class(stored.award.badge_class).await?;
            let issuer = self.issuer(class.issuer).await?;
            self.sign_missing(&mut stored, &class, &issuer, false)
                .await?;
            if self.store.fill_signed_documents(&stored).await? {
                signed += 1;
            }
            if stored.award.revocation.is_some() {
                self.refresh_status_list(&stored.award).await?;
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
