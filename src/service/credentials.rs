//! Open Badges 3.0: signing an award's credential (Data Integrity and VC-JWT), the issuer's
//! identity (did:web or did:key), and its revocation status lists.

use serde_json::Value;

use super::{Insigne, ServiceError};
use crate::domain::{Award, AwardId, BadgeClass, Issuer, IssuerId};
use crate::formats::ob3::identity::{self, DidMethod};
use crate::formats::ob3::{self, status, StatusEntry};
use crate::proof::{di, KeyAlgorithm};
use crate::storage::StatusSlot;

impl Insigne {
    /// The issuer's DID for credentials signed with Ed25519 key `ed_kid`.
    pub fn issuer_did(&self, issuer: IssuerId, ed_kid: &str) -> Result<String, ServiceError> {
        match self.did_method {
            DidMethod::Web => {
                identity::issuer_did_web(&self.urls, issuer).ok_or(ServiceError::NoDidWeb)
            }
            DidMethod::Key => Ok(format!("did:key:{}", self.ed25519_multibase(ed_kid)?)),
        }
    }

    fn ed25519_multibase(&self, ed_kid: &str) -> Result<String, ServiceError> {
        let key = self
            .keys()
            .ed25519_public(ed_kid)
            .ok_or_else(|| ServiceError::UnknownKey(ed_kid.to_string()))?;
        Ok(di::ed25519_multibase(&key))
    }

    /// The verification method of Ed25519 key `ed_kid` under `did`.
    fn verification_method(&self, did: &str, ed_kid: &str) -> Result<String, ServiceError> {
        match self.did_method {
            DidMethod::Web => Ok(format!("{did}#{ed_kid}")),
            DidMethod::Key => Ok(format!("{did}#{}", self.ed25519_multibase(ed_kid)?)),
        }
    }

    /// The `kid` of a VC-JWT signed with RSA key `rsa_kid`: where a verifier finds the key.
    fn jwt_kid(&self, did: &str, rsa_kid: &str) -> String {
        match self.did_method {
            DidMethod::Web => format!("{did}#{rsa_kid}"),
            DidMethod::Key => format!("{}#{rsa_kid}", self.urls.jwks()),
        }
    }

    /// The credential (with its Data Integrity proof) and VC-JWT of an award. The award gets a
    /// random index in the status list of the active Ed25519 key (or keeps the one it has: a
    /// `fresh` award, being new, has none), and the credential is signed by that list's key.
    pub(super) async fn sign_ob3(
        &self,
        award: &Award,
        class: &BadgeClass,
        issuer: &Issuer,
        fresh: bool,
    ) -> Result<(String, String), ServiceError> {
        let existing = if fresh {
            None
        } else {
            self.store.status_slot(award.id).await?
        };
        let slot = match existing {
            Some(slot) => slot,
            None => {
                let mut slots = self.new_status_slots(issuer.id, &[award.id]).await?;
                slots.pop().ok_or_else(|| {
                    ServiceError::Inconsistent("no status list index drawn".into())
                })?
            }
        };
        let endorsements = self.class_endorsements(class.id).await?;
        self.sign_ob3_at(award, class, issuer, &slot, &endorsements)
    }

    /// Draws a random index for each new award of `issuer` in the status list of the active
    /// Ed25519 key (created if missing), in one statement.
    pub(super) async fn new_status_slots(
        &self,
        issuer: IssuerId,
        awards: &[AwardId],
    ) -> Result<Vec<StatusSlot>, ServiceError> {
        let ed_kid = self
            .keys()
            .active_kid(KeyAlgorithm::Ed25519)
            .ok_or(ServiceError::NoActiveKey(KeyAlgorithm::Ed25519))?
            .to_string();
        self.ensure_status_list(issuer, &ed_kid).await?;
        let indexes = self
            .store
            .allocate_status_indexes(awards, issuer, &ed_kid, || {
                crate::domain::ids::random_below(status::LIST_SIZE)
            })
            .await?;
        Ok(indexes
            .into_iter()
            .map(|index| StatusSlot {
                issuer,
                list_key: ed_kid.clone(),
                index,
            })
            .collect())
    }

    /// The credential and VC-JWT of an award whose revocation bit is at `slot`, signed by the
    /// list's key.
    pub(super) fn sign_ob3_at(
        &self,
        award: &Award,
        class: &BadgeClass,
        issuer: &Issuer,
        slot: &StatusSlot,
        endorsements: &[Value],
    ) -> Result<(String, String), ServiceError> {
        let did = self.issuer_did(issuer.id, &slot.list_key)?;
        let entry = StatusEntry {
            list_url: self.urls.status_list(issuer.id, &slot.list_key),
            index: slot.index,
        };
        let unsigned =
            ob3::credential(&self.urls, award, class, issuer, &did, &entry, endorsements);
        self.sign_credential(&unsigned, &did, &slot.list_key)
    }

    /// A credential of `award` issued to `holder` (a DID the holder proved they control): the
    /// same achievement, evidence and status entry as the award's own credential, under a new
    /// `urn:uuid` id, with `credentialSubject.id` (and the JWT's `sub`) the holder. Returns the
    /// id, the credential and its VC-JWT.
    pub(super) async fn sign_for_holder(
        &self,
        award: AwardId,
        holder: &str,
    ) -> Result<(String, Value, String), ServiceError> {
        let stored = self.award(award).await?;
        let class = self.badge_class(stored.award.badge_class).await?;
        let issuer = self.issuer(class.issuer).await?;
        let slot = self
            .store
            .status_slot(award)
            .await?
            .ok_or(ServiceError::Unsigned {
                award,
                form: "Open Badges 3.0 credential",
            })?;
        let did = self.issuer_did(issuer.id, &slot.list_key)?;
        let entry = StatusEntry {
            list_url: self.urls.status_list(issuer.id, &slot.list_key),
            index: slot.index,
        };
        // The badge class's endorsements its own credential embeds, as they were.
        let endorsements: Vec<Value> = stored
            .ob3_credential
            .as_deref()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .and_then(|c| {
                c["credentialSubject"]["achievement"]["endorsement"]
                    .as_array()
                    .cloned()
            })
            .unwrap_or_default();
        let mut unsigned = ob3::credential(
            &self.urls,
            &stored.award,
            &class,
            &issuer,
            &did,
            &entry,
            &endorsements,
        );
        let id = format!("urn:uuid:{}", crate::domain::ids::random_uuid());
        ob3::issue_to_holder(&mut unsigned, &id, holder);
        let (credential, jwt) = self.sign_credential(&unsigned, &did, &slot.list_key)?;
        let credential =
            serde_json::from_str(&credential).map_err(|source| ServiceError::Damaged {
                what: "credential just signed",
                source,
            })?;
        Ok((id, credential, jwt))
    }

    /// Signs an unsigned credential of issuer `did` with Ed25519 key `list_key` (Data
    /// Integrity) and the active RSA key (VC-JWT).
    pub(super) fn sign_credential(
        &self,
        unsigned: &Value,
        did: &str,
        list_key: &str,
    ) -> Result<(String, String), ServiceError> {
        let vm = self.verification_method(did, list_key)?;
        // One snapshot of the ring for both proofs.
        let keys = self.keys();
        let mut signed = keys.sign_data_integrity(unsigned, list_key, &vm, self.clock.now())?;
        // `proof` as a one-element array: what the strict 2024 AchievementCredential schema
        // requires, and what every verifier reads (the proof is outside the signed data).
        if let Some(proof) = signed.get_mut("proof") {
            *proof = Value::Array(vec![proof.take()]);
        }
        let claims = ob3::jwt_claims(unsigned).to_string();
        let (_, jwt) = keys.sign_rs256_as(claims.as_bytes(), Some("JWT"), |rsa_kid| {
            self.jwt_kid(did, rsa_kid)
        })?;
        Ok((signed.to_string(), jwt))
    }

    fn signed_status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
        revoked: &[i64],
    ) -> Result<String, ServiceError> {
        let did = self.issuer_did(issuer, list_key)?;
        let now = self.clock.now();
        let unsigned =
            status::list_credential(&self.urls.status_list(issuer, list_key), &did, revoked, now);
        let vm = self.verification_method(&did, list_key)?;
        let signed = self
            .keys()
            .sign_data_integrity(&unsigned, list_key, &vm, now)?;
        Ok(signed.to_string())
    }

    /// Creates (signed, empty) the status list of `issuer` and key `list_key` if it is missing.
    async fn ensure_status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
    ) -> Result<(), ServiceError> {
        if !self.store.status_list_exists(issuer, list_key).await? {
            let credential = self.signed_status_list(issuer, list_key, &[])?;
            self.store
                .create_status_list(issuer, list_key, &credential, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// Rewrites and re-signs the status list holding `award`, from the revocations stored.
    pub(super) async fn refresh_status_list(&self, award: &Award) -> Result<(), ServiceError> {
        let Some(slot) = self.store.status_slot(award.id).await? else {
            return Ok(());
        };
        self.rewrite_list(slot.issuer, &slot.list_key).await
    }

    /// Rewrites and re-signs the status list of `issuer` and `list_key`, from the revocations
    /// (of awards and endorsements) stored.
    pub(super) async fn rewrite_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
    ) -> Result<(), ServiceError> {
        self.store
            .rewrite_status_list(issuer, list_key, self.clock.now(), |revoked| {
                self.signed_status_list(issuer, list_key, revoked)
                    .map_err(|e| e.to_string())
            })
            .await?;
        Ok(())
    }

    /// The signed status list credential, as served.
    pub async fn status_list(
        &self,
        issuer: IssuerId,
        list_key: &str,
    ) -> Result<Value, ServiceError> {
        let text = self
            .store
            .status_list(issuer, list_key)
            .await?
            .ok_or_else(|| {
                ServiceError::not_found("status list", format!("{issuer}/{list_key}"))
            })?;
        serde_json::from_str(&text).map_err(|source| ServiceError::Damaged {
            what: "status list",
            source,
        })
    }

    /// The issuer's did:web DID document: every key of the ring, retired ones included.
    pub async fn did_document(&self, issuer: IssuerId) -> Result<Value, ServiceError> {
        self.issuer(issuer).await?;
        let did = identity::issuer_did_web(&self.urls, issuer).ok_or(ServiceError::NoDidWeb)?;
        Ok(identity::did_document(&did, &self.keys().did_public_keys()))
    }
}
