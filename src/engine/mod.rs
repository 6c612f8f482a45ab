//! The award engine: given a learner's completed modules, the sessions they attended and the
//! badges they already hold, which badges of the catalogue do they earn now, and why. Pure: no
//! storage, no clock.

pub mod attendance;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::ecap::{AwardRule, CompetencyRef, Module, Series};

pub use attendance::{judge_sessions, AttendanceFact, SessionJudgement, SessionVerdict};

/// A completed module, as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionFact {
    pub module: String,
    pub completed_at: DateTime<Utc>,
}

/// A badge of the catalogue with its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBadge {
    pub code: String,
    pub rule: AwardRule,
}

/// Why a rule is met: the completions (or badges) that satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceStep {
    /// A module the rule needs, completed on that date.
    Module {
        module: String,
        completed_at: DateTime<Utc>,
    },
    /// A competency the rule needs, developed by that completed module.
    Competency {
        framework: String,
        competency: String,
        module: String,
        completed_at: DateTime<Utc>,
    },
    /// A badge the rule needs, held (or earned in the same evaluation).
    Badge { badge: String },
    /// A session of the rule's series, attended long enough.
    Session {
        series: String,
        title: String,
        started_at: DateTime<Utc>,
        minutes: u32,
    },
    /// The trainer's request for the badge, approved by a tutor on that date.
    Review {
        request: String,
        tutor: String,
        approved_at: DateTime<Utc>,
    },
}

/// A request for a badge earned by evidence, approved by a tutor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFact {
    /// The badge's code.
    pub badge: String,
    pub request: String,
    pub tutor: String,
    pub approved_at: DateTime<Utc>,
}

/// A badge earned, with the trace of its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub badge: String,
    pub rule: String,
    pub trace: Vec<TraceStep>,
}

/// The badges earned and not yet held, in catalogue order; stackable badges earned by badges of
/// this same evaluation included (the loop runs until nothing more is earned).
pub fn decide(
    modules: &[Module],
    badges: &[RuleBadge],
    completions: &[CompletionFact],
    held: &BTreeSet<String>,
) -> Vec<Decision> {
    decide_all(
        &Facts {
            modules,
            series: &[],
            completions,
            attendances: &[],
            reviews: &[],
        },
        badges,
        held,
    )
}

/// What the engine knows of a learner and of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub modules: &'a [Module],
    pub series: &'a [Series],
    pub completions: &'a [CompletionFact],
    pub attendances: &'a [AttendanceFact],
    /// The requests approved by a tutor.
    pub reviews: &'a [ReviewFact],
}

/// [`decide`], sessions attended included.
pub fn decide_all(
    facts: &Facts<'_>,
    badges: &[RuleBadge],
    held: &BTreeSet<String>,
) -> Vec<Decision> {
    let (modules, completions) = (facts.modules, facts.completions);
    let mut have: BTreeSet<String> = held.clone();
    let mut decided = Vec::new();
    loop {
        let mut progress = false;
        for badge in badges {
            if have.contains(&badge.code) {
                continue;
            }
            let trace = match &badge.rule {
                AwardRule::Review { first, .. } => reviewed(facts, &badge.code, first, &have),
                AwardRule::SessionsAttended { .. } => {
                    attendance::satisfied(&badge.rule, facts.series, facts.attendances)
                }
                rule => satisfied(rule, modules, completions, &have),
            };
            if let Some(trace) = trace {
                have.insert(badge.code.clone());
                decided.push(Decision {
                    badge: badge.code.clone(),
                    rule: describe(&badge.rule),
                    trace,
                });
                progress = true;
            }
        }
        if !progress {
            return decided;
        }
    }
}

/// A badge earned by evidence: a tutor approved the request for it. What its first rule
/// needed is traced too, when it still holds (it was checked when the request was submitted).
fn reviewed(
    facts: &Facts<'_>,
    badge: &str,
    first: &Option<Box<AwardRule>>,
    have: &BTreeSet<String>,
) -> Option<Vec<TraceStep>> {
    let approved = facts.reviews.iter().find(|r| r.badge == badge)?;
    let mut trace = first
        .as_deref()
        .and_then(|rule| first_trace(facts, rule, have))
        .unwrap_or_default();
    trace.push(TraceStep::Review {
        request: approved.request.clone(),
        tutor: approved.tutor.clone(),
        approved_at: approved.approved_at,
    });
    Some(trace)
}

/// Whether the rule a request needs first holds, with its trace.
pub fn first_trace(
    facts: &Facts<'_>,
    rule: &AwardRule,
    have: &BTreeSet<String>,
) -> Option<Vec<TraceStep>> {
    match rule {
        AwardRule::SessionsAttended { .. } => {
            attendance::satisfied(rule, facts.series, facts.attendances)
        }
        // A review's first rule is never a review (the catalogue's shape).
        AwardRule::Review { .. } => None,
        rule => satisfied(rule, facts.modules, facts.completions, have),
    }
}

fn completion<'a>(completions: &'a [CompletionFact], module: &str) -> Option<&'a CompletionFact> {
    // The earliest completion of the module counts.
    completions
        .iter()
        .filter(|c| c.module == module)
        .min_by_key(|c| c.completed_at)
}

fn satisfied(
    rule: &AwardRule,
    modules: &[Module],
    completions: &[CompletionFact],
    have: &BTreeSet<String>,
) -> Option<Vec<TraceStep>> {
    let module_step = |c: &CompletionFact| TraceStep::Module {
        module: c.module.clone(),
        completed_at: c.completed_at,
    };
    match rule {
        AwardRule::AllModules { modules: needed } => needed
            .iter()
            .map(|m| completion(completions, m).map(module_step))
            .collect(),
        AwardRule::AtLeast {
            count,
            modules: among,
        } => {
            let done: Vec<TraceStep> = among
                .iter()
                .filter_map(|m| completion(completions, m).map(module_step))
                .collect();
            (done.len() >= *count as usize).then_some(done)
        }
        AwardRule::AllCompetencies { competencies } => competencies
            .iter()
            .map(|c| covering(c, modules, completions))
            .collect(),
        AwardRule::AllBadges { badges } => badges
            .iter()
            .map(|b| {
                have.contains(b)
                    .then(|| TraceStep::Badge { badge: b.clone() })
            })
            .collect(),
        // Judged on sessions, by `attendance::satisfied`; reviews by `reviewed`.
        AwardRule::SessionsAttended { .. } | AwardRule::Review { .. } => None,
    }
}

/// The earliest completed module that develops `competency`.
fn covering(
    competency: &CompetencyRef,
    modules: &[Module],
    completions: &[CompletionFact],
) -> Option<TraceStep> {
    modules
        .iter()
        .filter(|m| m.competencies.contains(competency))
        .filter_map(|m| completion(completions, &m.code))
        .min_by_key(|c| c.completed_at)
        .map(|c| TraceStep::Competency {
            framework: competency.framework.clone(),
            competency: competency.code.clone(),
            module: c.module.clone(),
            completed_at: c.completed_at,
        })
}

fn describe(rule: &AwardRule) -> String {
    match rule {
        AwardRule::AllModules { modules } => format!("all modules of {}", modules.join(", ")),
        AwardRule::AtLeast { count, modules } => {
            format!("at least {count} of {}", modules.join(", "))
        }
        AwardRule::AllCompetencies { competencies } => format!(
            "all competencies of {}",
            competencies
                .iter()
                .map(|c| format!("{}:{}", c.framework, c.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AwardRule::AllBadges { badges } => format!("all badges of {}", badges.join(", ")),
        AwardRule::SessionsAttended {
            count,
            series,
            min_minutes,
        } => format!("{count} sessions of {series} attended, {min_minutes} minutes each at least"),
        AwardRule::Review { grid, first, .. } => match first {
            Some(first) => format!("{}, then a request approved on {grid}", describe(first)),
            None => format!("a request approved on {grid}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::parse;

    fn fact(module: &str, day: u32) -> CompletionFact {
        CompletionFact {
            module: module.into(),
            completed_at: format!("2026-03-{day:02}T10:00:00Z").parse().expect("date"),
        }
    }

    fn example() -> (Vec<Module>, Vec<RuleBadge>) {
        let c = parse(include_str!("../../examples/catalogue/ecap.toml"), None).expect("catalogue");
        let badges = c
            .badges
            .iter()
            .map(|b| RuleBadge {
                code: b.code.clone(),
                rule: b.rule.clone(),
            })
            .collect();
        (c.modules, badges)
    }

    fn codes(d: &[Decision]) -> Vec<&str> {
        d.iter().map(|x| x.badge.as_str()).collect()
    }

    #[test]
    fn a_badge_on_request_needs_an_approved_request_and_traces_it() {
        let (modules, badges) = example();
        let all_e_cap1: Vec<CompletionFact> = ["E1-M1", "E1-M2", "E1-M3", "E1-M4"]
            .iter()
            .map(|m| fact(m, 3))
            .collect();
        let approved = ReviewFact {
            badge: "parcours-analyse".into(),
            request: "req-1".into(),
            tutor: "tuteur@ac-versailles.fr".into(),
            approved_at: "2026-04-01T09:00:00Z".parse().expect("date"),
        };
        let decide_with = |completions: &[CompletionFact], reviews: &[ReviewFact]| {
            decide_all(
                &Facts {
                    modules: &modules,
                    series: &[],
                    completions,
                    attendances: &[],
                    reviews,
                },
                &badges,
                &BTreeSet::new(),
            )
        };
        // Completing e-CAP1 earns e-CAP1 and its competency badges, never the one on request.
        let earned = decide_with(&all_e_cap1, &[]);
        assert!(earned.iter().any(|d| d.badge == "e-cap1"));
        assert!(!earned.iter().any(|d| d.badge == "parcours-analyse"));
        // Approved: earned, with the modules of its first rule and the approval traced.
        let earned = decide_with(&all_e_cap1, std::slice::from_ref(&approved));
        let d = earned
            .iter()
            .find(|d| d.badge == "parcours-analyse")
            .expect("earned on approval");
        assert_eq!(d.trace.len(), 5, "{:?}", d.trace);
        assert_eq!(
            d.trace.last(),
            Some(&TraceStep::Review {
                request: "req-1".into(),
                tutor: "tuteur@ac-versailles.fr".into(),
                approved_at: approved.approved_at,
            })
        );
        assert_eq!(
            d.rule,
            "all modules of E1-M1, E1-M2, E1-M3, E1-M4, then a request approved on grille-qualite"
        );
        // An approval for another badge earns nothing here.
        let other = ReviewFact {
            badge: "autre".into(),
            ..approved.clone()
        };
        assert!(!decide_with(&[], &[other])
            .iter()
            .any(|d| d.badge == "parcours-analyse"));
    }

    #[test]
    fn a_parcours_completed_gives_its_badge_and_its_competencies() {
        let (modules, badges) = example();
        let done = [
            fact("E1-M1", 2),
            fact("E1-M2", 9),
            fact("E1-M3", 16),
            fact("E1-M4", 23),
        ];
        let d = decide(&modules, &badges, &done, &BTreeSet::new());
        assert_eq!(codes(&d), ["e-cap1", "ef1", "ef2", "ef3", "ef4", "ef9"]);
        assert_eq!(d[0].trace.len(), 4);
        // EF1 is developed by E1-M2 and E1-M3: the earliest counts.
        assert_eq!(
            d[1].trace,
            [TraceStep::Competency {
                framework: "EF".into(),
                competency: "EF1".into(),
                module: "E1-M2".into(),
                completed_at: fact("E1-M2", 9).completed_at
            }]
        );
    }

    #[test]
    fn nothing_is_earned_twice_and_stackables_follow() {
        let (modules, badges) = example();
        let mut done: Vec<CompletionFact> = [
            "E1-M1", "E1-M2", "E1-M3", "E1-M4", "E2-M1", "E2-M2", "E2-M3", "E2-M4", "E3-M1",
            "E3-M2",
        ]
        .iter()
        .enumerate()
        .map(|(i, m)| fact(m, i as u32 + 1))
        .collect();
        let first = decide(&modules, &badges, &done, &BTreeSet::new());
        assert!(!codes(&first).contains(&"formateur-e-formation"));
        let held: BTreeSet<String> = first.iter().map(|d| d.badge.clone()).collect();
        done.push(fact("E3-M3", 20));
        let second = decide(&modules, &badges, &done, &held);
        assert_eq!(codes(&second), ["e-cap3", "ef8", "formateur-e-formation"]);
        let last = &second[2];
        assert_eq!(last.trace.len(), 3);
        assert!(decide(
            &modules,
            &badges,
            &done,
            &held
                .into_iter()
                .chain(second.iter().map(|d| d.badge.clone()))
                .collect()
        )
        .is_empty());
    }

    #[test]
    fn at_least_counts() {
        let (modules, _) = example();
        let badges = [RuleBadge {
            code: "deux".into(),
            rule: AwardRule::AtLeast {
                count: 2,
                modules: vec!["E1-M1".into(), "E2-M1".into(), "E3-M1".into()],
            },
        }];
        assert!(decide(&modules, &badges, &[fact("E1-M1", 1)], &BTreeSet::new()).is_empty());
        let d = decide(
            &modules,
            &badges,
            &[fact("E1-M1", 1), fact("E3-M1", 2)],
            &BTreeSet::new(),
        );
        assert_eq!(d[0].trace.len(), 2);
    }
}
