//! Issuers, as the admin defines them.

use super::{Insigne, ServiceError};
use crate::domain::{Issuer, IssuerDraft, IssuerId};
use crate::service::inputs::IssuerInput;

impl Insigne {
    pub async fn create_issuer(&self, input: &IssuerInput) -> Result<Issuer, ServiceError> {
        let draft = IssuerDraft::from_input(input)?;
        let issuer = Issuer::new(IssuerId::random(), draft, self.clock.now());
        self.store.save_issuer(&issuer).await?;
        Ok(issuer)
    }

    pub async fn update_issuer(
        &self,
        id: IssuerId,
        input: &IssuerInput,
    ) -> Result<Issuer, ServiceError> {
        let mut issuer = self.issuer(id).await?;
        let draft = IssuerDraft::from_input(input)?;
        issuer.apply(draft, self.clock.now());
        self.store.save_issuer(&issuer).await?;
        Ok(issuer)
    }

    pub async fn issuer(&self, id: IssuerId) -> Result<Issuer, ServiceError> {
        self.store
            .get_issuer(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("issuer", id))
    }

    pub async fn issuers(&self) -> Result<Vec<Issuer>, ServiceError> {
        Ok(self.store.list_issuers().await?)
    }
}
