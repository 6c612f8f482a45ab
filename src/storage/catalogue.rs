//! The catalogue in the database: saved in one transaction (upsert by code, nothing deleted),
//! read back whole for the award engine.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::badge_classes::upsert_badge_class;
use super::issuers::upsert_issuer;
use super::{json_from_db, parse_id, time_to_db, StorageError, Store};
use crate::domain::ecap::{
    AwardRule, Competency, CompetencyRef, Framework, Modality, Module, Parcours,
};
use crate::domain::{BadgeClass, BadgeClassId, Issuer, IssuerId};

/// A badge class of the catalogue: the class and its code and rule.
#[derive(Debug, Clone)]
pub struct CatalogueBadge {
    pub class: BadgeClass,
    pub code: String,
    pub rule: AwardRule,
}

/// A badge class the catalogue awards by a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuledBadge {
    pub id: BadgeClassId,
    /// Its code in the catalogue.
    pub code: String,
    pub rule: AwardRule,
    pub name: String,
}

/// What the award engine needs of the stored catalogue.
#[derive(Debug, Clone, Default)]
pub struct StoredCatalogue {
    pub frameworks: Vec<Framework>,
    pub parcours: Vec<Parcours>,
    pub modules: Vec<Module>,
    /// The series whose sessions participation rules count.
    pub series: Vec<crate::domain::ecap::Series>,
    /// The grids tutors assess badges on request with.
    pub grids: Vec<crate::domain::ecap::ReviewGrid>,
    /// Badge classes with a rule.
    pub badges: Vec<RuledBadge>,
    /// Those badge classes and their issuers when read ahead (`load_rule_classes`, for an
    /// import); otherwise empty, and each award reads its own.
    pub classes: std::collections::BTreeMap<BadgeClassId, (BadgeClass, Issuer)>,
}

impl StoredCatalogue {
    pub fn module(&self, code: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.code == code)
    }

    /// The module an LMS identifier or a module code names (case and spaces ignored).
    pub fn module_by_lms_id(&self, id: &str) -> Option<&Module> {
        crate::domain::ecap::find_module(&self.modules, id)
    }

    pub fn competency(&self, r: &CompetencyRef) -> Option<(&Framework, &Competency)> {
        crate::domain::ecap::find_competency(&self.frameworks, r)
    }
}

fn modality_str(m: Modality) -> &'static str {
    match m {
        Modality::Presentiel => "presentiel",
        Modality::ClasseVirtuelle => "classe_virtuelle",
        Modality::Distance => "distance",
    }
}

impl Store {
    /// The catalogue's issuer (the one with a code, updated last) and its code.
    pub async fn catalogue_issuer(&self) -> Result<Option<(IssuerId, String)>, StorageError> {
        let row = sqlx::query(
            "SELECT id, code FROM issuers WHERE code IS NOT NULL ORDER BY updated_at DESC, id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((parse_id(&r, "id")?, r.try_get("code")?)))
            .transpose()
    }

    pub async fn issuer_id_by_code(&self, code: &str) -> Result<Option<IssuerId>, StorageError> {
        let row = sqlx::query("SELECT id FROM issuers WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse_id(&r, "id")).transpose()
    }

    pub async fn badge_class_id_by_code(
        &self,
        code: &str,
    ) -> Result<Option<BadgeClassId>, StorageError> {
        let row = sqlx::query("SELECT id FROM badge_classes WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse_id(&r, "id")).transpose()
    }

    /// How many modules the catalogue has (0: no catalogue loaded yet).
    pub async fn count_modules(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM modules")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Saves a whole catalogue in one transaction: every entry is inserted or updated by its
    /// code; nothing is deleted, and awards are not touched. Every learner with completions is
    /// marked for evaluation in the same transaction, so a new badge goes to those who already
    /// meet its rule; returns how many were marked. With `if_empty`, saves only when no
    /// catalogue is there yet (`None` otherwise), decided under the catalogue lock, so replicas
    /// starting together load it once. `Stale` when an entry's id by code changed since the
    /// caller read it (a concurrent load): reading again and retrying will do.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_catalogue(
        &self,
        issuer: (&Issuer, &str),
        frameworks: &[Framework],
        parcours: &[Parcours],
        modules: &[Module],
        series: &[crate::domain::ecap::Series],
        grids: &[crate::domain::ecap::ReviewGrid],
        badges: &[CatalogueBadge],
        if_empty: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<usize>, StorageError> {
        let now = time_to_db(at);
        let mut tx = self.pool.begin().await?;
        Store::lock_in(&mut tx, "catalogue", at).await?;
        if if_empty {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM modules")
                .fetch_one(&mut *tx)
                .await?;
            if row.try_get::<i64, _>("n")? > 0 {
                tx.rollback().await?;
                return Ok(None);
            }
        }
        let (issuer, issuer_code) = issuer;
        let current = sqlx::query("SELECT id FROM issuers WHERE code = $1")
            .bind(issuer_code.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if current.is_some_and(|r| parse_id::<IssuerId>(&r, "id").ok() != Some(issuer.id)) {
            return Err(StorageError::Stale("the catalogue's issuer"));
        }
        for b in badges {
            let current = sqlx::query("SELECT id FROM badge_classes WHERE code = $1")
                .bind(b.code.clone())
                .fetch_optional(&mut *tx)
                .await?;
            if current.is_some_and(|r| parse_id::<BadgeClassId>(&r, "id").ok() != Some(b.class.id))
            {
                return Err(StorageError::Stale("a catalogue badge class"));
            }
        }
        upsert_issuer(&mut *tx, issuer, Some(issuer_code)).await?;
        for f in frameworks {
            upsert_framework(&mut tx, f, &now).await?;
            for c in &f.competencies {
                upsert_competency(&mut tx, &f.code, c).await?;
            }
        }
        for p in parcours {
            upsert_parcours(&mut tx, p, &now).await?;
        }
        for m in modules {
            upsert_module(&mut tx, m, &now).await?;
        }
        for s in series {
            super::attendance::upsert_series(&mut tx, s, &now).await?;
        }
        for g in grids {
            super::requests::upsert_grid(&mut tx, g, &now).await?;
        }
        for b in badges {
            upsert_badge_class(&mut *tx, &b.class, Some((&b.code, &b.rule))).await?;
        }
        let marked = super::evaluations::mark_all_in(&mut tx, at, None).await?;
        tx.commit().await?;
        Ok(Some(marked.len()))
    }

    /// The stored catalogue: frameworks, modules and the badge classes that have a rule.
    pub async fn load_catalogue(&self) -> Result<StoredCatalogue, StorageError> {
        let mut out = StoredCatalogue::default();
        for r in sqlx::query("SELECT code, name, description, url FROM frameworks ORDER BY code")
            .fetch_all(&self.pool)
            .await?
        {
            out.frameworks.push(Framework {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                url: r.try_get("url")?,
                competencies: Vec::new(),
            });
        }
        for r in sqlx::query("SELECT framework_code, code, name, description, url FROM competencies ORDER BY framework_code, code")
            .fetch_all(&self.pool)
            .await?
        {
            let fw: String = r.try_get("framework_code")?;
            if let Some(f) = out.frameworks.iter_mut().find(|f| f.code == fw) {
                f.competencies.push(Competency {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    url: r.try_get("url")?,
                });
            }
        }
        for r in sqlx::query(
            "SELECT code, title, description, moodle_course_id FROM parcours ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?
        {
            out.parcours.push(Parcours {
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                description: r.try_get("description")?,
                moodle_course_id: r.try_get("moodle_course_id")?,
            });
        }
        for r in sqlx::query("SELECT code, title, parcours_code, hours, modality, lms_ids, competencies, cmid FROM modules ORDER BY code")
            .fetch_all(&self.pool)
            .await?
        {
            let modality: String = r.try_get("modality")?;
            out.modules.push(Module {
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                parcours: r.try_get("parcours_code")?,
                hours: r.try_get("hours")?,
                modality: serde_json::from_value(serde_json::Value::String(modality.clone()))
                    .map_err(|_| StorageError::Corrupt(format!("unknown modality {modality:?}")))?,
                lms_ids: json_from_db(&r.try_get::<String, _>("lms_ids")?)?,
                competencies: json_from_db(&r.try_get::<String, _>("competencies")?)?,
                cmid: r.try_get("cmid")?,
            });
        }
        for r in sqlx::query(
            "SELECT id, code, rule, name FROM badge_classes WHERE code IS NOT NULL AND rule IS NOT NULL
             ORDER BY created_at, code",
        )
        .fetch_all(&self.pool)
        .await?
        {
            out.badges.push(RuledBadge {
                id: parse_id(&r, "id")?,
                code: r.try_get("code")?,
                rule: json_from_db(&r.try_get::<String, _>("rule")?)?,
                name: r.try_get("name")?,
            });
        }
        out.series = self.load_series().await?;
        out.grids = self.load_grids().await?;
        Ok(out)
    }

    /// Reads ahead the badge classes (images included) and issuers of the catalogue's rules,
    /// worth it for an import that awards many badges, not for one completion.
    pub async fn load_rule_classes(&self, out: &mut StoredCatalogue) -> Result<(), StorageError> {
        for RuledBadge { id, .. } in &out.badges {
            let class = self
                .get_badge_class(*id)
                .await?
                .ok_or_else(|| StorageError::Corrupt(format!("badge class {id} vanished")))?;
            let issuer = self.get_issuer(class.issuer).await?.ok_or_else(|| {
                StorageError::Corrupt(format!("issuer {} vanished", class.issuer))
            })?;
            out.classes.insert(*id, (class, issuer));
        }
        Ok(())
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Creates or updates a framework by code (its competencies apart).
async fn upsert_framework(tx: &mut Tx<'_>, f: &Framework, now: &str) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO frameworks (code, name, description, url, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
         url = excluded.url, updated_at = excluded.updated_at",
    )
    .bind(f.code.clone())
    .bind(f.name.clone())
    .bind(f.description.clone())
    .bind(f.url.clone())
    .bind(now.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_competency(
    tx: &mut Tx<'_>,
    framework: &str,
    c: &Competency,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO competencies (framework_code, code, name, description, url) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (framework_code, code) DO UPDATE SET name = excluded.name,
         description = excluded.description, url = excluded.url",
    )
    .bind(framework.to_string())
    .bind(c.code.clone())
    .bind(c.name.clone())
    .bind(c.description.clone())
    .bind(c.url.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_parcours(tx: &mut Tx<'_>, p: &Parcours, now: &str) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO parcours (code, title, description, moodle_course_id, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET title = excluded.title, description = excluded.description,
         moodle_course_id = excluded.moodle_course_id, updated_at = excluded.updated_at",
    )
    .bind(p.code.clone())
    .bind(p.title.clone())
    .bind(p.description.clone())
    .bind(p.moodle_course_id)
    .bind(now.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_module(tx: &mut Tx<'_>, m: &Module, now: &str) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO modules (code, title, parcours_code, hours, modality, lms_ids, competencies, updated_at, cmid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (code) DO UPDATE SET title = excluded.title, parcours_code = excluded.parcours_code,
         hours = excluded.hours, modality = excluded.modality, lms_ids = excluded.lms_ids,
         competencies = excluded.competencies, updated_at = excluded.updated_at, cmid = excluded.cmid",
    )
    .bind(m.code.clone())
    .bind(m.title.clone())
    .bind(m.parcours.clone())
    .bind(m.hours)
    .bind(modality_str(m.modality).to_string())
    .bind(serde_json::to_string(&m.lms_ids).unwrap_or_else(|_| "[]".into()))
    .bind(serde_json::to_string(&m.competencies).unwrap_or_else(|_| "[]".into()))
    .bind(now.to_string())
    .bind(m.cmid)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One entry of the catalogue, saved on its own (from the console).
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogueEntry {
    Framework(Framework),
    Competency {
        framework: String,
        competency: Competency,
    },
    Parcours(Parcours),
    Module(Module),
}

impl Store {
    /// Creates or updates one catalogue entry by code, under the catalogue lock; learners with
    /// completions are marked for evaluation in the same transaction (a module's competencies
    /// or its parcours may change what the rules award). Returns how many were marked.
    pub async fn save_catalogue_entry(
        &self,
        entry: &CatalogueEntry,
        at: DateTime<Utc>,
    ) -> Result<usize, StorageError> {
        let now = time_to_db(at);
        let mut tx = self.pool.begin().await?;
        Store::lock_in(&mut tx, "catalogue", at).await?;
        match entry {
            CatalogueEntry::Framework(f) => upsert_framework(&mut tx, f, &now).await?,
            CatalogueEntry::Competency {
                framework,
                competency,
            } => upsert_competency(&mut tx, framework, competency).await?,
            CatalogueEntry::Parcours(p) => upsert_parcours(&mut tx, p, &now).await?,
            CatalogueEntry::Module(m) => upsert_module(&mut tx, m, &now).await?,
        }
        let marked = match entry {
            CatalogueEntry::Module(_) | CatalogueEntry::Competency { .. } => {
                super::evaluations::mark_all_in(&mut tx, at, None)
                    .await?
                    .len()
            }
            _ => 0,
        };
        tx.commit().await?;
        Ok(marked)
    }
}
