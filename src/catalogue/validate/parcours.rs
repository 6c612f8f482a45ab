//! `[[parcours]]` and their `[[module]]`s.

use std::collections::{BTreeMap, BTreeSet};

use super::frameworks::Competencies;
use crate::catalogue::raw::{RawModule, RawParcours};
use crate::domain::ecap::{normalize_label, Modality, Module, Parcours};
use crate::domain::validation::Checker;

pub(super) fn parcours(c: &mut Checker, raw: Vec<RawParcours>) -> Vec<Parcours> {
    let mut parcours = Vec::new();
    let mut seen = BTreeSet::new();
    let mut courses: BTreeMap<i64, String> = BTreeMap::new();
    for p in raw {
        let at = format!("parcours[{}]", p.code);
        if !seen.insert(p.code.clone()) {
            c.add(&at, "is defined twice");
        }
        if let Some(id) = p.moodle_course_id {
            if id <= 0 {
                c.add(
                    format!("{at}.moodle_course_id"),
                    "must be a Moodle course id (more than 0)",
                );
            } else if let Some(owner) = courses.insert(id, p.code.clone()) {
                c.add(
                    format!("{at}.moodle_course_id"),
                    format!("course {id} already holds parcours {owner}"),
                );
            }
        }
        parcours.push(Parcours {
            code: c.text(&format!("{at}.code"), &p.code, 50),
            title: c.text(&format!("{at}.title"), &p.title, 300),
            description: c.optional_text(
                &format!("{at}.description"),
                p.description.as_deref(),
                5000,
            ),
            moodle_course_id: p.moodle_course_id,
        });
    }
    parcours
}

pub(super) fn modules(
    c: &mut Checker,
    raw: Vec<RawModule>,
    parcours: &[Parcours],
    competencies: &Competencies<'_>,
) -> Vec<Module> {
    let mut modules = Vec::new();
    let mut seen = BTreeSet::new();
    let mut lms_owner: BTreeMap<String, String> = BTreeMap::new();
    let mut cmids: BTreeMap<i64, String> = BTreeMap::new();
    for m in raw {
        let at = format!("module[{}]", m.code);
        if !seen.insert(m.code.clone()) {
            c.add(&at, "is defined twice");
        }
        if !parcours.iter().any(|p| p.code == m.parcours) {
            c.add(
                format!("{at}.parcours"),
                format!("unknown parcours {:?}", m.parcours),
            );
        }
        if !(m.hours > 0.0 && m.hours <= 1000.0) {
            c.add(
                format!("{at}.hours"),
                "must be more than 0 and at most 1000",
            );
        }
        let modality = match m.modality.as_str() {
            "presentiel" => Some(Modality::Presentiel),
            "classe_virtuelle" => Some(Modality::ClasseVirtuelle),
            "distance" => Some(Modality::Distance),
            other => {
                c.add(
                    format!("{at}.modality"),
                    format!("{other:?} is not one of presentiel, classe_virtuelle, distance"),
                );
                None
            }
        };
        for id in std::iter::once(&m.code).chain(&m.lms_ids) {
            let key = normalize_label(id);
            if let Some(owner) = lms_owner.insert(key, m.code.clone()) {
                if owner != m.code {
                    c.add(
                        format!("{at}.lms_ids"),
                        format!("{id:?} already names module {owner}"),
                    );
                }
            }
        }
        if let Some(cmid) = m.cmid {
            if cmid <= 0 {
                c.add(
                    format!("{at}.cmid"),
                    "must be a Moodle course-module id (more than 0)",
                );
            } else if let Some(owner) = cmids.insert(cmid, m.code.clone()) {
                c.add(
                    format!("{at}.cmid"),
                    format!("course module {cmid} already is module {owner}"),
                );
            }
        }
        let competencies = m
            .competencies
            .iter()
            .enumerate()
            .filter_map(|(i, t)| competencies.resolve(c, &format!("{at}.competencies[{i}]"), t))
            .collect();
        modules.push(Module {
            code: c.text(&format!("{at}.code"), &m.code, 50),
            title: c.text(&format!("{at}.title"), &m.title, 300),
            parcours: m.parcours,
            hours: m.hours,
            modality: modality.unwrap_or(Modality::Distance),
            lms_ids: m
                .lms_ids
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            cmid: m.cmid,
            competencies,
        });
    }
    modules
}
