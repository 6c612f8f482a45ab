//! Importing attendance exports of virtual classes: every good row recorded once (the longest
//! attendance of a person at a session kept), its learner marked for evaluation in the same
//! transaction, then the participation badges earned awarded exactly once, as completions are.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evaluation::{More, Under};
use super::import::{ImportProgress, ImportedAward};
use super::{Insigne, ServiceError};
use crate::domain::ecap::{find_series, AwardRule};
use crate::domain::{EmailAddress, Evidence, Invalid};
use crate::engine::{self, SessionJudgement, SessionVerdict};
use crate::faults::FaultPoint;
use crate::import::attendance::{self, AttendanceMapping, Layout, RejectedRow, RowProblem};
use crate::storage::{AttendanceChange, ImportOrigin, NewAttendance, StoredCatalogue, Taken};

/// The source of the import records of attendance exports.
pub const ATTENDANCE_SOURCE: &str = "attendance-csv";

/// A session a file names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionSeen {
    pub title: String,
    pub started_at: DateTime<Utc>,
    /// The series of the catalogue it belongs to; `null`: none (it counts for no badge).
    pub series: Option<String>,
    pub attendees: usize,
}

/// Where a learner of the file stands for a participation badge: every session they attended
/// judged against its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LearnerProgress {
    pub email: String,
    pub badge: String,
    pub series: String,
    /// Sessions the rule asks for.
    pub needed: u32,
    /// Sessions that count.
    pub counted: usize,
    /// Held (awarded now or before), or would be, in a dry run.
    pub earned: bool,
    pub sessions: Vec<SessionJudgement>,
}

/// What an attendance import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttendanceSummary {
    pub layout: Layout,
    pub dry_run: bool,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: Vec<RejectedRow>,
    pub sessions: Vec<SessionSeen>,
    /// Attendances not known before.
    pub attendances_new: usize,
    /// Known, and now longer than recorded.
    pub attendances_longer: usize,
    /// Known with as many minutes or more: nothing changed.
    pub attendances_known: usize,
    pub awards_issued: usize,
    pub awards: Vec<ImportedAward>,
    /// For each learner of the file and participation badge of a series the file names.
    pub progress: Vec<LearnerProgress>,
    /// Learners this import did not evaluate to the end: still marked, a worker awards what
    /// they earn.
    pub pending: Vec<String>,
}

/// A file read and checked, ready to be recorded (or previewed).
struct Prepared {
    summary: AttendanceSummary,
    attendances: Vec<NewAttendance>,
    catalogue: StoredCatalogue,
}

impl Insigne {
    /// Imports an attendance export (with `dry_run`, says what it would do and records
    /// nothing). A file that cannot be read is refused whole (`file`).
    pub async fn import_attendance(
        &self,
        bytes: &[u8],
        mapping: &AttendanceMapping,
        dry_run: bool,
        origin: &ImportOrigin,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<AttendanceSummary, ServiceError> {
        self.import_attendance_recorded(bytes, mapping, dry_run, origin, progress)
            .await
            .map(|(_, summary)| summary)
    }

    /// As [`Insigne::import_attendance`], with the id of the import's record (none for a dry
    /// run), for the console to show it.
    pub async fn import_attendance_recorded(
        &self,
        bytes: &[u8],
        mapping: &AttendanceMapping,
        dry_run: bool,
        origin: &ImportOrigin,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<(Option<String>, AttendanceSummary), ServiceError> {
        let prepared = self.prepare_attendance(bytes, mapping).await?;
        if dry_run {
            return Ok((None, self.preview_attendance(prepared).await?));
        }
        let import = self
            .store
            .start_import(
                ATTENDANCE_SOURCE,
                prepared.summary.rows_read,
                prepared.summary.rows_rejected.len(),
                origin,
                self.clock.now(),
            )
            .await?;
        let Prepared {
            mut summary,
            attendances,
            catalogue,
        } = prepared;
        let lease = self.new_lease();
        let keeper = self.keep_lease(&lease);
        let result = self
            .record_attendance(
                &attendances,
                catalogue.clone(),
                &lease,
                &mut summary,
                progress,
            )
            .await;
        drop(keeper);
        if result.is_ok() {
            summary.progress = self.progress_of(&attendances, &catalogue).await?;
        }
        summary
            .awards
            .sort_by(|a, b| (&a.email, &a.badge).cmp(&(&b.email, &b.badge)));
        summary.awards_issued = summary.awards.len();
        let error = result.as_ref().err().map(ToString::to_string);
        let kept = serde_json::to_string(&summary).ok();
        let finished = self
            .store
            .finish_import(
                &import,
                summary.attendances_new + summary.attendances_longer,
                summary.awards.len(),
                kept.as_deref(),
                error.as_deref(),
                self.clock.now(),
            )
            .await;
        result?;
        finished?;
        Ok((Some(import), summary))
    }

    async fn prepare_attendance(
        &self,
        bytes: &[u8],
        mapping: &AttendanceMapping,
    ) -> Result<Prepared, ServiceError> {
        let parsed =
            attendance::parse(bytes, mapping).map_err(|e| Invalid::one("file", e.to_string()))?;
        let catalogue = self.store.load_catalogue().await?;
        if catalogue.series.is_empty() {
            return Err(Invalid::one(
                "catalogue",
                "the catalogue declares no [[series]]: load one that does first (insigne catalogue load FILE)",
            )
            .into());
        }
        let now = self.clock.now();
        let mut rejected = parsed.rejected;
        let mut attendances = Vec::new();
        let mut sessions: BTreeMap<String, SessionSeen> = BTreeMap::new();
        for row in parsed.attendances {
            if row.started_at > now {
                rejected.push(RejectedRow::new(row.line, RowProblem::FutureDate));
                continue;
            }
            let email = match EmailAddress::parse(&row.email) {
                Ok(e) => e,
                Err(problem) => {
                    rejected.push(RejectedRow::new(row.line, RowProblem::BadEmail { problem }));
                    continue;
                }
            };
            let key = row.session_key();
            sessions
                .entry(key.clone())
                .or_insert_with(|| SessionSeen {
                    title: row.session.clone(),
                    started_at: row.started_at,
                    series: find_series(&catalogue.series, &row.session).map(|s| s.code.clone()),
                    attendees: 0,
                })
                .attendees += 1;
            attendances.push(NewAttendance {
                learner_email: email,
                learner_name: row.name,
                session_key: key,
                session_title: row.session,
                session_start: row.started_at,
                minutes: row.minutes,
                source: parsed.layout.source().into(),
            });
        }
        rejected.sort_by_key(|r| r.line);
        let mut sessions: Vec<SessionSeen> = sessions.into_values().collect();
        sessions.sort_by(|a, b| (a.started_at, &a.title).cmp(&(b.started_at, &b.title)));
        // Rows of one attendance (reconnections) are accepted or rejected together with it.
        let lines_rejected: BTreeSet<usize> = rejected.iter().map(|r| r.line).collect();
        let summary = AttendanceSummary {
            layout: parsed.layout,
            dry_run: false,
            rows_read: parsed.rows,
            rows_accepted: parsed.rows.saturating_sub(lines_rejected.len()),
            rows_rejected: rejected,
            sessions,
            attendances_new: 0,
            attendances_longer: 0,
            attendances_known: 0,
            awards_issued: 0,
            awards: Vec::new(),
            progress: Vec::new(),
            pending: Vec::new(),
        };
        Ok(Prepared {
            summary,
            attendances,
            catalogue,
        })
    }

    /// Records attendances 500 at a time, each chunk in one transaction with the marks of its
    /// learners, then evaluates the learners `lease` holds.
    async fn record_attendance(
        &self,
        attendances: &[NewAttendance],
        catalogue: StoredCatalogue,
        lease: &crate::storage::Lease,
        summary: &mut AttendanceSummary,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<(), ServiceError> {
        let total = attendances.len();
        let mut learners: BTreeMap<String, Option<Taken>> = BTreeMap::new();
        let mut done = 0;
        for chunk in attendances.chunks(500) {
            let (changes, recorded) = self
                .store
                .record_attendances(chunk, self.clock.now(), Some(&self.renewed(lease)))
                .await?;
            for change in changes {
                match change {
                    AttendanceChange::New => summary.attendances_new += 1,
                    AttendanceChange::Longer => summary.attendances_longer += 1,
                    AttendanceChange::Known => summary.attendances_known += 1,
                }
            }
            for t in recorded.taken {
                learners.insert(t.email.clone(), Some(t));
            }
            for email in recorded.waiting {
                learners.entry(email).or_insert(None);
            }
            done += chunk.len();
            progress(ImportProgress::Recording { done, total });
            self.store.fault(FaultPoint::ImportChunk)?;
        }
        self.store.fault(FaultPoint::CompletionsCommitted)?;
        (summary.pending, summary.awards) = self
            .evaluate_recorded(lease, learners, catalogue, progress)
            .await;
        Ok(())
    }

    /// What importing would do, recording nothing.
    async fn preview_attendance(
        &self,
        prepared: Prepared,
    ) -> Result<AttendanceSummary, ServiceError> {
        let Prepared {
            mut summary,
            attendances,
            catalogue,
        } = prepared;
        summary.dry_run = true;
        for (email, list) in by_learner(&attendances) {
            let known = self.store.attendances_of(&email).await?;
            let mut more = More::default();
            for a in list {
                match known.iter().find(|k| k.session_key == a.session_key) {
                    Some(k) if k.minutes >= a.minutes => summary.attendances_known += 1,
                    Some(_) => summary.attendances_longer += 1,
                    None => summary.attendances_new += 1,
                }
                more.attendances.push((a.session_key.clone(), fact(a)));
            }
            let under = Under {
                modules: &catalogue.modules,
                series: &catalogue.series,
                badges: &catalogue.badges,
            };
            if let Some((_, decisions)) = self.decisions_under(&email, &under, &more).await? {
                summary
                    .awards
                    .extend(decisions.into_iter().map(|d| ImportedAward {
                        email: email.to_string(),
                        badge: d.badge,
                        award: String::new(),
                    }));
            }
            summary.progress.extend(
                self.learner_progress(&email, &catalogue, &more, &summary.awards)
                    .await?,
            );
        }
        summary.awards_issued = summary.awards.len();
        Ok(summary)
    }

    /// Where every learner of the file stands, after the import.
    async fn progress_of(
        &self,
        attendances: &[NewAttendance],
        catalogue: &StoredCatalogue,
    ) -> Result<Vec<LearnerProgress>, ServiceError> {
        let mut out = Vec::new();
        for (email, _) in by_learner(attendances) {
            out.extend(
                self.learner_progress(&email, catalogue, &More::default(), &[])
                    .await?,
            );
        }
        Ok(out)
    }

    /// One learner's standing for each participation badge whose series they attended;
    /// `would`: awards a dry run would make.
    async fn learner_progress(
        &self,
        email: &EmailAddress,
        catalogue: &StoredCatalogue,
        more: &More,
        would: &[ImportedAward],
    ) -> Result<Vec<LearnerProgress>, ServiceError> {
        let Some((_, _, attended)) = self.learner_facts(email, more).await? else {
            return Ok(Vec::new());
        };
        let held = self.store.held_badge_classes(email).await?;
        let mut out = Vec::new();
        for b in &catalogue.badges {
            let AwardRule::SessionsAttended { count, series, .. } = &b.rule else {
                continue;
            };
            let sessions = engine::judge_sessions(&b.rule, &catalogue.series, &attended);
            let of_series =
                |j: &&SessionJudgement| !matches!(j.verdict, SessionVerdict::OtherSeries { .. });
            if !sessions.iter().any(|j| of_series(&j)) {
                continue;
            }
            let counted = sessions
                .iter()
                .filter(|j| j.verdict == SessionVerdict::Counted)
                .count();
            let earned = held.contains(&b.id)
                || would
                    .iter()
                    .any(|w| w.email == email.as_str() && w.badge == b.code);
            out.push(LearnerProgress {
                email: email.to_string(),
                badge: b.code.clone(),
                series: series.clone(),
                needed: *count,
                counted,
                earned,
                sessions,
            });
        }
        Ok(out)
    }
}

fn fact(a: &NewAttendance) -> engine::AttendanceFact {
    engine::AttendanceFact {
        title: a.session_title.clone(),
        started_at: a.session_start,
        minutes: a.minutes,
    }
}

/// The file's attendances by learner, in address order.
fn by_learner(list: &[NewAttendance]) -> Vec<(EmailAddress, Vec<&NewAttendance>)> {
    let mut map: BTreeMap<String, (EmailAddress, Vec<&NewAttendance>)> = BTreeMap::new();
    for a in list {
        map.entry(a.learner_email.to_string())
            .or_insert_with(|| (a.learner_email.clone(), Vec::new()))
            .1
            .push(a);
    }
    map.into_values().collect()
}

/// A session attended, as the evidence of a participation badge.
pub(super) fn session_evidence(
    catalogue: &StoredCatalogue,
    series: &str,
    title: &str,
    started_at: DateTime<Utc>,
    minutes: u32,
) -> Evidence {
    let series_name = catalogue
        .series
        .iter()
        .find(|s| s.code == series)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| series.to_string());
    let day = super::completions::french_date(started_at);
    Evidence {
        url: None,
        name: Some(format!("{title} ({day})")),
        description: Some(format!(
            "Session de la série « {series_name} » suivie en classe virtuelle le {day}, pendant {minutes} minutes."
        )),
        narrative: None,
        genre: Some("Participation à une session".into()),
    }
}
