//! `[[framework]]` and their `[[framework.competency]]`, and how modules and rules name a
//! competency: `CODE` when one framework has it, `FRAMEWORK:CODE` always.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalogue::raw::RawFramework;
use crate::domain::ecap::{Competency, CompetencyRef, Framework};
use crate::domain::validation::Checker;

pub(super) fn frameworks(c: &mut Checker, raw: Vec<RawFramework>) -> Vec<Framework> {
    let mut frameworks = Vec::new();
    let mut seen = BTreeSet::new();
    for f in raw {
        let at = format!("framework[{}]", f.code);
        if !seen.insert(f.code.clone()) {
            c.add(&at, "is defined twice");
        }
        let mut competencies = Vec::new();
        let mut seen_comp = BTreeSet::new();
        for comp in f.competency {
            let cat = format!("{at}.competency[{}]", comp.code);
            if !seen_comp.insert(comp.code.clone()) {
                c.add(&cat, "is defined twice");
            }
            competencies.push(Competency {
                code: c.text(&format!("{cat}.code"), &comp.code, 50),
                name: c.text(&format!("{cat}.name"), &comp.name, 300),
                description: c.optional_text(
                    &format!("{cat}.description"),
                    comp.description.as_deref(),
                    5000,
                ),
                url: comp
                    .url
                    .as_deref()
                    .map(|u| c.http_url(&format!("{cat}.url"), u)),
            });
        }
        frameworks.push(Framework {
            code: c.text(&format!("{at}.code"), &f.code, 50),
            name: c.text(&format!("{at}.name"), &f.name, 200),
            description: c.optional_text(
                &format!("{at}.description"),
                f.description.as_deref(),
                5000,
            ),
            url: f
                .url
                .as_deref()
                .map(|u| c.http_url(&format!("{at}.url"), u)),
            competencies,
        });
    }
    frameworks
}

/// Resolves the competency names of modules and rules against the frameworks.
pub(super) struct Competencies<'a> {
    frameworks: &'a [Framework],
    /// A bare competency code resolves when exactly one framework has it.
    by_code: BTreeMap<&'a str, Vec<&'a str>>,
}

impl<'a> Competencies<'a> {
    pub(super) fn new(frameworks: &'a [Framework]) -> Self {
        let mut by_code: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in frameworks {
            for comp in &f.competencies {
                by_code
                    .entry(comp.code.as_str())
                    .or_default()
                    .push(f.code.as_str());
            }
        }
        Competencies {
            frameworks,
            by_code,
        }
    }

    /// The competency `text` names, or an error under `field`.
    pub(super) fn resolve(
        &self,
        c: &mut Checker,
        field: &str,
        text: &str,
    ) -> Option<CompetencyRef> {
        let (frameworks, by_code) = (self.frameworks, &self.by_code);
        if let Some((fw, code)) = text.split_once(':') {
            let (fw, code) = (fw.trim(), code.trim());
            let known = frameworks
                .iter()
                .any(|f| f.code == fw && f.competencies.iter().any(|x| x.code == code));
            if known {
                return Some(CompetencyRef {
                    framework: fw.into(),
                    code: code.into(),
                });
            }
            c.add(field, format!("unknown competency {text:?}"));
            return None;
        }
        match by_code.get(text.trim()).map(Vec::as_slice) {
            Some([fw]) => Some(CompetencyRef {
                framework: (*fw).into(),
                code: text.trim().into(),
            }),
            Some(many) => {
                c.add(
                    field,
                    format!(
                        "{text:?} is in several frameworks ({}): write FRAMEWORK:CODE",
                        many.join(", ")
                    ),
                );
                None
            }
            None => {
                c.add(field, format!("unknown competency {text:?}"));
                None
            }
        }
    }
}
