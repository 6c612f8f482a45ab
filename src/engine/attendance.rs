//! Participation rules: which sessions a learner attended count for a series, and why the
//! others do not (another series, or too short).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TraceStep;
use crate::domain::ecap::{find_series, AwardRule, Series};

/// A session attended, as the engine sees it: one per session (the longest report of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceFact {
    pub title: String,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
}

/// Whether a session counts for a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum SessionVerdict {
    /// Of the series, attended long enough.
    Counted,
    /// Of the series, but attended less than the rule asks.
    TooShort { min_minutes: u32 },
    /// Of another series of the catalogue (`series`), or of none (`null`).
    OtherSeries { series: Option<String> },
}

/// One session attended, judged against a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionJudgement {
    pub title: String,
    pub started_at: DateTime<Utc>,
    pub minutes: u32,
    #[serde(flatten)]
    pub verdict: SessionVerdict,
}

/// Every session attended judged against a `sessions_attended` rule, in date order; none for
/// another rule.
pub fn judge_sessions(
    rule: &AwardRule,
    series: &[Series],
    attendances: &[AttendanceFact],
) -> Vec<SessionJudgement> {
    let AwardRule::SessionsAttended {
        series: wanted,
        min_minutes,
        ..
    } = rule
    else {
        return Vec::new();
    };
    let mut sorted: Vec<&AttendanceFact> = attendances.iter().collect();
    sorted.sort_by(|a, b| (a.started_at, &a.title).cmp(&(b.started_at, &b.title)));
    sorted
        .into_iter()
        .map(|a| {
            let of = find_series(series, &a.title).map(|s| s.code.clone());
            let verdict = if of.as_deref() != Some(wanted.as_str()) {
                SessionVerdict::OtherSeries { series: of }
            } else if a.minutes < *min_minutes {
                SessionVerdict::TooShort {
                    min_minutes: *min_minutes,
                }
            } else {
                SessionVerdict::Counted
            };
            SessionJudgement {
                title: a.title.clone(),
                started_at: a.started_at,
                minutes: a.minutes,
                verdict,
            }
        })
        .collect()
}

/// The trace of a `sessions_attended` rule when met: every session that counts, in date order.
pub(super) fn satisfied(
    rule: &AwardRule,
    series: &[Series],
    attendances: &[AttendanceFact],
) -> Option<Vec<TraceStep>> {
    let AwardRule::SessionsAttended {
        count,
        series: wanted,
        ..
    } = rule
    else {
        return None;
    };
    let counted: Vec<TraceStep> = judge_sessions(rule, series, attendances)
        .into_iter()
        .filter(|j| j.verdict == SessionVerdict::Counted)
        .map(|j| TraceStep::Session {
            series: wanted.clone(),
            title: j.title,
            started_at: j.started_at,
            minutes: j.minutes,
        })
        .collect();
    (counted.len() >= *count as usize).then_some(counted)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::engine::{decide_all, Facts, RuleBadge};

    fn series() -> Vec<Series> {
        let c = crate::catalogue::parse(include_str!("../../examples/catalogue/ecap.toml"), None)
            .expect("catalogue");
        c.series
    }

    fn session(title: &str, day: u32, minutes: u32) -> AttendanceFact {
        AttendanceFact {
            title: title.into(),
            started_at: format!("2026-01-{day:02}T16:00:00Z").parse().expect("date"),
            minutes,
        }
    }

    fn rule() -> AwardRule {
        AwardRule::SessionsAttended {
            count: 3,
            series: "jeudis-de-la-recherche".into(),
            min_minutes: 45,
        }
    }

    fn decide(attended: &[AttendanceFact]) -> Vec<crate::engine::Decision> {
        let series = series();
        decide_all(
            &Facts {
                reviews: &[],
                modules: &[],
                series: &series,
                completions: &[],
                attendances: attended,
            },
            &[RuleBadge {
                code: "auditeur".into(),
                rule: rule(),
            }],
            &BTreeSet::new(),
        )
    }

    #[test]
    fn three_long_enough_sessions_of_the_series_earn_the_badge() {
        let attended = [
            session("Jeudis de la recherche — L'attention en classe", 8, 92),
            session("Jeudis de la recherche — Mémoriser durablement", 15, 45),
            session(
                "Webinaire m@gistère — Concevoir un parcours hybride",
                20,
                60,
            ),
            session("jeudi de la recherche - Évaluer pour apprendre", 22, 61),
        ];
        let d = decide(&attended);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].trace.len(), 3);
        assert!(
            matches!(&d[0].trace[2], TraceStep::Session { minutes: 61, title, .. } if title.contains("Évaluer"))
        );
    }

    #[test]
    fn the_trace_says_why_a_session_does_not_count() {
        let attended = [
            session("Jeudis de la recherche — L'attention en classe", 8, 92),
            session("Jeudis de la recherche — Mémoriser durablement", 15, 44),
            session(
                "Webinaire m@gistère — Concevoir un parcours hybride",
                20,
                60,
            ),
            session("Réunion de rentrée", 2, 120),
        ];
        assert!(decide(&attended).is_empty());
        let judged = judge_sessions(&rule(), &series(), &attended);
        let verdicts: Vec<&SessionVerdict> = judged.iter().map(|j| &j.verdict).collect();
        assert_eq!(
            verdicts,
            [
                &SessionVerdict::OtherSeries { series: None },
                &SessionVerdict::Counted,
                &SessionVerdict::TooShort { min_minutes: 45 },
                &SessionVerdict::OtherSeries {
                    series: Some("webinaires-magistere".into())
                },
            ]
        );
        let json = serde_json::to_value(&judged[2]).expect("json");
        assert_eq!(json["verdict"], "too_short");
        assert_eq!(json["min_minutes"], 45);
    }
}
