//! Attendance exports on the imports screen: the same upload, dry run and confirmation as
//! Moodle's exports, read as attendance when their headers say so.

use super::imports::SummaryView;
use crate::engine::SessionVerdict;
use crate::i18n::Lang;
use crate::import::attendance::{Layout, RowProblem};
use crate::service::AttendanceSummary;

/// Whether an uploaded file is an attendance export (or one insigne recognises to refuse it
/// with why): its headers decide, as the importer's do.
pub(super) fn is_attendance(
    bytes: &[u8],
    mapping: &crate::import::attendance::AttendanceMapping,
) -> bool {
    use crate::import::attendance::AttendanceError;
    !matches!(
        crate::import::attendance::parse(bytes, mapping),
        Err(AttendanceError::UnknownLayout(_) | AttendanceError::NotText | AttendanceError::Empty)
    )
}

pub(super) fn summary_view(t: Lang, s: &AttendanceSummary, done: bool) -> SummaryView {
    let n = |v: usize| v.to_string();
    let counts = vec![
        (t.t("console-import-rows-read"), n(s.rows_read)),
        (t.t("console-import-rows-accepted"), n(s.rows_accepted)),
        (
            t.t("console-import-rows-rejected"),
            n(s.rows_rejected.len()),
        ),
        (t.t("console-attendance-sessions"), n(s.sessions.len())),
        (t.t("console-attendance-new"), n(s.attendances_new)),
        (t.t("console-attendance-longer"), n(s.attendances_longer)),
        (t.t("console-attendance-known"), n(s.attendances_known)),
        if done {
            (t.t("console-import-awarded"), n(s.awards_issued))
        } else {
            (t.t("console-import-would-award"), n(s.awards.len()))
        },
    ];
    let layout = match s.layout {
        Layout::List => "console-layout-attendance-list",
        Layout::Zoom => "console-layout-attendance-zoom",
        Layout::Teams => "console-layout-attendance-teams",
    };
    let mut trace = Vec::new();
    for p in &s.progress {
        let sessions: Vec<String> = p
            .sessions
            .iter()
            .map(|j| {
                let why = match &j.verdict {
                    SessionVerdict::Counted => t.t("console-attendance-counted"),
                    SessionVerdict::TooShort { min_minutes } => t.t_with(
                        "console-attendance-too-short",
                        &[("min", &min_minutes.to_string())],
                    ),
                    SessionVerdict::OtherSeries { series } => match series {
                        Some(code) => {
                            t.t_with("console-attendance-other-series", &[("series", code)])
                        }
                        None => t.t("console-attendance-no-series"),
                    },
                };
                format!(
                    "{} ({}, {} min) : {why}",
                    j.title,
                    j.started_at.format("%d/%m/%Y"),
                    j.minutes
                )
            })
            .collect();
        trace.push((
            t.t_with(
                "console-attendance-progress",
                &[
                    ("email", &p.email),
                    ("badge", &p.badge),
                    ("counted", &p.counted.to_string()),
                    ("needed", &p.needed.to_string()),
                ],
            ),
            sessions,
        ));
    }
    SummaryView {
        layout: t.t(layout),
        counts,
        rejected: s
            .rows_rejected
            .iter()
            .map(|r| (r.line, row_problem(t, &r.problem)))
            .collect(),
        ignored: s
            .sessions
            .iter()
            .filter(|x| x.series.is_none())
            .map(|x| x.title.clone())
            .collect(),
        ignored_heading: t.t("console-attendance-ignored"),
        awards: s
            .awards
            .iter()
            .map(|a| {
                let link = (!a.award.is_empty())
                    .then(|| format!("/admin/badges-delivres/{}?lang={}", a.award, t.code()));
                (a.email.clone(), a.badge.clone(), link)
            })
            .collect(),
        pending: s.pending.clone(),
        trace,
    }
}

/// Why a row was refused, in the console's language.
fn row_problem(t: Lang, p: &RowProblem) -> String {
    match p {
        RowProblem::UnreadableCsv { error } => {
            t.t_with("console-reject-unreadable", &[("error", error)])
        }
        RowProblem::MissingColumns { found, expected } => t.t_with(
            "console-reject-columns",
            &[
                ("found", &found.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        RowProblem::NoEmail => t.t("console-reject-no-email"),
        RowProblem::BadEmail { problem } => {
            t.t_with("console-reject-bad-email", &[("problem", problem)])
        }
        RowProblem::NoSession => t.t("console-reject-no-session"),
        RowProblem::BadDate { date } => t.t_with("console-reject-session-date", &[("date", date)]),
        RowProblem::BadDuration { duration } => {
            t.t_with("console-reject-duration", &[("duration", duration)])
        }
        RowProblem::FutureDate => t.t("console-reject-session-future"),
    }
}
