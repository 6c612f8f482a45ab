//! The e-CAP vocabulary: competency frameworks and their competencies, parcours, their modules
//! (with how they are followed) and the rules by which badges are earned. The catalogue file
//! (`catalogue/`) is one way to write them; storage and the rule engine speak these types.

use serde::{Deserialize, Serialize};

/// How a module is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Presentiel,
    ClasseVirtuelle,
    Distance,
}

impl Modality {
    /// In French, as the badge pages and evidence say it.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Presentiel => "présentiel",
            Modality::ClasseVirtuelle => "classe virtuelle",
            Modality::Distance => "à distance",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competency {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub competencies: Vec<Competency>,
}

/// A competency named by its framework and code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CompetencyRef {
    pub framework: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcours {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    /// The Moodle course that holds it, for `insigne moodle sync`.
    pub moodle_course_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    pub code: String,
    pub title: String,
    pub parcours: String,
    pub hours: f64,
    pub modality: Modality,
    /// The identifiers that recognise the module in LMS imports (activity names, id numbers).
    pub lms_ids: Vec<String>,
    /// The Moodle course-module id of its activity, for `insigne moodle sync` (which otherwise
    /// matches the activity's name against `lms_ids`).
    pub cmid: Option<i64>,
    pub competencies: Vec<CompetencyRef>,
}

/// When a badge is earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AwardRule {
    /// Every module of the set completed.
    AllModules { modules: Vec<String> },
    /// At least `count` modules of the set completed.
    AtLeast { count: u32, modules: Vec<String> },
    /// Every competency of the set developed by some completed module.
    AllCompetencies { competencies: Vec<CompetencyRef> },
    /// Every badge of the set held (stackable badges).
    AllBadges { badges: Vec<String> },
    /// At least `count` sessions of the series attended, each for `min_minutes` at least.
    SessionsAttended {
        count: u32,
        series: String,
        min_minutes: u32,
    },
    /// Earned by evidence: the trainer applies, a tutor assesses the request on the review
    /// `grid` and approves it. The `first` rule, when there is one, must hold before the
    /// request can be submitted; `parcours` is whose tutors review it.
    Review {
        grid: String,
        parcours: Option<String>,
        first: Option<Box<AwardRule>>,
    },
}

/// One criterion of a review grid: what a tutor assesses as met or not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub label: String,
    pub description: Option<String>,
}

/// A review grid (« grille d'analyse qualité »): the criteria a tutor assesses a request on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewGrid {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub criteria: Vec<Criterion>,
}

/// A series of sessions in virtual classes (a conference cycle), and how an attendance export's
/// session is recognised as one of its: its title starts with one of `prefixes`, or is one of
/// `titles` (compared by [`normalize_label`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub code: String,
    pub name: String,
    pub prefixes: Vec<String>,
    pub titles: Vec<String>,
}

impl Series {
    /// Whether a session of that title belongs to the series.
    pub fn holds(&self, title: &str) -> bool {
        let t = normalize_label(title);
        self.titles.iter().any(|x| normalize_label(x) == t)
            || self
                .prefixes
                .iter()
                .any(|p| t.starts_with(&normalize_label(p)))
    }
}

/// The series a session of that title belongs to (the catalogue lets it be one at most).
pub fn find_series<'a>(series: &'a [Series], title: &str) -> Option<&'a Series> {
    series.iter().find(|s| s.holds(title))
}

/// Labels compared the way people type them (LMS activity names, CSV headers): case, runs of
/// spaces and typographic apostrophes do not matter.
pub fn normalize_label(s: &str) -> String {
    s.replace(['’', '`'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The module a code or one of its LMS identifiers names.
pub fn find_module<'a>(modules: &'a [Module], id: &str) -> Option<&'a Module> {
    let wanted = normalize_label(id);
    modules.iter().find(|m| {
        normalize_label(&m.code) == wanted || m.lms_ids.iter().any(|l| normalize_label(l) == wanted)
    })
}

/// A competency and its framework.
pub fn find_competency<'a>(
    frameworks: &'a [Framework],
    r: &CompetencyRef,
) -> Option<(&'a Framework, &'a Competency)> {
    let f = frameworks.iter().find(|f| f.code == r.framework)?;
    Some((f, f.competencies.iter().find(|c| c.code == r.code)?))
}
