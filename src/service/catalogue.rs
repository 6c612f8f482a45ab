//! Loading the e-CAP catalogue: checked as a whole, then saved in one transaction, upserting by
//! code. Awards already issued are never touched (their documents are stored as issued).

use std::path::Path;

use serde::Serialize;

use super::{Insigne, ServiceError};
use crate::catalogue::{self, Catalogue};
use crate::domain::{
    Alignment, BadgeClass, BadgeClassId, Criteria, EmailAddress, Image, Invalid, Issuer, IssuerId,
};
use crate::storage::CatalogueBadge;

/// What a load did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueLoaded {
    pub issuer: String,
    pub frameworks: usize,
    pub competencies: usize,
    pub parcours: usize,
    pub modules: usize,
    pub badge_classes: Vec<LoadedBadge>,
    /// Learners with completions, marked for evaluation against the catalogue as loaded: the
    /// workers award what it lets them earn.
    pub learners_marked: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoadedBadge {
    pub code: String,
    pub id: String,
    pub created: bool,
}

impl Insigne {
    /// Parses, checks and saves a catalogue. `base_dir`: where image files it names are read
    /// (`None` over HTTP: images must be data URIs).
    pub async fn load_catalogue(
        &self,
        text: &str,
        base_dir: Option<&Path>,
    ) -> Result<CatalogueLoaded, ServiceError> {
        let catalogue = catalogue::parse(text, base_dir)?;
        self.save_catalogue(&catalogue, false)
            .await?
            .ok_or_else(|| ServiceError::Storage(crate::storage::StorageError::Stale("catalogue")))
    }

    /// Saves a checked catalogue (`if_empty`: only when none is there yet, else `None`). A load
    /// that raced another one reads the entries' ids again and saves once more.
    async fn save_catalogue(
        &self,
        c: &Catalogue,
        if_empty: bool,
    ) -> Result<Option<CatalogueLoaded>, ServiceError> {
        let mut tries = 0;
        loop {
            match self.try_save_catalogue(c, if_empty).await {
                Err(ServiceError::Storage(crate::storage::StorageError::Stale(what)))
                    if tries < 3 =>
                {
                    tries += 1;
                    tracing::info!(what, "the catalogue changed during the load: loading again");
                }
                other => return other,
            }
        }
    }

    async fn try_save_catalogue(
        &self,
        c: &Catalogue,
        if_empty: bool,
    ) -> Result<Option<CatalogueLoaded>, ServiceError> {
        let now = self.clock.now();
        let issuer_id = self.store.issuer_id_by_code(&c.issuer.code).await?;
        let existing = match issuer_id {
            Some(id) => Some(self.issuer(id).await?),
            None => None,
        };
        let issuer = Issuer {
            id: issuer_id.unwrap_or_else(IssuerId::random),
            name: c.issuer.name.clone(),
            url: c.issuer.url.clone(),
            email: EmailAddress::parse(&c.issuer.email)
                .map_err(|e| Invalid::one("issuer.email", e))?,
            description: c.issuer.description.clone(),
            image: existing.as_ref().and_then(|i| i.image.clone()),
            created_at: existing.as_ref().map(|i| i.created_at).unwrap_or(now),
            updated_at: now,
        };
        let mut badges = Vec::new();
        let mut loaded = Vec::new();
        for b in &c.badges {
            let id = self.store.badge_class_id_by_code(&b.code).await?;
            let created_at = match id {
                Some(id) => self.badge_class(id).await?.created_at,
                None => now,
            };
            let alignments = c
                .badge_competencies(b)
                .iter()
                .filter_map(|r| c.competency(r))
                .map(|(f, comp)| Alignment {
                    framework: f.name.clone(),
                    code: comp.code.clone(),
                    name: comp.name.clone(),
                    url: comp.url.clone().or_else(|| f.url.clone()),
                })
                .collect();
            let image = Image::from_data_uri(&b.image)
                .map_err(|e| Invalid::one(format!("badge[{}].image", b.code), e))?;
            let class = BadgeClass {
                id: id.unwrap_or_else(BadgeClassId::random),
                issuer: issuer.id,
                name: b.name.clone(),
                description: b.description.clone(),
                image,
                criteria: Criteria {
                    narrative: Some(b.criteria.clone()),
                    url: None,
                },
                alignments,
                tags: b.tags.clone(),
                validity_days: b.validity_days,
                created_at,
                updated_at: now,
            };
            loaded.push(LoadedBadge {
                code: b.code.clone(),
                id: class.id.to_string(),
                created: id.is_none(),
            });
            badges.push(CatalogueBadge {
                class,
                code: b.code.clone(),
                rule: b.rule.clone(),
            });
        }
        let Some(learners_marked) = self
            .store
            .save_catalogue(
                (&issuer, &c.issuer.code),
                &c.frameworks,
                &c.parcours,
                &c.modules,
                &badges,
                if_empty,
                now,
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(CatalogueLoaded {
            issuer: issuer.id.to_string(),
            frameworks: c.frameworks.len(),
            competencies: c.frameworks.iter().map(|f| f.competencies.len()).sum(),
            parcours: c.parcours.len(),
            modules: c.modules.len(),
            badge_classes: loaded,
            learners_marked,
        }))
    }

    /// Loads the catalogue file at start when the database has none yet.
    pub async fn load_catalogue_if_empty(
        &self,
        path: &Path,
    ) -> Result<Option<CatalogueLoaded>, ServiceError> {
        if self.store.count_modules().await? > 0 {
            return Ok(None);
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            Invalid::one("catalogue", format!("cannot read {}: {e}", path.display()))
        })?;
        let catalogue = catalogue::parse(&text, path.parent())?;
        // Checked again under the lock: another replica may be loading it at this moment.
        self.save_catalogue(&catalogue, true).await
    }
}
