//! Delivering a trainer's badge to their wallet. The signed-in trainer starts an exchange for
//! one of their badges; a wallet that holds the exchange's URL (a QR code, a link) proves
//! control of a DID and receives a credential of the badge issued to that DID. The exchange is
//! a capability: unguessable, single use, 15 minutes.

use chrono::Duration;
use serde_json::{json, Value};

use super::{Insigne, ServiceError};
use crate::auth::secrets::new_link_secret;
use crate::domain::{AwardId, EmailAddress};
use crate::proof::presentation::{verify_did_auth, PresentationError};
use crate::storage::{Delivery, WalletExchange};

/// How long an exchange may be used.
pub const EXCHANGE_MINUTES: i64 = 15;
/// How many exchanges a trainer may start in [`EXCHANGE_MINUTES`]: a few retries, not a flood.
pub const EXCHANGES_PER_TRAINER: usize = 20;

/// Why a wallet gets no credential.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// No such exchange (or not the signed-in trainer's).
    #[error("no such exchange")]
    Unknown,
    /// It delivered its credential already.
    #[error("this exchange has been used; ask for a new one on \"mes badges\"")]
    Used,
    #[error("this exchange has expired; ask for a new one on \"mes badges\"")]
    Expired,
    /// The badge is revoked or has expired: no wallet should receive it.
    #[error("this badge can no longer be added to a wallet: {0}")]
    NotDeliverable(&'static str),
    /// The trainer started too many exchanges lately.
    #[error("too many wallet deliveries asked for in the last minutes; try again later")]
    TooMany,
    /// What the wallet sent does not prove a holder.
    #[error("the presentation is refused: {0}")]
    Refused(#[from] PresentationError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::storage::StorageError> for WalletError {
    fn from(e: crate::storage::StorageError) -> Self {
        WalletError::Service(e.into())
    }
}

/// A credential delivered to a holder.
#[derive(Debug, Clone)]
pub struct HolderCredential {
    pub id: String,
    /// With its Data Integrity proof.
    pub credential: Value,
    pub jwt: String,
}

impl Insigne {
    /// Starts an exchange for badge `award` of the signed-in trainer `email`.
    pub async fn start_wallet_exchange(
        &self,
        email: &EmailAddress,
        award: AwardId,
    ) -> Result<WalletExchange, WalletError> {
        let stored = self
            .store
            .get_award(award)
            .await?
            .ok_or(WalletError::Unknown)?;
        if &stored.award.recipient.email != email {
            return Err(WalletError::Unknown);
        }
        let now = self.clock.now();
        deliverable(&stored.award, now)?;
        let recent = self
            .store
            .wallet_exchanges_of(email.as_str())
            .await?
            .iter()
            .filter(|e| e.created_at > now - Duration::minutes(EXCHANGE_MINUTES))
            .count();
        if recent >= EXCHANGES_PER_TRAINER {
            return Err(WalletError::TooMany);
        }
        let exchange = WalletExchange {
            id: new_link_secret(),
            award,
            email: email.to_string(),
            challenge: new_link_secret(),
            pre_authorized_code: Some(new_link_secret()),
            created_at: now,
            expires_at: now + Duration::minutes(EXCHANGE_MINUTES),
            completed_at: None,
            protocol: None,
            holder: None,
            credential_id: None,
        };
        self.store.create_wallet_exchange(&exchange).await?;
        Ok(exchange)
    }

    /// Exchange `id` as its trainer sees it (used or expired ones too).
    pub async fn my_wallet_exchange(
        &self,
        email: &EmailAddress,
        id: &str,
    ) -> Result<WalletExchange, WalletError> {
        self.store
            .wallet_exchange(id)
            .await?
            .filter(|e| e.email == email.to_string())
            .ok_or(WalletError::Unknown)
    }

    /// Exchange `id` while a wallet may still use it.
    pub async fn open_wallet_exchange(&self, id: &str) -> Result<WalletExchange, WalletError> {
        let exchange = self
            .store
            .wallet_exchange(id)
            .await?
            .ok_or(WalletError::Unknown)?;
        if exchange.completed_at.is_some() {
            return Err(WalletError::Used);
        }
        if exchange.expires_at <= self.clock.now() {
            return Err(WalletError::Expired);
        }
        Ok(exchange)
    }

    /// The domain a holder's DIDAuth proof is bound to: this service's host.
    pub fn wallet_domain(&self) -> String {
        url::Url::parse(self.urls.base())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// What a VC-API exchange answers a wallet's first `POST {}`: a request that it prove
    /// control of a DID, by signing a presentation with the exchange's challenge.
    pub fn did_auth_request(&self, exchange: &WalletExchange) -> Value {
        let url = self.urls.wallet_exchange(&exchange.id);
        json!({
            "verifiablePresentationRequest": {
                "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}],
                "challenge": exchange.challenge,
                "domain": self.wallet_domain(),
                "interact": {"service": [{"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": url}]}
            }
        })
    }

    /// Completes a VC-API exchange with the wallet's signed presentation: the credential
    /// issued to its holder, once.
    pub async fn complete_vcapi_exchange(
        &self,
        id: &str,
        presentation: Value,
    ) -> Result<HolderCredential, WalletError> {
        let exchange = self.open_wallet_exchange(id).await?;
        let challenge = exchange.challenge.clone();
        let domain = self.wallet_domain();
        // The presentation's canonical form may take the general JSON-LD path: off the runtime.
        let holder = crate::cpu::run_on(Some(&self.cpu), move || {
            verify_did_auth(&presentation, &challenge, &domain)
        })
        .await
        .map_err(ServiceError::from)??;
        self.deliver(&exchange, "vcapi", &holder).await
    }

    /// Issues the exchange's badge to `holder` and records the delivery, exactly once: when two
    /// wallets race, the second gets [`WalletError::Used`] and its credential is never shown.
    pub async fn deliver(
        &self,
        exchange: &WalletExchange,
        protocol: &str,
        holder: &str,
    ) -> Result<HolderCredential, WalletError> {
        let stored = self.award(exchange.award).await?;
        deliverable(&stored.award, self.clock.now())?;
        let (id, credential, jwt) = self.sign_for_holder(exchange.award, holder).await?;
        let delivery = Delivery {
            protocol,
            holder,
            credential_id: &id,
        };
        if !self
            .store
            .complete_wallet_exchange(&exchange.id, &delivery, self.clock.now())
            .await?
        {
            return Err(WalletError::Used);
        }
        tracing::info!(award = %exchange.award, protocol, "badge delivered to a wallet");
        Ok(HolderCredential {
            id,
            credential,
            jwt,
        })
    }
}

/// Whether `award` may still go to a wallet: neither revoked nor expired.
pub(super) fn deliverable(
    award: &crate::domain::Award,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), WalletError> {
    if award.revocation.is_some() {
        return Err(WalletError::NotDeliverable("it has been revoked"));
    }
    if award.is_expired(now) {
        return Err(WalletError::NotDeliverable("it has expired"));
    }
    Ok(())
}
