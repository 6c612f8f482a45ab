//! The catalogue file (TOML). Its shape, entry by entry:
//!
//! ```toml
//! [issuer]                      # who awards the catalogue's badges (upserted by code)
//! code = "dane-versailles"
//! name = "…"; url = "https://…"; email = "…"; description = "…"   # description optional
//!
//! [[framework]]                 # a competency framework…
//! code = "EF"; name = "…"; description = "…"; url = "…"           # description, url optional
//! [[framework.competency]]      # …and its competencies
//! code = "EF1"; name = "…"; description = "…"; url = "…"          # description, url optional
//!
//! [[parcours]]
//! code = "e-CAP1"; title = "…"; description = "…"
//! moodle_course_id = 4521       # optional: the Moodle course `insigne moodle sync` reads
//!
//! [[module]]
//! code = "E1-M1"; title = "…"; parcours = "e-CAP1"; hours = 3
//! modality = "distance"         # presentiel | classe_virtuelle | distance
//! lms_ids = ["…"]               # how imports name it (activity name, id number)
//! cmid = 81234                  # optional: the course-module id of its Moodle activity
//! competencies = ["EF3", "CRCN:2.1"]   # CODE when unique, else FRAMEWORK:CODE
//!
//! [[badge]]
//! code = "e-cap1"; name = "…"; description = "…"
//! image = "images/e-cap1.svg"   # optional: a file next to the catalogue or a data URI
//! criteria = "…"                # optional: said from the rule otherwise
//! tags = ["…"]; validity_days = 1095                                  # optional
//! rule = { all_modules = ["E1-M1", "E1-M2"] }          # or { parcours = "e-CAP1" }
//! #    = { at_least = 2, modules = ["…"] }
//! #    = { all_competencies = ["EF1"] }
//! #    = { all_badges = ["e-cap1", "e-cap2"] }          # stackable
//! ```

use std::path::Path;

use serde::Deserialize;

use super::validate::validate;
use super::Catalogue;
use crate::domain::Invalid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalogue {
    pub issuer: RawIssuer,
    #[serde(default)]
    pub framework: Vec<RawFramework>,
    #[serde(default)]
    pub parcours: Vec<RawParcours>,
    #[serde(default)]
    pub module: Vec<RawModule>,
    #[serde(default)]
    pub badge: Vec<RawBadge>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIssuer {
    pub code: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFramework {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub competency: Vec<RawCompetency>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompetency {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParcours {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub moodle_course_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModule {
    pub code: String,
    pub title: String,
    pub parcours: String,
    pub hours: f64,
    pub modality: String,
    #[serde(default)]
    pub lms_ids: Vec<String>,
    pub cmid: Option<i64>,
    #[serde(default)]
    pub competencies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBadge {
    pub code: String,
    pub name: String,
    pub description: String,
    pub image: Option<String>,
    pub criteria: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub validity_days: Option<i64>,
    pub rule: RawRule,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub all_modules: Option<Vec<String>>,
    pub parcours: Option<String>,
    pub at_least: Option<u32>,
    pub modules: Option<Vec<String>>,
    pub all_competencies: Option<Vec<String>>,
    pub all_badges: Option<Vec<String>>,
}

/// Parses and checks a catalogue. `base_dir` is where image files it names are read from
/// (`None`: only data URIs are accepted, as for a catalogue sent over HTTP).
pub fn parse(text: &str, base_dir: Option<&Path>) -> Result<Catalogue, Invalid> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            })
            .unwrap_or_else(|| "catalogue".into());
        Invalid::one(at, e.message().to_string())
    })?;
    validate(raw, base_dir)
}
