//! Issuing awards.

use rand::RngCore;

use super::{Insigne, ServiceError};
use crate::domain::award::AwardInput;
use crate::domain::{Award, AwardId, AwardRequest, Invalid};
use crate::formats::ob2;
use crate::storage::StoredAward;

impl Insigne {
    /// Awards a badge class to a recipient: checks the request, fixes every published document and
    /// stores them with the award in one write.
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
        let assertion = ob2::hosted_assertion(&self.urls, &award).to_string();
        self.store.insert_award(&award, &assertion).await?;
        Ok(StoredAward {
            award,
            ob2_assertion: assertion,
        })
    }

    pub async fn award(&self, id: AwardId) -> Result<StoredAward, ServiceError> {
        self.store
            .get_award(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("award", id))
    }
}

/// 128 random bits, hex: unguessable, so the published hash cannot be reversed by trying
/// addresses.
fn new_salt() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
