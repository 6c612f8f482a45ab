//! The catalogue file as written, before any check: what TOML gives, entry by entry.

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalogue {
    pub issuer: RawIssuer,
    #[serde(default)]
    pub framework: Vec<RawFramework>,
    #[serde(default)]
    pub parcours: Vec<RawParcours>,
    #[serde(default)]
    pub module: Vec<RawModule>,
    #[serde(default)]
    pub series: Vec<RawSeries>,
    #[serde(default)]
    pub grid: Vec<RawGrid>,
    #[serde(default)]
    pub badge: Vec<RawBadge>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGrid {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub criterion: Vec<RawCriterion>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCriterion {
    pub code: String,
    pub label: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeries {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub titles: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIssuer {
    pub code: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFramework {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub competency: Vec<RawCompetency>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCompetency {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParcours {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub moodle_course_id: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModule {
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

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBadge {
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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub all_modules: Option<Vec<String>>,
    pub parcours: Option<String>,
    pub at_least: Option<u32>,
    pub modules: Option<Vec<String>>,
    pub all_competencies: Option<Vec<String>>,
    pub all_badges: Option<Vec<String>>,
    pub sessions_attended: Option<u32>,
    pub series: Option<String>,
    pub min_minutes: Option<u32>,
    /// Earned by evidence reviewed on this grid (with, optionally, one of the rules above
    /// that must hold first).
    pub review: Option<String>,
}
