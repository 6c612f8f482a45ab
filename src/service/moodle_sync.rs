//! Pulling completions from Moodle's web services: for each parcours of the catalogue that
//! names its Moodle course, every enrolled learner's activity completions, recorded and
//! evaluated like an import's. A sync is idempotent (a completion is known by course, user,
//! course module and time); a completion Moodle stops reporting is kept and flagged, never
//! revoked by itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::import::ImportedAward;
use super::{ImportSummary, Insigne, ServiceError};
use crate::domain::{EmailAddress, Invalid};
use crate::import::moodle_ws::{self, MoodleClient, WsError};
use crate::storage::{NewCompletion, StoredCatalogue};

/// The source recorded for completions read from Moodle's web services.
pub const MOODLE_WS_SOURCE: &str = "moodle-ws";

/// Learners asked for at a time.
const PAGE: usize = 100;

/// One course of a sync.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CourseSync {
    pub course_id: i64,
    pub parcours: String,
    pub learners: usize,
    pub completions: usize,
}

/// A completion recorded by an earlier sync that Moodle no longer reports (a teacher reset it,
/// or the learner's attempt was deleted): kept, and shown to the admin, who decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withdrawn {
    pub email: String,
    pub module: String,
    pub completed_at: DateTime<Utc>,
}

/// What a sync did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncSummary {
    /// The sync's id (none for a dry run: it records nothing).
    pub id: Option<String>,
    pub dry_run: bool,
    pub site: String,
    pub courses: Vec<CourseSync>,
    pub learners_seen: usize,
    /// Completions Moodle reports for the catalogue's modules.
    pub completions_seen: usize,
    pub completions_new: usize,
    pub completions_known: usize,
    pub awards_issued: usize,
    pub awards: Vec<ImportedAward>,
    pub withdrawn: Vec<Withdrawn>,
    /// What went wrong for one learner, one module or one course; the rest was synced.
    pub errors: Vec<String>,
    /// Learners this sync did not evaluate to the end: a worker awards what they earn.
    pub pending: Vec<String>,
}

/// Where a sync stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProgress {
    /// A course's learners are read: `learners` of them.
    Course { course_id: i64, learners: usize },
    /// Learners whose completions were read so far in the current course.
    Learner { done: usize },
}

/// A course of the catalogue and how its activities map to modules.
struct CoursePlan {
    /// Course-module id → module code.
    modules: BTreeMap<i64, String>,
}

impl Insigne {
    /// Syncs every parcours with a `moodle_course_id`, or the one of `course`.
    pub async fn moodle_sync(
        &self,
        client: &MoodleClient,
        course: Option<i64>,
        dry_run: bool,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<SyncSummary, ServiceError> {
        let mut catalogue = self.store.load_catalogue().await?;
        let courses: Vec<(i64, String)> = catalogue
            .parcours
            .iter()
            .filter_map(|p| Some((p.moodle_course_id?, p.code.clone())))
            .filter(|(id, _)| course.is_none_or(|c| c == *id))
            .collect();
        if courses.is_empty() {
            return Err(match course {
                Some(c) => Invalid::one(
                    "course",
                    format!("no parcours of the catalogue has moodle_course_id = {c}"),
                ),
                None => Invalid::one(
                    "catalogue",
                    "no parcours has a moodle_course_id: set it in the catalogue (see examples/catalogue/ecap.toml)",
                ),
            }
            .into());
        }
        let by_name = courses.iter().any(|(_, p)| {
            catalogue
                .modules
                .iter()
                .any(|m| &m.parcours == p && m.cmid.is_none())
        });
        let mut needed = vec![moodle_ws::ENROLLED_USERS, moodle_ws::COMPLETION_STATUS];
        if by_name {
            needed.push(moodle_ws::COURSE_CONTENTS);
        }
        let started = self.clock.now();
        let id = if dry_run {
            None
        } else {
            Some(self.store.start_sync(started).await?)
        };
        let mut summary = SyncSummary {
            id: id.clone(),
            dry_run,
            ..SyncSummary::default()
        };
        let result = self
            .sync_courses(
                client,
                &courses,
                &needed,
                &mut catalogue,
                &mut summary,
                progress,
            )
            .await;
        if let Err(e) = &result {
            summary.errors.push(e.to_string());
        }
        if let Some(id) = &id {
            let value = serde_json::to_value(&summary).unwrap_or_default();
            self.store
                .finish_sync(id, result.is_err(), &value, self.clock.now())
                .await?;
        }
        match result {
            Ok(()) => Ok(summary),
            Err(SyncFailure::Moodle(e)) => Err(ServiceError::Moodle(e)),
            Err(SyncFailure::Service(e)) => Err(e),
        }
    }

    async fn sync_courses(
        &self,
        client: &MoodleClient,
        courses: &[(i64, String)],
        needed: &[&str],
        catalogue: &mut StoredCatalogue,
        summary: &mut SyncSummary,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<(), SyncFailure> {
        summary.site = client.check_functions(needed).await?;
        let mut completions: Vec<NewCompletion> = Vec::new();
        let mut seen_learners = BTreeSet::new();
        for (course_id, parcours) in courses {
            let plan = self
                .plan_course(client, *course_id, parcours, catalogue, summary)
                .await?;
            let users = match client.enrolled_users(*course_id, PAGE).await {
                Ok(users) => users,
                Err(e @ WsError::Unreachable { .. }) => return Err(e.into()),
                Err(e) => {
                    summary.errors.push(format!("course {course_id}: {e}"));
                    continue;
                }
            };
            progress(SyncProgress::Course {
                course_id: *course_id,
                learners: users.len(),
            });
            let mut course = CourseSync {
                course_id: *course_id,
                parcours: parcours.clone(),
                learners: users.len(),
                completions: 0,
            };
            // What Moodle reports now, per user: the course modules done.
            let mut done_now: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
            for (i, user) in users.iter().enumerate() {
                progress(SyncProgress::Learner { done: i });
                let email = match user.email.as_deref().map(EmailAddress::parse) {
                    Some(Ok(email)) => email,
                    Some(Err(problem)) => {
                        summary.errors.push(format!(
                            "course {course_id}, user {} ({}): email: {problem}",
                            user.id, user.fullname
                        ));
                        continue;
                    }
                    None => {
                        summary.errors.push(format!(
                            "course {course_id}, user {} ({}): no email address (the token's user may not see emails: moodle/site:viewuseridentity)",
                            user.id, user.fullname
                        ));
                        continue;
                    }
                };
                let statuses = match client.completion(*course_id, user.id).await {
                    Ok(s) => s,
                    Err(e @ WsError::Unreachable { .. }) => return Err(e.into()),
                    Err(e) => {
                        summary.errors.push(format!(
                            "course {course_id}, user {} ({email}): {e}",
                            user.id
                        ));
                        continue;
                    }
                };
                seen_learners.insert(email.to_string());
                let done = done_now.entry(user.id).or_default();
                for s in statuses.iter().filter(|s| s.is_done()) {
                    let Some(module) = plan.modules.get(&s.cmid) else {
                        continue;
                    };
                    let Some(completed_at) = DateTime::from_timestamp(s.timecompleted, 0)
                        .filter(|_| s.timecompleted > 0)
                    else {
                        summary.errors.push(format!(
                            "course {course_id}, user {} ({email}), module {module}: completed without a time",
                            user.id
                        ));
                        continue;
                    };
                    done.insert(s.cmid);
                    course.completions += 1;
                    completions.push(NewCompletion {
                        learner_email: email.clone(),
                        learner_name: Some(user.fullname.trim().to_string())
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| email.to_string()),
                        module: module.clone(),
                        completed_at,
                        source: MOODLE_WS_SOURCE.into(),
                        external_id: Some(format!(
                            "{course_id}:{}:{}:{}",
                            user.id, s.cmid, s.timecompleted
                        )),
                    });
                }
            }
            progress(SyncProgress::Learner { done: users.len() });
            summary.withdrawn.extend(
                self.withdrawn(*course_id, &plan, &done_now)
                    .await
                    .map_err(SyncFailure::service)?,
            );
            summary.courses.push(course);
        }
        summary.learners_seen = seen_learners.len();
        summary.completions_seen = completions.len();
        let now = self.clock.now();
        completions.retain(|c| {
            let past = c.completed_at <= now;
            if !past {
                summary.errors.push(format!(
                    "{}, module {}: completed in the future ({}): skipped (is the Moodle server's clock right?)",
                    c.learner_email,
                    c.module,
                    crate::domain::clock::rfc3339(c.completed_at)
                ));
            }
            past
        });
        if summary.dry_run {
            // Each learner's known modules, read once.
            let mut known_modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for c in &completions {
                let key = c.learner_email.to_string();
                if !known_modules.contains_key(&key) {
                    let modules = self
                        .store
                        .completions_of(&c.learner_email)
                        .await
                        .map_err(SyncFailure::service)?
                        .into_iter()
                        .map(|k| k.module)
                        .collect();
                    known_modules.insert(key.clone(), modules);
                }
                if known_modules[&key].contains(&c.module) {
                    summary.completions_known += 1;
                } else {
                    summary.completions_new += 1;
                }
            }
            return Ok(());
        }
        self.store
            .load_rule_classes(catalogue)
            .await
            .map_err(SyncFailure::service)?;
        let mut recorded = ImportSummary::default();
        let lease = self.new_lease();
        let keeper = self.keep_lease(&lease);
        let result = self
            .record_and_evaluate(
                &completions,
                catalogue.clone(),
                &lease,
                &mut recorded,
                &|_| {},
            )
            .await;
        drop(keeper);
        result?;
        summary.completions_new = recorded.completions_new;
        summary.completions_known = recorded.completions_known;
        recorded
            .awards
            .sort_by(|a, b| (&a.email, &a.badge).cmp(&(&b.email, &b.badge)));
        summary.awards_issued = recorded.awards.len();
        summary.awards = recorded.awards;
        summary.pending = recorded.pending;
        Ok(())
    }

    /// Which course module is which module of the parcours: by `cmid`, else by the activity's
    /// name among the module's `lms_ids`.
    async fn plan_course(
        &self,
        client: &MoodleClient,
        course_id: i64,
        parcours: &str,
        catalogue: &StoredCatalogue,
        summary: &mut SyncSummary,
    ) -> Result<CoursePlan, SyncFailure> {
        let mut plan = CoursePlan {
            modules: BTreeMap::new(),
        };
        let modules: Vec<_> = catalogue
            .modules
            .iter()
            .filter(|m| m.parcours == parcours)
            .collect();
        for m in &modules {
            if let Some(cmid) = m.cmid {
                plan.modules.insert(cmid, m.code.clone());
            }
        }
        let unnamed: Vec<_> = modules.iter().filter(|m| m.cmid.is_none()).collect();
        if unnamed.is_empty() {
            return Ok(plan);
        }
        let activities = match client.activities(course_id).await {
            Ok(a) => a,
            Err(e @ WsError::Unreachable { .. }) => return Err(e.into()),
            Err(e) => {
                summary.errors.push(format!("course {course_id}: {e}"));
                Vec::new()
            }
        };
        for m in unnamed {
            let found = activities.iter().find(|(_, name)| {
                crate::domain::ecap::find_module(std::slice::from_ref(*m), name).is_some()
            });
            match found {
                Some((cmid, _)) => {
                    plan.modules.insert(*cmid, m.code.clone());
                }
                None => summary.errors.push(format!(
                    "course {course_id}: no activity is module {} (set its cmid, or one of its lms_ids to the activity's name)",
                    m.code
                )),
            }
        }
        Ok(plan)
    }

    /// Completions earlier syncs recorded for learners seen now that Moodle no longer reports.
    async fn withdrawn(
        &self,
        course_id: i64,
        plan: &CoursePlan,
        done_now: &BTreeMap<i64, BTreeSet<i64>>,
    ) -> Result<Vec<Withdrawn>, ServiceError> {
        let earlier = self
            .store
            .completions_with_external_prefix(MOODLE_WS_SOURCE, &format!("{course_id}:"))
            .await?;
        let mut out = Vec::new();
        for c in earlier {
            let mut parts = c.external_id.split(':').skip(1);
            let (Some(Ok(user)), Some(Ok(cmid))) = (
                parts.next().map(str::parse::<i64>),
                parts.next().map(str::parse::<i64>),
            ) else {
                continue;
            };
            let Some(done) = done_now.get(&user) else {
                continue; // not seen this time (unenrolled, or an error): nothing to say
            };
            // A course module the catalogue no longer names is not followed any more.
            if plan.modules.contains_key(&cmid) && !done.contains(&cmid) {
                out.push(Withdrawn {
                    email: c.learner_email,
                    module: c.module_code,
                    completed_at: c.completed_at,
                });
            }
        }
        Ok(out)
    }
}

/// Why a sync stopped.
enum SyncFailure {
    Moodle(WsError),
    Service(ServiceError),
}

impl SyncFailure {
    fn service(e: impl Into<ServiceError>) -> Self {
        Self::Service(e.into())
    }
}

impl From<WsError> for SyncFailure {
    fn from(e: WsError) -> Self {
        Self::Moodle(e)
    }
}

impl From<ServiceError> for SyncFailure {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

impl std::fmt::Display for SyncFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Moodle(e) => e.fmt(f),
            Self::Service(e) => e.fmt(f),
        }
    }
}

/// `insigne serve`'s pull: a first sync `first` after the start, then one every `every`, until
/// `shutdown`. A sync cut short by the shutdown leaves what it recorded recorded and its
/// learners marked: the next start's worker evaluates them.
pub async fn run_moodle_pull(
    app: Insigne,
    client: MoodleClient,
    first: std::time::Duration,
    every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut wait = first;
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = every;
        tokio::select! {
            _ = &mut shutdown => return,
            result = app.moodle_sync(&client, None, false, &|_| {}) => match result {
                Ok(s) => tracing::info!(
                    learners = s.learners_seen,
                    completions_new = s.completions_new,
                    awards = s.awards_issued,
                    withdrawn = s.withdrawn.len(),
                    errors = s.errors.len(),
                    "Moodle sync done"
                ),
                Err(e) => tracing::error!(error = %e, "Moodle sync failed"),
            }
        }
    }
}

/// A sync as `GET /api/v1/moodle/syncs` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SyncView {
    pub id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running` (or its process died), `done` or `failed`.
    #[schema(value_type = String)]
    pub status: crate::storage::ImportStatus,
    /// Courses, learners seen, completions (seen, new, known), awards, withdrawn completions,
    /// errors.
    #[schema(value_type = Object)]
    pub summary: Option<serde_json::Value>,
}

impl Insigne {
    /// The last `limit` syncs, the latest first.
    pub async fn moodle_syncs(&self, limit: i64) -> Result<Vec<SyncView>, ServiceError> {
        Ok(self
            .store
            .list_syncs(limit)
            .await?
            .into_iter()
            .map(|s| SyncView {
                id: s.id,
                started_at: crate::domain::clock::rfc3339(s.started_at),
                finished_at: s.finished_at.map(crate::domain::clock::rfc3339),
                status: s.status,
                summary: s.summary,
            })
            .collect())
    }
}
