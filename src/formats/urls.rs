//! The public URL of every document insigne serves. Ids in issued badges are built here and
//! nowhere else, so that the router and the formats cannot disagree.

use crate::domain::{AwardId, BadgeClassId, IssuerId};

/// Builds absolute URLs under the public base URL (`INSIGNE_PUBLIC_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    base: String,
}

impl PublicUrls {
    /// `base` is an absolute http(s) URL; a trailing slash is dropped.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn issuer(&self, id: IssuerId) -> String {
        format!("{}/issuers/{id}", self.base)
    }

    pub fn issuer_image(&self, id: IssuerId) -> String {
        format!("{}/issuers/{id}/image", self.base)
    }

    pub fn badge_class(&self, id: BadgeClassId) -> String {
        format!("{}/badge-classes/{id}", self.base)
    }

    pub fn badge_class_image(&self, id: BadgeClassId) -> String {
        format!("{}/badge-classes/{id}/image", self.base)
    }

    /// The OB 2.0 hosted Assertion: its own id.
    pub fn assertion(&self, id: AwardId) -> String {
        format!("{}/assertions/{id}", self.base)
    }

    /// The badge page people open.
    pub fn badge_page(&self, id: AwardId) -> String {
        format!("{}/badges/{id}", self.base)
    }

    /// The OB 2.0 CryptographicKey of an RSA key, as owned by an issuer.
    pub fn issuer_key(&self, issuer: IssuerId, kid: &str) -> String {
        format!("{}/issuers/{issuer}/keys/{kid}", self.base)
    }

    /// The issuer's Profile as signer with one RSA key (see `ob2::issuer_profile`).
    pub fn signer_profile(&self, issuer: IssuerId, kid: &str) -> String {
        format!("{}/issuers/{issuer}/keys/{kid}/profile", self.base)
    }

    /// The BadgeClass that assertions signed with `kid` point at.
    pub fn signer_badge_class(&self, class: BadgeClassId, kid: &str) -> String {
        format!("{}/badge-classes/{class}/keys/{kid}", self.base)
    }

    /// The issuer's OB 2.0 RevocationList.
    pub fn revocation_list(&self, issuer: IssuerId) -> String {
        format!("{}/issuers/{issuer}/revocations", self.base)
    }

    /// The OB 2.0 signed assertion (compact JWS, text/plain).
    pub fn signed_assertion(&self, id: AwardId) -> String {
        format!("{}/assertions/{id}/signed", self.base)
    }

    /// The id inside the signed assertion: not a URL to fetch, the JWS carries the data.
    pub fn signed_assertion_id(&self, id: AwardId) -> String {
        format!("urn:uuid:{id}")
    }

    /// The badge image with the signed assertion baked in.
    pub fn baked_png(&self, id: AwardId) -> String {
        format!("{}/badges/{id}/badge.png", self.base)
    }

    pub fn baked_svg(&self, id: AwardId) -> String {
        format!("{}/badges/{id}/badge.svg", self.base)
    }

    /// The OB 3.0 credential (JSON, with its Data Integrity proof); also its `id`.
    pub fn credential(&self, id: AwardId) -> String {
        format!("{}/credentials/{id}", self.base)
    }

    /// The OB 3.0 credential as a VC-JWT.
    pub fn credential_jwt(&self, id: AwardId) -> String {
        format!("{}/credentials/{id}/jwt", self.base)
    }

    /// The issuer's did:web document.
    pub fn did_document(&self, issuer: IssuerId) -> String {
        format!("{}/issuers/{issuer}/did.json", self.base)
    }

    /// The issuer's BitstringStatusListCredential for credentials signed with Ed25519 key `kid`.
    pub fn status_list(&self, issuer: IssuerId, kid: &str) -> String {
        format!("{}/issuers/{issuer}/status/{kid}", self.base)
    }

    /// A VC-API exchange delivering a badge to a wallet (its id is the capability).
    pub fn wallet_exchange(&self, exchange: &str) -> String {
        format!("{}/wallet/exchanges/{exchange}", self.base)
    }

    /// The interaction URL a wallet scans: the exchange, asking which protocols it speaks.
    pub fn wallet_interaction(&self, exchange: &str) -> String {
        format!("{}?iuv=1", self.wallet_exchange(exchange))
    }

    /// The OpenID4VCI credential offer of an exchange, by reference.
    pub fn credential_offer(&self, exchange: &str) -> String {
        format!("{}/oid4vci/offers/{exchange}", self.base)
    }

    /// OpenID4VCI's token endpoint (the pre-authorized code traded for an access token).
    pub fn oid4vci_token(&self) -> String {
        format!("{}/oid4vci/token", self.base)
    }

    /// OpenID4VCI's nonce endpoint (1.0).
    pub fn oid4vci_nonce(&self) -> String {
        format!("{}/oid4vci/nonce", self.base)
    }

    /// OpenID4VCI's credential endpoint.
    pub fn oid4vci_credential(&self) -> String {
        format!("{}/oid4vci/credential", self.base)
    }

    /// An endorsement's OB 3.0 EndorsementCredential (its id).
    pub fn endorsement(&self, id: crate::domain::EndorsementId) -> String {
        format!("{}/endossements/{id}", self.base)
    }

    pub fn endorsement_jwt(&self, id: crate::domain::EndorsementId) -> String {
        format!("{}/endossements/{id}/jwt", self.base)
    }

    /// An endorsement's OB 2.0 Endorsement (hosted).
    pub fn endorsement_ob2(&self, id: crate::domain::EndorsementId) -> String {
        format!("{}/endossements/{id}/ob2", self.base)
    }

    pub fn jwks(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base)
    }
}
