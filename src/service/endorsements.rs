//! Endorsements. A tutor or the DANE vouches for a badge class or for one award: insigne issues
//! an OB 3.0 EndorsementCredential in the name of the badge class's issuer (whose keys it
//! holds: a verifier proves who signed it), saying who endorsed and why, signed like every
//! credential (eddsa-rdfc-2022 and VC-JWT, with a revocation bit in the issuer's status list),
//! and the OB 2.0 Endorsement of the hosted form. A badge class's live endorsements are
//! embedded in the credentials issued after them (`achievement.endorsement`). Revoking one sets
//! its bit: every copy, embedded or not, then verifies as revoked.

use serde_json::Value;

use super::{Actor, Insigne, ServiceError};
use crate::domain::validation::Checker;
use crate::domain::EndorsementId;
use crate::formats::ob2;
use crate::formats::ob3::{self, EndorsementClaim, StatusEntry};
use crate::storage::{EndorsementTarget, StoredEndorsement};

/// The longest endorsement comment, in characters.
pub const ENDORSEMENT_COMMENT_MAX: usize = 2_000;

impl Insigne {
    /// Endorses `target` as `endorser_name` (who the pages and the credential name) with
    /// `comment`; `by` is the console user who does it.
    pub async fn endorse(
        &self,
        by: &str,
        target: EndorsementTarget,
        endorser_name: &str,
        comment: &str,
    ) -> Result<StoredEndorsement, ServiceError> {
        let mut c = Checker::new();
        let endorser_name = c.text("endorser_name", endorser_name, 200);
        let comment = c.text("comment", comment, ENDORSEMENT_COMMENT_MAX);
        let (class, subject, claim_ob2) = match target {
            EndorsementTarget::BadgeClass(id) => {
                let class = self.badge_class(id).await?;
                (class, self.urls.badge_class(id), self.urls.badge_class(id))
            }
            EndorsementTarget::Award(id) => {
                let stored = self.award(id).await?;
                if stored.award.revocation.is_some() {
                    c.add("target", "this badge is revoked: it cannot be endorsed");
                }
                let class = self.badge_class(stored.award.badge_class).await?;
                (class, self.urls.credential(id), self.urls.assertion(id))
            }
        };
        c.finish()?;
        let issuer = self.issuer(class.issuer).await?;
        let id = EndorsementId::random();
        let now = self.clock.now();
        let mut slots = self.new_status_slots(issuer.id, &[id.status_key()]).await?;
        let slot = slots
            .pop()
            .ok_or_else(|| ServiceError::Inconsistent("no status list index drawn".into()))?;
        let signed = async {
            let did = self.issuer_did(issuer.id, &slot.list_key)?;
            let entry = StatusEntry {
                list_url: self.urls.status_list(issuer.id, &slot.list_key),
                index: slot.index,
            };
            let url = self.urls.endorsement(id);
            let name = match target {
                EndorsementTarget::BadgeClass(_) => {
                    format!(
                        "Endossement du badge « {} » par {endorser_name}",
                        class.name
                    )
                }
                EndorsementTarget::Award(_) => {
                    format!(
                        "Endossement d'un badge « {} » délivré, par {endorser_name}",
                        class.name
                    )
                }
            };
            let unsigned = ob3::endorsement_credential(
                &self.urls,
                &EndorsementClaim {
                    id: &url,
                    subject: &subject,
                    name: &name,
                    comment: &comment,
                    issued: now,
                },
                &issuer,
                &did,
                &entry,
            );
            let (credential, jwt) = self.sign_credential(&unsigned, &did, &slot.list_key)?;
            let endorsement = StoredEndorsement {
                id,
                target,
                issuer: issuer.id,
                endorser: by.to_string(),
                endorser_name: endorser_name.clone(),
                ob2: ob2::endorsement(
                    &self.urls.endorsement_ob2(id),
                    &claim_ob2,
                    &format!("{comment} — {endorser_name}"),
                    &self.urls.issuer(issuer.id),
                    now,
                )
                .to_string(),
                comment: comment.clone(),
                credential,
                jwt,
                created_at: now,
                revoked_at: None,
                revocation_reason: None,
            };
            self.store.insert_endorsement(&endorsement).await?;
            Ok::<_, ServiceError>(endorsement)
        }
        .await;
        let endorsement = match signed {
            Ok(e) => e,
            Err(e) => {
                let _ = self.store.release_status_indexes(&[id.status_key()]).await;
                return Err(e);
            }
        };
        self.audit(
            &Actor::Console(by.to_string()),
            "endorsement created",
            Some(&id.to_string()),
            Some(&class.name),
        )
        .await?;
        Ok(endorsement)
    }

    /// The signed EndorsementCredentials of `class` not revoked: what its new credentials embed.
    pub(super) async fn class_endorsements(
        &self,
        class: crate::domain::BadgeClassId,
    ) -> Result<Vec<Value>, ServiceError> {
        self.store
            .endorsements_of(EndorsementTarget::BadgeClass(class))
            .await?
            .into_iter()
            .filter(|e| e.revoked_at.is_none())
            .map(|e| {
                serde_json::from_str(&e.credential).map_err(|source| ServiceError::Damaged {
                    what: "endorsement credential",
                    source,
                })
            })
            .collect()
    }

    /// The endorsements of `target`, oldest first (revoked ones too; not those an erasure
    /// emptied).
    pub async fn endorsements_of(
        &self,
        target: EndorsementTarget,
    ) -> Result<Vec<StoredEndorsement>, ServiceError> {
        let mut all = self.store.endorsements_of(target).await?;
        all.retain(|e| !e.credential.is_empty());
        Ok(all)
    }

    /// Every endorsement but those emptied by an erasure, the latest first.
    pub async fn all_endorsements(&self) -> Result<Vec<StoredEndorsement>, ServiceError> {
        let mut all = self.store.all_endorsements().await?;
        all.retain(|e| !e.credential.is_empty());
        Ok(all)
    }

    /// An endorsement; one emptied by its badge's erasure is no longer there.
    pub async fn endorsement(&self, id: EndorsementId) -> Result<StoredEndorsement, ServiceError> {
        self.store
            .get_endorsement(id)
            .await?
            .filter(|e| !e.credential.is_empty())
            .ok_or_else(|| ServiceError::not_found("endorsement", id))
    }

    /// Revokes an endorsement with `reason` and sets its bit in its status list; false when it
    /// was revoked already.
    pub async fn revoke_endorsement(
        &self,
        by: &str,
        id: EndorsementId,
        reason: &str,
    ) -> Result<bool, ServiceError> {
        let mut c = Checker::new();
        let reason = c.text("reason", reason, 500);
        c.finish()?;
        self.endorsement(id).await?;
        if !self
            .store
            .revoke_endorsement(id, &reason, self.clock.now())
            .await?
        {
            return Ok(false);
        }
        if let Some(slot) = self.store.status_slot(id.status_key()).await? {
            self.rewrite_list(slot.issuer, &slot.list_key).await?;
        }
        self.audit(
            &Actor::Console(by.to_string()),
            "endorsement revoked",
            Some(&id.to_string()),
            Some(&reason),
        )
        .await?;
        Ok(true)
    }
}
