//! One catalogue entry at a time (a framework, a competency, a parcours, a module), as the
//! console edits them: checked like the catalogue file's entries, then saved by code.

use super::{Insigne, ServiceError};
use crate::domain::ecap::{Competency, CompetencyRef, Framework, Modality, Module, Parcours};
use crate::domain::validation::Checker;
use crate::storage::CatalogueEntry;

/// Which entry a form edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Framework,
    Competency { framework: String },
    Parcours,
    Module,
}

/// An entry's fields as a form gives them (those of other kinds are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFields {
    pub code: String,
    /// A framework's or competency's name, a parcours' or module's title.
    pub name: String,
    pub description: String,
    pub url: String,
    pub moodle_course_id: String,
    pub parcours: String,
    pub hours: String,
    pub modality: String,
    /// How imports name a module, one per line.
    pub lms_ids: String,
    pub cmid: String,
    /// `FRAMEWORK:CODE`.
    pub competencies: Vec<String>,
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|s| !s.is_empty())
}

fn whole(c: &mut Checker, field: &str, text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            c.add(field, "must be a whole number above 0");
            None
        }
    }
}

impl Insigne {
    /// Creates (`editing` none) or updates (the entry of code `editing`) one catalogue entry.
    /// Codes are the entries' keys: set at creation, never changed. Returns the entry saved and
    /// how many learners were marked for evaluation.
    pub async fn save_catalogue_entry(
        &self,
        kind: &EntryKind,
        editing: Option<&str>,
        f: &EntryFields,
    ) -> Result<(CatalogueEntry, usize), ServiceError> {
        let stored = self.store.load_catalogue().await?;
        let mut c = Checker::new();
        let code = match editing {
            Some(code) => code.to_string(),
            None => f.code.trim().to_string(),
        };
        if code.is_empty() || code.len() > 50 || code.chars().any(char::is_whitespace) {
            c.add("code", "1 to 50 characters, without spaces");
        }
        let exists = match kind {
            EntryKind::Framework => stored.frameworks.iter().any(|x| x.code == code),
            EntryKind::Competency { framework } => stored
                .frameworks
                .iter()
                .find(|x| &x.code == framework)
                .is_some_and(|x| x.competencies.iter().any(|k| k.code == code)),
            EntryKind::Parcours => stored.parcours.iter().any(|x| x.code == code),
            EntryKind::Module => stored.modules.iter().any(|x| x.code == code),
        };
        match (editing, exists) {
            (None, true) => c.add("code", format!("{code:?} is already used")),
            (Some(_), false) => {
                return Err(ServiceError::not_found("catalogue entry", code));
            }
            _ => {}
        }
        let name = c.text("name", &f.name, 300);
        let description = optional(&f.description);
        let url = optional(&f.url).map(|u| c.http_url("url", &u));
        let entry = match kind {
            EntryKind::Framework => CatalogueEntry::Framework(Framework {
                code,
                name,
                description,
                url,
                competencies: Vec::new(),
            }),
            EntryKind::Competency { framework } => {
                if !stored.frameworks.iter().any(|x| &x.code == framework) {
                    return Err(ServiceError::not_found("framework", framework));
                }
                CatalogueEntry::Competency {
                    framework: framework.clone(),
                    competency: Competency {
                        code,
                        name,
                        description,
                        url,
                    },
                }
            }
            EntryKind::Parcours => CatalogueEntry::Parcours(Parcours {
                code,
                title: name,
                description,
                moodle_course_id: whole(&mut c, "moodle_course_id", &f.moodle_course_id),
            }),
            EntryKind::Module => {
                if !stored.parcours.iter().any(|p| p.code == f.parcours) {
                    c.add("parcours", "choose the parcours of the module");
                }
                let hours = match f.hours.trim().replace(',', ".").parse::<f64>() {
                    Ok(h) if h > 0.0 && h <= 1000.0 => h,
                    _ => {
                        c.add("hours", "a number of hours between 0 and 1000");
                        0.0
                    }
                };
                let modality = match f.modality.as_str() {
                    "presentiel" => Modality::Presentiel,
                    "classe_virtuelle" => Modality::ClasseVirtuelle,
                    "distance" => Modality::Distance,
                    _ => {
                        c.add("modality", "choose how the module is followed");
                        Modality::Distance
                    }
                };
                let mut lms_ids: Vec<String> = Vec::new();
                for line in f.lms_ids.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    if !lms_ids.iter().any(|l| l == line) {
                        lms_ids.push(line.to_string());
                    }
                }
                let mut competencies = Vec::new();
                for text in &f.competencies {
                    let found = text.split_once(':').and_then(|(fw, code)| {
                        let r = CompetencyRef {
                            framework: fw.into(),
                            code: code.into(),
                        };
                        crate::domain::ecap::find_competency(&stored.frameworks, &r).map(|_| r)
                    });
                    match found {
                        Some(r) => competencies.push(r),
                        None => c.add("competencies", format!("no competency {text:?}")),
                    }
                }
                CatalogueEntry::Module(Module {
                    code,
                    title: name,
                    parcours: f.parcours.clone(),
                    hours,
                    modality,
                    lms_ids,
                    cmid: whole(&mut c, "cmid", &f.cmid),
                    competencies,
                })
            }
        };
        c.finish()?;
        let marked = self
            .store
            .save_catalogue_entry(&entry, self.clock.now())
            .await?;
        Ok((entry, marked))
    }
}
