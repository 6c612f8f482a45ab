//! `[[series]]`: the conference cycles whose sessions participation badges count, and how a
//! session of an attendance export is recognised as one of theirs.

use std::collections::BTreeSet;

use crate::catalogue::raw::RawSeries;
use crate::domain::ecap::{normalize_label, Series};
use crate::domain::validation::Checker;

pub(super) fn series(c: &mut Checker, raw: Vec<RawSeries>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let mut seen = BTreeSet::new();
    for s in raw {
        let at = format!("series[{}]", s.code);
        if !seen.insert(s.code.clone()) {
            c.add(&at, "is defined twice");
        }
        if s.prefixes.is_empty() && s.titles.is_empty() {
            c.add(
                &at,
                "needs prefixes or titles: how a session is recognised as one of the series",
            );
        }
        for (field, list) in [("prefixes", &s.prefixes), ("titles", &s.titles)] {
            for (i, text) in list.iter().enumerate() {
                if normalize_label(text).is_empty() {
                    c.add(format!("{at}.{field}[{i}]"), "is empty");
                }
            }
        }
        let series = Series {
            code: c.text(&format!("{at}.code"), &s.code, 100),
            name: c.text(&format!("{at}.name"), &s.name, 200),
            prefixes: s.prefixes.iter().map(|p| p.trim().to_string()).collect(),
            titles: s.titles.iter().map(|t| t.trim().to_string()).collect(),
        };
        // A session belongs to one series at most: no prefix or title of this one may also
        // be recognised by an earlier one.
        for other in &out {
            let clash = series
                .prefixes
                .iter()
                .chain(&series.titles)
                .find(|t| other.holds(t))
                .or_else(|| {
                    other
                        .prefixes
                        .iter()
                        .chain(&other.titles)
                        .find(|t| series.holds(t))
                });
            if let Some(text) = clash {
                c.add(
                    &at,
                    format!(
                        "{text:?} would make a session belong to both series {} and {}",
                        other.code, series.code
                    ),
                );
            }
        }
        out.push(series);
    }
    out
}
