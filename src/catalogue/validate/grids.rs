//! `[[grid]]`: the review grids tutors assess badges on request with, criterion by criterion.

use std::collections::BTreeSet;

use crate::catalogue::raw::RawGrid;
use crate::domain::ecap::{Criterion, ReviewGrid};
use crate::domain::validation::Checker;

/// A grid has at most this many criteria: a tutor assesses each one.
const MAX_CRITERIA: usize = 30;

pub(super) fn grids(c: &mut Checker, raw: Vec<RawGrid>) -> Vec<ReviewGrid> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for g in raw {
        let at = format!("grid[{}]", g.code);
        if !seen.insert(g.code.clone()) {
            c.add(&at, "is defined twice");
        }
        if g.criterion.is_empty() {
            c.add(
                &at,
                "has no criterion: a tutor would have nothing to assess",
            );
        }
        if g.criterion.len() > MAX_CRITERIA {
            c.add(&at, format!("has more than {MAX_CRITERIA} criteria"));
        }
        let mut codes = BTreeSet::new();
        let criteria = g
            .criterion
            .iter()
            .map(|k| {
                let here = format!("{at}.criterion[{}]", k.code);
                if !codes.insert(k.code.clone()) {
                    c.add(&here, "is defined twice");
                }
                Criterion {
                    code: c.text(&format!("{here}.code"), &k.code, 50),
                    label: c.text(&format!("{here}.label"), &k.label, 300),
                    description: k
                        .description
                        .as_deref()
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                }
            })
            .collect();
        out.push(ReviewGrid {
            code: c.text(&format!("{at}.code"), &g.code, 100),
            name: c.text(&format!("{at}.name"), &g.name, 200),
            description: g
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            criteria,
        });
    }
    out
}
