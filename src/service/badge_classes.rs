//! Badge classes, as the admin defines them.

use super::{Insigne, ServiceError};
use crate::domain::{BadgeClass, BadgeClassDraft, BadgeClassId, Invalid};
use crate::service::inputs::BadgeClassInput;

impl Insigne {
    pub async fn create_badge_class(
        &self,
        input: &BadgeClassInput,
    ) -> Result<BadgeClass, ServiceError> {
        let draft = self.checked_badge_class(input).await?;
        let class = BadgeClass::new(BadgeClassId::random(), draft, self.clock.now());
        self.store.save_badge_class(&class).await?;
        Ok(class)
    }

    pub async fn update_badge_class(
        &self,
        id: BadgeClassId,
        input: &BadgeClassInput,
    ) -> Result<BadgeClass, ServiceError> {
        let mut class = self.badge_class(id).await?;
        let draft = self.checked_badge_class(input).await?;
        class.apply(draft, self.clock.now());
        self.store.save_badge_class(&class).await?;
        Ok(class)
    }

    pub async fn badge_class(&self, id: BadgeClassId) -> Result<BadgeClass, ServiceError> {
        self.store
            .get_badge_class(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("badge class", id))
    }

    pub async fn badge_classes(&self) -> Result<Vec<BadgeClass>, ServiceError> {
        Ok(self.store.list_badge_classes().await?)
    }

    /// The shape checks of the draft, then: does its issuer exist?
    async fn checked_badge_class(
        &self,
        input: &BadgeClassInput,
    ) -> Result<BadgeClassDraft, ServiceError> {
        let draft = BadgeClassDraft::from_input(input)?;
        if self.store.get_issuer(draft.issuer).await?.is_none() {
            return Err(
                Invalid::one("issuer", format!("no issuer with id {}", draft.issuer)).into(),
            );
        }
        Ok(draft)
    }
}
