//! `[[badge]]`: the badges, their images, criteria and award rules; stackable badges without
//! a cycle.

use std::collections::BTreeSet;
use std::path::Path;

use super::frameworks::Competencies;
use crate::catalogue::raw::{RawBadge, RawRule};
use crate::catalogue::BadgeDef;
use crate::domain::ecap::{AwardRule, Module, ReviewGrid, Series};
use crate::domain::validation::Checker;
use crate::domain::Image;

pub(super) fn badges(
    c: &mut Checker,
    raw: Vec<RawBadge>,
    modules: &[Module],
    series: &[Series],
    grids: &[ReviewGrid],
    competencies: &Competencies<'_>,
    base_dir: Option<&Path>,
) -> Vec<BadgeDef> {
    let badge_codes: BTreeSet<String> = raw.iter().map(|b| b.code.clone()).collect();
    let mut badges = Vec::new();
    let mut seen = BTreeSet::new();
    for b in raw {
        let at = format!("badge[{}]", b.code);
        if !seen.insert(b.code.clone()) {
            c.add(&at, "is defined twice");
        }
        let known = Known {
            modules,
            series,
            grids,
            badges: &badge_codes,
            competencies,
        };
        let rule = review_or_rule(c, &at, &b.rule, &known);
        let image = badge_image(c, &at, &b, base_dir);
        if let Some(days) = b.validity_days {
            if !(1..=crate::domain::badge_class::MAX_VALIDITY_DAYS).contains(&days) {
                c.add(format!("{at}.validity_days"), "must be between 1 and 36500");
            }
        }
        let criteria = match b
            .criteria
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) => text.to_string(),
            None => rule
                .as_ref()
                .map(|r| criteria_from_rule(r, modules, series, grids))
                .unwrap_or_default(),
        };
        badges.push(BadgeDef {
            code: c.text(&format!("{at}.code"), &b.code, 100),
            name: c.text(&format!("{at}.name"), &b.name, 200),
            description: c.text(&format!("{at}.description"), &b.description, 5000),
            image,
            criteria,
            tags: b.tags.clone(),
            validity_days: b.validity_days,
            rule: rule.unwrap_or(AwardRule::AllBadges { badges: Vec::new() }),
        });
    }
    if let Some(cycle) = find_cycle(&badges) {
        c.add(
            format!("badge[{}].rule", cycle[0]),
            format!("stackable badges form a cycle: {}", cycle.join(" → ")),
        );
    }
    badges
}

/// What a rule may name.
struct Known<'a> {
    modules: &'a [Module],
    series: &'a [Series],
    grids: &'a [ReviewGrid],
    badges: &'a BTreeSet<String>,
    competencies: &'a Competencies<'a>,
}

/// A rule, or a review on a grid with (optionally) a rule that must hold first.
fn review_or_rule(c: &mut Checker, at: &str, r: &RawRule, k: &Known<'_>) -> Option<AwardRule> {
    let Some(grid) = r.review.as_deref() else {
        return rule(c, at, r, k);
    };
    let field = format!("{at}.rule");
    if !k.grids.iter().any(|g| g.code == grid) {
        c.add(format!("{field}.review"), format!("unknown grid {grid:?}"));
    }
    let rest = RawRule {
        review: None,
        ..r.clone()
    };
    let others = [
        rest.all_modules.is_some(),
        rest.parcours.is_some(),
        rest.at_least.is_some(),
        rest.all_competencies.is_some(),
        rest.all_badges.is_some(),
        rest.sessions_attended.is_some(),
    ];
    let first = if others.iter().any(|f| *f) {
        Some(Box::new(rule(c, at, &rest, k)?))
    } else {
        None
    };
    // Its tutors: those of the parcours named, or of the first module the rule needs.
    let parcours = rest.parcours.clone().or_else(|| {
        let needed: Vec<String> = match first.as_deref() {
            Some(AwardRule::AllModules { modules }) | Some(AwardRule::AtLeast { modules, .. }) => {
                modules.clone()
            }
            _ => Vec::new(),
        };
        needed
            .iter()
            .find_map(|m| k.modules.iter().find(|x| &x.code == m))
            .map(|m| m.parcours.clone())
    });
    Some(AwardRule::Review {
        grid: grid.to_string(),
        parcours,
        first,
    })
}

fn rule(c: &mut Checker, at: &str, r: &RawRule, k: &Known<'_>) -> Option<AwardRule> {
    let (modules, series, badges, competencies) = (k.modules, k.series, k.badges, k.competencies);
    let field = format!("{at}.rule");
    let check_modules = |c: &mut Checker, list: &[String]| {
        for (i, m) in list.iter().enumerate() {
            if !modules.iter().any(|x| &x.code == m) {
                c.add(
                    format!("{field}.modules[{i}]"),
                    format!("unknown module {m:?}"),
                );
            }
        }
        if list.is_empty() {
            c.add(&field, "names no module");
        }
    };
    let forms = [
        r.all_modules.is_some(),
        r.parcours.is_some(),
        r.at_least.is_some(),
        r.all_competencies.is_some(),
        r.all_badges.is_some(),
        r.sessions_attended.is_some(),
    ];
    if forms.iter().filter(|f| **f).count() != 1 {
        c.add(&field, "needs exactly one of all_modules, parcours, at_least (with modules), all_competencies, all_badges, sessions_attended (with series), or review (with one of the others, optionally)");
        return None;
    }
    if (r.series.is_some() || r.min_minutes.is_some()) && r.sessions_attended.is_none() {
        let name = if r.series.is_some() {
            "series"
        } else {
            "min_minutes"
        };
        c.add(format!("{field}.{name}"), "goes with sessions_attended");
        return None;
    }
    if let Some(count) = r.sessions_attended {
        if count == 0 || count > 1000 {
            c.add(
                format!("{field}.sessions_attended"),
                "must be between 1 and 1000",
            );
        }
        let code = match r.series.as_deref() {
            Some(s) if series.iter().any(|x| x.code == s) => s.to_string(),
            Some(s) => {
                c.add(format!("{field}.series"), format!("unknown series {s:?}"));
                s.to_string()
            }
            None => {
                c.add(
                    format!("{field}.series"),
                    "is required with sessions_attended (a [[series]] code)",
                );
                String::new()
            }
        };
        let min_minutes = r.min_minutes.unwrap_or(0);
        if min_minutes > 24 * 60 {
            c.add(
                format!("{field}.min_minutes"),
                "must be at most 1440 (a day)",
            );
        }
        return Some(AwardRule::SessionsAttended {
            count,
            series: code,
            min_minutes,
        });
    }
    if r.modules.is_some() && r.at_least.is_none() {
        c.add(format!("{field}.modules"), "goes with at_least");
        return None;
    }
    if let Some(list) = &r.all_modules {
        check_modules(c, list);
        return Some(AwardRule::AllModules {
            modules: list.clone(),
        });
    }
    if let Some(p) = &r.parcours {
        let list: Vec<String> = modules
            .iter()
            .filter(|m| &m.parcours == p)
            .map(|m| m.code.clone())
            .collect();
        if list.is_empty() {
            c.add(
                format!("{field}.parcours"),
                format!("parcours {p:?} has no module"),
            );
        }
        return Some(AwardRule::AllModules { modules: list });
    }
    if let Some(count) = r.at_least {
        let list = r.modules.clone().unwrap_or_default();
        check_modules(c, &list);
        if count == 0 || count as usize > list.len() {
            c.add(
                format!("{field}.at_least"),
                format!("must be between 1 and the {} modules listed", list.len()),
            );
        }
        return Some(AwardRule::AtLeast {
            count,
            modules: list,
        });
    }
    if let Some(list) = &r.all_competencies {
        if list.is_empty() {
            c.add(&field, "names no competency");
        }
        let competencies = list
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                competencies.resolve(c, &format!("{field}.all_competencies[{i}]"), t)
            })
            .collect();
        return Some(AwardRule::AllCompetencies { competencies });
    }
    if let Some(list) = &r.all_badges {
        if list.is_empty() {
            c.add(&field, "names no badge");
        }
        for (i, b) in list.iter().enumerate() {
            if !badges.contains(b) {
                c.add(
                    format!("{field}.all_badges[{i}]"),
                    format!("unknown badge {b:?}"),
                );
            }
        }
        return Some(AwardRule::AllBadges {
            badges: list.clone(),
        });
    }
    None
}

/// The criteria said in French from the rule, when the catalogue gives none.
fn criteria_from_rule(
    rule: &AwardRule,
    modules: &[Module],
    series: &[Series],
    grids: &[ReviewGrid],
) -> String {
    let title = |code: &String| {
        modules
            .iter()
            .find(|m| &m.code == code)
            .map(|m| format!("{} {}", m.code, m.title))
            .unwrap_or_else(|| code.clone())
    };
    match rule {
        AwardRule::AllModules { modules } => format!(
            "Avoir terminé les modules : {}.",
            modules.iter().map(title).collect::<Vec<_>>().join(" ; ")
        ),
        AwardRule::AtLeast { count, modules } => format!(
            "Avoir terminé au moins {count} des modules : {}.",
            modules.iter().map(title).collect::<Vec<_>>().join(" ; ")
        ),
        AwardRule::AllCompetencies { competencies } => format!(
            "Avoir terminé des modules qui développent les compétences {}.",
            competencies
                .iter()
                .map(|c| c.code.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AwardRule::AllBadges { badges } => format!("Détenir les badges {}.", badges.join(", ")),
        AwardRule::SessionsAttended {
            count,
            series: code,
            min_minutes,
        } => {
            let name = series
                .iter()
                .find(|s| &s.code == code)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| code.clone());
            let each = if *min_minutes > 0 {
                format!(", chacune pendant au moins {min_minutes} minutes")
            } else {
                String::new()
            };
            format!("Avoir suivi au moins {count} sessions de la série « {name} »{each}.")
        }
        AwardRule::Review { grid, first, .. } => {
            let name = grids
                .iter()
                .find(|g| &g.code == grid)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| grid.clone());
            let before = first
                .as_deref()
                .map(|f| {
                    format!(
                        " Condition préalable : {}",
                        criteria_from_rule(f, modules, series, grids)
                    )
                })
                .unwrap_or_default();
            format!(
                "Sur demande : une analyse réflexive et ses preuves, évaluées par un tuteur selon la « {name} ».{before}"
            )
        }
    }
}

fn badge_image(c: &mut Checker, at: &str, b: &RawBadge, base_dir: Option<&Path>) -> String {
    let field = format!("{at}.image");
    let Some(image) = b.image.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return default_image(&b.code);
    };
    if image.starts_with("data:") {
        return match Image::from_data_uri(image) {
            Ok(img) => img.to_data_uri(),
            Err(problem) => {
                c.add(field, problem);
                String::new()
            }
        };
    }
    let Some(dir) = base_dir else {
        c.add(
            field,
            "must be a data URI when the catalogue is sent over HTTP",
        );
        return String::new();
    };
    let path = dir.join(image);
    let kind = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => crate::domain::ImageKind::Png,
        Some("svg") => crate::domain::ImageKind::Svg,
        _ => {
            c.add(
                field,
                format!("{image:?} is neither a .png nor a .svg file"),
            );
            return String::new();
        }
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            c.add(field, format!("cannot read {}: {e}", path.display()));
            return String::new();
        }
    };
    match Image::from_bytes(kind, bytes) {
        Ok(img) => img.to_data_uri(),
        Err(problem) => {
            c.add(field, problem);
            String::new()
        }
    }
}

/// A plain round badge with its code, for catalogue badges without an image of their own.
fn default_image(code: &str) -> String {
    let text: String = code
        .chars()
        .filter(|ch| ch.is_alphanumeric() || *ch == '-')
        .take(12)
        .collect();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><circle cx="128" cy="128" r="120" fill="#000091"/><circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="6"/><text x="128" y="142" font-family="sans-serif" font-size="36" font-weight="bold" fill="#ffffff" text-anchor="middle">{text}</text></svg>"##
    );
    Image::from_bytes(crate::domain::ImageKind::Svg, svg.into_bytes())
        .map(|i| i.to_data_uri())
        .unwrap_or_default()
}

/// A cycle among stackable badges (`a → b → a`), if there is one.
fn find_cycle(badges: &[BadgeDef]) -> Option<Vec<String>> {
    fn visit<'a>(
        code: &'a str,
        badges: &'a [BadgeDef],
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = path.iter().position(|p| *p == code) {
            let mut cycle: Vec<String> = path[pos..].iter().map(|s| s.to_string()).collect();
            cycle.push(code.to_string());
            return Some(cycle);
        }
        if done.contains(code) {
            return None;
        }
        path.push(code);
        if let Some(b) = badges.iter().find(|b| b.code == code) {
            let rule = match &b.rule {
                AwardRule::Review {
                    first: Some(first), ..
                } => first.as_ref(),
                rule => rule,
            };
            if let AwardRule::AllBadges { badges: needs } = rule {
                for n in needs {
                    if let Some(cycle) = visit(n, badges, path, done) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        done.insert(code);
        None
    }
    let mut done = BTreeSet::new();
    for b in badges {
        if let Some(cycle) = visit(&b.code, badges, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}
