//! Baked badge images: the badge class's image with the award inside, for verifiers of both
//! generations: the OB 2.0 assertion and the OB 3.0 credential side by side.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::{Insigne, ServiceError};
use crate::bake::{self, Generation};
use crate::domain::{AwardId, ImageKind};
use crate::storage::StoredAward;

/// Rasterised SVGs kept, by the SHA-256 of the SVG: a badge class's image is drawn once, not
/// at every download of every badge (tens of milliseconds of a core each time). A pure
/// memo of a function of the bytes, so a changed image is simply another key; bounded, the
/// oldest going first. Held by the process: nothing is lost when it stops.
const RASTERS_KEPT: usize = 32;

type Rasters = Mutex<VecDeque<([u8; 32], Arc<Vec<u8>>)>>;

fn rasters() -> &'static Rasters {
    static RASTERS: OnceLock<Rasters> = OnceLock::new();
    RASTERS.get_or_init(|| Mutex::new(VecDeque::with_capacity(RASTERS_KEPT)))
}

/// `svg` drawn as a PNG, from the memo when it was drawn before.
fn raster_of(svg: &[u8]) -> Result<Arc<Vec<u8>>, bake::BakeError> {
    let key: [u8; 32] = Sha256::digest(svg).into();
    let known = rasters().lock().ok().and_then(|kept| {
        kept.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, png)| png.clone())
    });
    if let Some(png) = known {
        return Ok(png);
    }
    let png = Arc::new(bake::convert::png_from_svg(svg)?);
    if let Ok(mut kept) = rasters().lock() {
        if !kept.iter().any(|(k, _)| *k == key) {
            if kept.len() >= RASTERS_KEPT {
                kept.pop_front();
            }
            kept.push_back((key, png.clone()));
        }
    }
    Ok(png)
}

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
                let raster;
                let image: &[u8] = match kind {
                    ImageKind::Png => &image,
                    ImageKind::Svg => {
                        raster = raster_of(&image)?;
                        &raster
                    }
                };
                let baked = bake::png::bake(image, Generation::Ob2, &ob2)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_is_drawn_once_and_another_svg_again() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#000091"/></svg>"##;
        let first = raster_of(svg).expect("drawn");
        let again = raster_of(svg).expect("kept");
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second download draws nothing"
        );
        assert!(first.starts_with(b"\x89PNG"));
        let other = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#e1000f"/></svg>"##;
        let drawn = raster_of(other).expect("drawn");
        assert!(!Arc::ptr_eq(&first, &drawn));
        assert_ne!(*first, *drawn);
    }
}
