//! Baked badge images: the badge class's image with the award inside, for verifiers of both
//! generations: the OB 2.0 assertion and the OB 3.0 credential side by side.

use super::{Insigne, ServiceError};
use crate::bake::{self, Generation};
use crate::domain::{AwardId, ImageKind};
use crate::storage::StoredAward;

/// Which OB 2.0 form to bake (the OB 3.0 credential is always baked beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BakedForm {
    /// The signed JWS: the image proves itself without our server (the default).
    #[default]
    Signed,
    /// The hosted Assertion JSON (and its URL).
    Hosted,
}

impl Insigne {
    /// The award baked into a PNG: an `openbadges` chunk and an `openbadgecredential` chunk.
    pub async fn baked_png(&self, id: AwardId, form: BakedForm) -> Result<Vec<u8>, ServiceError> {
        let stored = self.award(id).await?;
        let class = self.badge_class(stored.award.badge_class).await?;
        let ob2 = match form {
            BakedForm::Signed => signed(&stored)?,
            BakedForm::Hosted => stored.ob2_assertion.as_str(),
        }
        .to_string();
        let ob3 = credential(&stored)?.to_string();
        let (kind, image) = (class.image.kind(), class.image.bytes().to_vec());
        // Rasterising an SVG takes milliseconds of one core: on the pool, off the runtime.
        let baked = self
            .cpu
            .run(move || -> Result<Vec<u8>, bake::BakeError> {
                let image = match kind {
                    ImageKind::Png => image,
                    ImageKind::Svg => bake::convert::png_from_svg(&image)?,
                };
                let baked = bake::png::bake(&image, Generation::Ob2, &ob2)?;
                bake::png::bake(&baked, Generation::Ob3, &ob3)
            })
            .await??;
        Ok(baked)
    }

    /// The award baked into an SVG: `<openbadges:assertion>` and `<openbadges:credential>`.
    pub async fn baked_svg(&self, id: AwardId, form: BakedForm) -> Result<Vec<u8>, ServiceError> {
        let stored = self.award(id).await?;
        let class = self.badge_class(stored.award.badge_class).await?;
        let image = match class.image.kind() {
            ImageKind::Svg => class.image.bytes().to_vec(),
            ImageKind::Png => bake::convert::svg_wrapping_png(class.image.bytes())?,
        };
        let baked = match form {
            BakedForm::Signed => {
                bake::svg::bake(&image, Generation::Ob2, Some(signed(&stored)?), None)?
            }
            BakedForm::Hosted => bake::svg::bake(
                &image,
                Generation::Ob2,
                Some(&self.urls.assertion(id)),
                Some(&stored.ob2_assertion),
            )?,
        };
        Ok(bake::svg::bake(
            &baked,
            Generation::Ob3,
            None,
            Some(credential(&stored)?),
        )?)
    }
}

fn signed(stored: &StoredAward) -> Result<&str, ServiceError> {
    stored
        .ob2_signed
        .as_deref()
        .ok_or_else(|| missing(stored, "signed assertion"))
}

fn credential(stored: &StoredAward) -> Result<&str, ServiceError> {
    stored
        .ob3_credential
        .as_deref()
        .ok_or_else(|| missing(stored, "OB 3.0 credential"))
}

fn missing(stored: &StoredAward, form: &'static str) -> ServiceError {
    ServiceError::Unsigned {
        award: stored.award.id,
        form,
    }
}
