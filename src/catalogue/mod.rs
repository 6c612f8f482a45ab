//! The e-CAP catalogue: competency frameworks, parcours, modules and the badges they lead to,
//! with their award rules. Read from a TOML file (`raw.rs` as written, `file.rs` parsing; see
//! the README), checked as a whole (`validate/`, one file per section): a catalogue with one
//! bad entry is refused, with the entry and field.

mod file;
pub(crate) mod raw;
mod validate;

use serde::{Deserialize, Serialize};

pub use file::parse;

pub use crate::domain::ecap::{
    find_competency, find_module, find_series, normalize_label, AwardRule, Competency,
    CompetencyRef, Criterion, Framework, Modality, Module, Parcours, ReviewGrid, Series,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerDef {
    pub code: String,
    pub name: String,
    pub url: String,
    pub email: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadgeDef {
    pub code: String,
    pub name: String,
    pub description: String,
    /// A PNG or SVG data URI (a file named in the catalogue is read when the file is parsed).
    pub image: String,
    pub criteria: String,
    pub tags: Vec<String>,
    pub validity_days: Option<i64>,
    pub rule: AwardRule,
}

/// A whole, checked catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    pub issuer: IssuerDef,
    pub frameworks: Vec<Framework>,
    pub parcours: Vec<Parcours>,
    pub modules: Vec<Module>,
    /// The conference series whose sessions participation badges count.
    pub series: Vec<Series>,
    /// The grids tutors assess badges on request with.
    pub grids: Vec<ReviewGrid>,
    pub badges: Vec<BadgeDef>,
}

impl Catalogue {
    pub fn module(&self, code: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.code == code)
    }

    pub fn badge(&self, code: &str) -> Option<&BadgeDef> {
        self.badges.iter().find(|b| b.code == code)
    }

    pub fn competency(&self, r: &CompetencyRef) -> Option<(&Framework, &Competency)> {
        find_competency(&self.frameworks, r)
    }

    /// The module an LMS identifier (or a module code) names. Case and surrounding spaces do not
    /// matter: LMS exports are typed by people.
    pub fn module_by_lms_id(&self, id: &str) -> Option<&Module> {
        find_module(&self.modules, id)
    }

    /// The competencies a badge shows: those of its rule, or of the modules or badges it needs.
    pub fn badge_competencies(&self, badge: &BadgeDef) -> Vec<CompetencyRef> {
        let mut out: Vec<CompetencyRef> = Vec::new();
        self.rule_competencies(&badge.rule, &mut out);
        out
    }

    fn rule_competencies(&self, rule: &AwardRule, out: &mut Vec<CompetencyRef>) {
        let mut push = |r: &CompetencyRef| {
            if !out.contains(r) {
                out.push(r.clone());
            }
        };
        match rule {
            AwardRule::AllModules { modules } | AwardRule::AtLeast { modules, .. } => {
                for m in modules.iter().filter_map(|m| self.module(m)) {
                    m.competencies.iter().for_each(&mut push);
                }
            }
            AwardRule::AllCompetencies { competencies } => competencies.iter().for_each(&mut push),
            AwardRule::AllBadges { badges } => {
                for b in badges.iter().filter_map(|b| self.badge(b)) {
                    // Stackable rules have no cycle (checked at load), so this ends.
                    self.badge_competencies(b).iter().for_each(&mut push);
                }
            }
            // Attending conferences attests no competency of a framework.
            AwardRule::SessionsAttended { .. } => {}
            // A review attests what its first rule attests (the grid is no framework).
            AwardRule::Review { first, .. } => {
                if let Some(first) = first {
                    let mut more = Vec::new();
                    self.rule_competencies(first, &mut more);
                    more.iter().for_each(&mut push);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../examples/catalogue/ecap.toml");

    #[test]
    fn the_example_catalogue_is_valid() {
        let c = parse(EXAMPLE, None).expect("valid");
        assert_eq!(c.frameworks[0].competencies.len(), 9);
        assert_eq!(c.parcours.len(), 3);
        assert_eq!(c.modules.len(), 11);
        assert_eq!(c.badges.len(), 16);
        assert_eq!(c.series.len(), 2);
        assert_eq!(c.grids.len(), 1);
        assert_eq!(c.grids[0].criteria.len(), 7);
        // On request, after the whole of e-CAP1, reviewed by e-CAP1's tutors.
        let Some(AwardRule::Review {
            grid,
            parcours,
            first,
        }) = c.badge("parcours-analyse").map(|b| &b.rule)
        else {
            panic!("parcours-analyse is on request");
        };
        assert_eq!(grid, "grille-qualite");
        assert_eq!(parcours.as_deref(), Some("e-CAP1"));
        assert_eq!(first.as_deref(), c.badge("e-cap1").map(|b| &b.rule));
        assert!(c
            .badge("parcours-analyse")
            .expect("badge")
            .criteria
            .starts_with("Sur demande : une analyse réflexive"));
        // It attests what e-CAP1 attests.
        assert_eq!(
            c.badge_competencies(c.badge("parcours-analyse").expect("badge")),
            c.badge_competencies(c.badge("e-cap1").expect("badge"))
        );
        assert_eq!(
            c.badge("e-cap1").map(|b| &b.rule),
            Some(&AwardRule::AllModules {
                modules: vec![
                    "E1-M1".into(),
                    "E1-M2".into(),
                    "E1-M3".into(),
                    "E1-M4".into()
                ]
            })
        );
        assert!(c
            .badge("e-cap1")
            .expect("badge")
            .criteria
            .starts_with("Avoir terminé les modules : E1-M1 Découvrir"));
        assert_eq!(
            c.module_by_lms_id("  E-CAP2 module 1 : animer une classe virtuelle ")
                .map(|m| m.code.as_str()),
            Some("E2-M1")
        );
        assert_eq!(
            c.module_by_lms_id("e1-m3").map(|m| m.code.as_str()),
            Some("E1-M3")
        );
        let stack = c.badge("formateur-e-formation").expect("badge");
        assert!(c.badge_competencies(stack).len() >= 9);
    }

    fn with(extra: &str) -> Result<Catalogue, crate::domain::Invalid> {
        parse(&format!("{EXAMPLE}\n{extra}"), None)
    }

    fn fields(r: Result<Catalogue, crate::domain::Invalid>) -> Vec<String> {
        r.expect_err("refused")
            .0
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.problem))
            .collect()
    }

    #[test]
    fn bad_references_are_refused_with_entry_and_field() {
        let errors = fields(with(
            "[[badge]]\ncode = \"x\"\nname = \"X\"\ndescription = \"X\"\nrule = { all_modules = [\"E9-M9\"] }\n",
        ));
        assert_eq!(
            errors,
            ["badge[x].rule.modules[0]: unknown module \"E9-M9\""]
        );
        let errors = fields(with(
            "[[badge]]\ncode = \"y\"\nname = \"Y\"\ndescription = \"Y\"\nrule = { all_badges = [\"nope\"] }\n",
        ));
        assert_eq!(
            errors,
            ["badge[y].rule.all_badges[0]: unknown badge \"nope\""]
        );
        let errors = fields(with(
            "[[module]]\ncode = \"Z\"\ntitle = \"Z\"\nparcours = \"e-CAP9\"\nhours = 0\nmodality = \"en ligne\"\ncompetencies = [\"EF10\"]\n",
        ));
        assert_eq!(
            errors,
            [
                "module[Z].parcours: unknown parcours \"e-CAP9\"",
                "module[Z].hours: must be more than 0 and at most 1000",
                "module[Z].modality: \"en ligne\" is not one of presentiel, classe_virtuelle, distance",
                "module[Z].competencies[0]: unknown competency \"EF10\"",
            ]
        );
    }

    #[test]
    fn stackable_cycles_are_refused() {
        let errors = fields(with(
            "[[badge]]\ncode = \"a\"\nname = \"A\"\ndescription = \"A\"\nrule = { all_badges = [\"b\"] }\n\
             [[badge]]\ncode = \"b\"\nname = \"B\"\ndescription = \"B\"\nrule = { all_badges = [\"e-cap1\", \"a\"] }\n",
        ));
        assert_eq!(
            errors,
            ["badge[a].rule: stackable badges form a cycle: a → b → a"]
        );
    }

    #[test]
    fn review_rules_name_a_grid_and_grids_have_criteria() {
        let errors = fields(with(
            "[[badge]]\ncode = \"r\"\nname = \"R\"\ndescription = \"R\"\nrule = { review = \"nope\" }\n\
             [[grid]]\ncode = \"vide\"\nname = \"Vide\"\n\
             [[grid]]\ncode = \"double\"\nname = \"D\"\n[[grid.criterion]]\ncode = \"C\"\nlabel = \"C\"\n[[grid.criterion]]\ncode = \"C\"\nlabel = \" \"\n",
        ));
        assert_eq!(
            errors,
            [
                "grid[vide]: has no criterion: a tutor would have nothing to assess",
                "grid[double].criterion[C]: is defined twice",
                "grid[double].criterion[C].label: must not be empty",
                "badge[r].rule.review: unknown grid \"nope\"",
            ]
        );
        // A review with a first rule checks that rule too; alone, it needs no parcours.
        let errors = fields(with(
            "[[badge]]\ncode = \"r\"\nname = \"R\"\ndescription = \"R\"\nrule = { review = \"grille-qualite\", all_modules = [\"E9-M9\"] }\n",
        ));
        assert_eq!(
            errors,
            ["badge[r].rule.modules[0]: unknown module \"E9-M9\""]
        );
        let c = parse(
            &format!("{EXAMPLE}\n[[badge]]\ncode = \"r\"\nname = \"R\"\ndescription = \"R\"\nrule = {{ review = \"grille-qualite\", at_least = 1, modules = [\"E2-M1\"] }}\n"),
            None,
        )
        .expect("valid");
        assert!(matches!(
            c.badge("r").map(|b| &b.rule),
            Some(AwardRule::Review { parcours: Some(p), first: Some(_), .. }) if p == "e-CAP2"
        ));
    }

    #[test]
    fn toml_errors_say_the_line() {
        let errors = fields(parse("[issuer]\ncode = \"x\"\nname = 5\n", None));
        assert!(errors[0].starts_with("line 3"), "{errors:?}");
    }

    #[test]
    fn moodle_ids_are_positive_and_unique() {
        let errors = fields(with(
            "[[parcours]]\ncode = \"p\"\ntitle = \"P\"\nmoodle_course_id = 4521\n\
             [[parcours]]\ncode = \"q\"\ntitle = \"Q\"\nmoodle_course_id = 0\n\
             [[module]]\ncode = \"M\"\ntitle = \"M\"\nparcours = \"p\"\nhours = 1\nmodality = \"distance\"\ncmid = 81201\n",
        ));
        assert_eq!(
            errors,
            [
                "parcours[p].moodle_course_id: course 4521 already holds parcours e-CAP1",
                "parcours[q].moodle_course_id: must be a Moodle course id (more than 0)",
                "module[M].cmid: course module 81201 already is module E1-M1",
            ]
        );
    }
}
