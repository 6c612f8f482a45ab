//! Loading the e-CAP catalogue: checked as a whole, then saved in one transaction, upserting by
//! code. Awards already issued are never touched (their documents are stored as issued).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{Insigne, ServiceError};
use crate::catalogue::{self, Catalogue};
use crate::domain::ecap::AwardRule;
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

/// What a load would write.
struct Plan {
    issuer: Issuer,
    existing_issuer: Option<Issuer>,
    badges: Vec<CatalogueBadge>,
    /// The badge classes already there, by code.
    current: BTreeMap<String, BadgeClass>,
}

/// How a load would change an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Changed,
    Same,
}

fn same(equal: bool) -> Change {
    if equal {
        Change::Same
    } else {
        Change::Changed
    }
}

/// An entry of a catalogue file, and what loading it would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    /// `issuer`, `framework`, `competency`, `parcours`, `module` or `badge`.
    pub kind: &'static str,
    pub code: String,
    pub name: String,
    pub change: Change,
}

impl EntryChange {
    fn new(kind: &'static str, code: &str, name: &str, change: Change) -> Self {
        Self {
            kind,
            code: code.to_string(),
            name: name.to_string(),
            change,
        }
    }
}

/// A badge a learner would earn once the catalogue is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewlyEarned {
    pub email: String,
    pub badge: String,
}

/// What loading a catalogue would do (a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CataloguePreview {
    pub entries: Vec<EntryChange>,
    /// Learners with completions, all evaluated against the catalogue as it would be.
    pub learners: usize,
    pub awards: Vec<NewlyEarned>,
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

    /// What saving `c` would write: its issuer and badge classes, with the ids they have
    /// (by code) or new ones.
    async fn plan(&self, c: &Catalogue) -> Result<Plan, ServiceError> {
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
        let mut current = BTreeMap::new();
        for b in &c.badges {
            let id = self.store.badge_class_id_by_code(&b.code).await?;
            let created_at = match id {
                Some(id) => {
                    let class = self.badge_class(id).await?;
                    let created_at = class.created_at;
                    current.insert(b.code.clone(), class);
                    created_at
                }
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
            badges.push(CatalogueBadge {
                class,
                code: b.code.clone(),
                rule: b.rule.clone(),
            });
        }
        Ok(Plan {
            issuer,
            existing_issuer: existing,
            badges,
            current,
        })
    }

    /// What loading the catalogue `text` would change, and which learners would newly earn a
    /// badge by it; saves nothing. A refused catalogue gives the same errors as a load.
    pub async fn preview_catalogue(
        &self,
        text: &str,
        base_dir: Option<&Path>,
    ) -> Result<CataloguePreview, ServiceError> {
        let c = catalogue::parse(text, base_dir)?;
        let plan = self.plan(&c).await?;
        let stored = self.store.load_catalogue().await?;
        let mut entries = Vec::new();
        let issuer_change = match &plan.existing_issuer {
            None => Change::New,
            Some(i) => same(
                (&i.name, &i.url, &i.email, &i.description)
                    == (
                        &plan.issuer.name,
                        &plan.issuer.url,
                        &plan.issuer.email,
                        &plan.issuer.description,
                    ),
            ),
        };
        entries.push(EntryChange::new(
            "issuer",
            &c.issuer.code,
            &c.issuer.name,
            issuer_change,
        ));
        for f in &c.frameworks {
            let old = stored.frameworks.iter().find(|o| o.code == f.code);
            let change = match old {
                None => Change::New,
                Some(o) => {
                    same((&o.name, &o.description, &o.url) == (&f.name, &f.description, &f.url))
                }
            };
            entries.push(EntryChange::new("framework", &f.code, &f.name, change));
            for comp in &f.competencies {
                let change =
                    match old.and_then(|o| o.competencies.iter().find(|x| x.code == comp.code)) {
                        None => Change::New,
                        Some(x) => same(x == comp),
                    };
                let code = format!("{}/{}", f.code, comp.code);
                entries.push(EntryChange::new("competency", &code, &comp.name, change));
            }
        }
        for p in &c.parcours {
            let change = match stored.parcours.iter().find(|o| o.code == p.code) {
                None => Change::New,
                Some(o) => same(o == p),
            };
            entries.push(EntryChange::new("parcours", &p.code, &p.title, change));
        }
        for m in &c.modules {
            let change = match stored.modules.iter().find(|o| o.code == m.code) {
                None => Change::New,
                Some(o) => same(o == m),
            };
            entries.push(EntryChange::new("module", &m.code, &m.title, change));
        }
        for b in &plan.badges {
            let rule = stored
                .badges
                .iter()
                .find(|o| o.code == b.code)
                .map(|o| &o.rule);
            let change = match plan.current.get(&b.code) {
                None => Change::New,
                Some(o) => {
                    let n = &b.class;
                    same(
                        (
                            &o.issuer,
                            &o.name,
                            &o.description,
                            &o.image,
                            &o.criteria,
                            &o.alignments,
                            &o.tags,
                            &o.validity_days,
                        ) == (
                            &n.issuer,
                            &n.name,
                            &n.description,
                            &n.image,
                            &n.criteria,
                            &n.alignments,
                            &n.tags,
                            &n.validity_days,
                        ) && rule == Some(&b.rule),
                    )
                }
            };
            entries.push(EntryChange::new("badge", &b.code, &b.class.name, change));
        }
        // The catalogue once loaded: what is stored, each entry replaced by the file's (loads
        // add and update, they never remove).
        let mut modules = stored.modules.clone();
        for m in &c.modules {
            match modules.iter_mut().find(|o| o.code == m.code) {
                Some(o) => *o = m.clone(),
                None => modules.push(m.clone()),
            }
        }
        let mut badges = stored.badges.clone();
        for b in &plan.badges {
            let ruled = crate::storage::RuledBadge {
                id: b.class.id,
                code: b.code.clone(),
                rule: b.rule.clone(),
                name: b.class.name.clone(),
            };
            match badges.iter_mut().find(|o| o.code == b.code) {
                Some(o) => *o = ruled,
                None => badges.push(ruled),
            }
        }
        let learners = self.store.learners_with_completions().await?;
        let mut awards = Vec::new();
        for address in &learners {
            let email = EmailAddress::parse(address)
                .map_err(|e| ServiceError::Storage(crate::storage::StorageError::Corrupt(e)))?;
            let under = super::evaluation::Under {
                modules: &modules,
                series: &c.series,
                badges: &badges,
            };
            if let Some((_, decisions)) = self
                .decisions_under(&email, &under, &Default::default())
                .await?
            {
                awards.extend(decisions.into_iter().map(|d| NewlyEarned {
                    email: address.clone(),
                    badge: d.badge,
                }));
            }
        }
        Ok(CataloguePreview {
            entries,
            learners: learners.len(),
            awards,
        })
    }

    async fn try_save_catalogue(
        &self,
        c: &Catalogue,
        if_empty: bool,
    ) -> Result<Option<CatalogueLoaded>, ServiceError> {
        let now = self.clock.now();
        let Plan {
            issuer,
            badges,
            current,
            ..
        } = self.plan(c).await?;
        let loaded = badges
            .iter()
            .map(|b| LoadedBadge {
                code: b.code.clone(),
                id: b.class.id.to_string(),
                created: !current.contains_key(&b.code),
            })
            .collect();
        let Some(learners_marked) = self
            .store
            .save_catalogue(
                (&issuer, &c.issuer.code),
                &c.frameworks,
                &c.parcours,
                &c.modules,
                &c.series,
                &c.grids,
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

    /// The catalogue as it stands, as a catalogue file: loading it again changes nothing.
    /// Competencies are written `FRAMEWORK:CODE`, images as data URIs, rules as they resolve.
    pub async fn catalogue_toml(&self) -> Result<String, ServiceError> {
        use crate::catalogue::raw::{
            RawBadge, RawCatalogue, RawCompetency, RawFramework, RawIssuer, RawModule, RawParcours,
            RawRule,
        };
        let Some((issuer_id, code)) = self.store.catalogue_issuer().await? else {
            return Err(ServiceError::not_found("catalogue", "(none loaded)"));
        };
        let issuer = self.issuer(issuer_id).await?;
        let stored = self.store.load_catalogue().await?;
        let reference =
            |r: &crate::domain::ecap::CompetencyRef| format!("{}:{}", r.framework, r.code);
        let mut badge = Vec::new();
        for b in &stored.badges {
            let class = self.badge_class(b.id).await?;
            if class.issuer != issuer_id {
                // A file has one issuer: badges ruled in the console for another stay out.
                continue;
            }
            let mut rule = RawRule::default();
            raw_rule(&b.rule, &mut rule);
            badge.push(RawBadge {
                code: b.code.clone(),
                name: class.name,
                description: class.description,
                image: Some(class.image.to_data_uri()),
                criteria: class.criteria.narrative,
                tags: class.tags,
                validity_days: class.validity_days,
                rule,
            });
        }
        let series = stored
            .series
            .iter()
            .map(|s| crate::catalogue::raw::RawSeries {
                code: s.code.clone(),
                name: s.name.clone(),
                prefixes: s.prefixes.clone(),
                titles: s.titles.clone(),
            })
            .collect();
        let grid = stored
            .grids
            .iter()
            .map(|g| crate::catalogue::raw::RawGrid {
                code: g.code.clone(),
                name: g.name.clone(),
                description: g.description.clone(),
                criterion: g
                    .criteria
                    .iter()
                    .map(|k| crate::catalogue::raw::RawCriterion {
                        code: k.code.clone(),
                        label: k.label.clone(),
                        description: k.description.clone(),
                    })
                    .collect(),
            })
            .collect();
        let raw = RawCatalogue {
            series,
            grid,
            issuer: RawIssuer {
                code,
                name: issuer.name,
                url: issuer.url,
                email: issuer.email.to_string(),
                description: issuer.description,
            },
            framework: stored
                .frameworks
                .iter()
                .map(|f| RawFramework {
                    code: f.code.clone(),
                    name: f.name.clone(),
                    description: f.description.clone(),
                    url: f.url.clone(),
                    competency: f
                        .competencies
                        .iter()
                        .map(|c| RawCompetency {
                            code: c.code.clone(),
                            name: c.name.clone(),
                            description: c.description.clone(),
                            url: c.url.clone(),
                        })
                        .collect(),
                })
                .collect(),
            parcours: stored
                .parcours
                .iter()
                .map(|p| RawParcours {
                    code: p.code.clone(),
                    title: p.title.clone(),
                    description: p.description.clone(),
                    moodle_course_id: p.moodle_course_id,
                })
                .collect(),
            module: stored
                .modules
                .iter()
                .map(|m| RawModule {
                    code: m.code.clone(),
                    title: m.title.clone(),
                    parcours: m.parcours.clone(),
                    hours: m.hours,
                    modality: serde_json::to_value(m.modality)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    lms_ids: m.lms_ids.clone(),
                    cmid: m.cmid,
                    competencies: m.competencies.iter().map(reference).collect(),
                })
                .collect(),
            badge,
        };
        let body = toml::to_string(&raw)
            .map_err(|e| ServiceError::Inconsistent(format!("the catalogue as TOML: {e}")))?;
        Ok(format!(
            "# The catalogue as insigne holds it; `insigne catalogue load` reads it back.\n\n{body}"
        ))
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

/// A stored rule as a catalogue file writes it; competencies are written `FRAMEWORK:CODE`.
fn raw_rule(rule: &AwardRule, out: &mut crate::catalogue::raw::RawRule) {
    match rule {
        AwardRule::AllModules { modules } => out.all_modules = Some(modules.clone()),
        AwardRule::AtLeast { count, modules } => {
            out.at_least = Some(*count);
            out.modules = Some(modules.clone());
        }
        AwardRule::AllCompetencies { competencies } => {
            out.all_competencies = Some(
                competencies
                    .iter()
                    .map(|r| format!("{}:{}", r.framework, r.code))
                    .collect(),
            )
        }
        AwardRule::AllBadges { badges } => out.all_badges = Some(badges.clone()),
        AwardRule::SessionsAttended {
            count,
            series,
            min_minutes,
        } => {
            out.sessions_attended = Some(*count);
            out.series = Some(series.clone());
            out.min_minutes = Some(*min_minutes);
        }
        AwardRule::Review {
            grid,
            parcours,
            first,
        } => {
            out.review = Some(grid.clone());
            // A file names the tutors' parcours through the first rule, where it comes from.
            let _ = parcours;
            if let Some(first) = first {
                raw_rule(first, out);
            }
        }
    }
}
