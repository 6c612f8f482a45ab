//! Importing a Moodle completion export: every good row recorded, every bad one reported with
//! its line; importing the same file again changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Insigne, ServiceError};
use crate::domain::{EmailAddress, Invalid};
use crate::faults::FaultPoint;
use crate::import::moodle::{self, MoodleMapping, Rejected, RowProblem};
use crate::storage::{ImportOrigin, Lease, NewCompletion, StoredCatalogue, Taken};

/// The source recorded for completions read from a Moodle export.
pub const MOODLE_SOURCE: &str = "moodle-csv";

/// Where an import stands, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// Completions recorded so far, of the total.
    Recording { done: usize, total: usize },
    /// Learners whose rules were evaluated so far, of the total.
    Evaluating { done: usize, total: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportedAward {
    pub email: String,
    pub badge: String,
    pub award: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Which report the file was read as.
    pub layout: Option<moodle::Layout>,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: Vec<Rejected>,
    pub completions_new: usize,
    pub completions_known: usize,
    pub awards_issued: usize,
    pub awards: Vec<ImportedAward>,
    /// Activity columns that name no module of the catalogue (their cells are ignored).
    pub ignored_columns: Vec<String>,
    /// Learners with new completions this import did not evaluate to the end (another
    /// evaluation holds them, or it failed): still marked, a worker awards what they earn.
    pub pending: Vec<String>,
}

/// A file read and checked, ready to be recorded (or previewed).
pub struct PreparedImport {
    summary: ImportSummary,
    completions: Vec<NewCompletion>,
    catalogue: StoredCatalogue,
}

/// What an import would do, changing nothing: the rows accepted and rejected, the completions
/// new and already known, and the awards that would follow.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    pub summary: ImportSummary,
    /// The learners the file names.
    pub learners: usize,
}

/// An import started in the background, for the console to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportView {
    pub record: crate::storage::ImportRecord,
    pub summary: Option<ImportSummary>,
}

impl Insigne {
    pub async fn import_moodle(
        &self,
        bytes: &[u8],
        mapping: &MoodleMapping,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportSummary, ServiceError> {
        let prepared = self.prepare_moodle_import(bytes, mapping).await?;
        let import = self
            .started_import(&prepared, &ImportOrigin::default())
            .await?;
        self.run_import(&import, prepared, progress).await
    }

    /// Reads and checks a Moodle export against the catalogue; records nothing.
    pub async fn prepare_moodle_import(
        &self,
        bytes: &[u8],
        mapping: &MoodleMapping,
    ) -> Result<PreparedImport, ServiceError> {
        let parsed =
            moodle::parse(bytes, mapping).map_err(|e| Invalid::one("file", e.to_string()))?;
        let mut catalogue = self.store.load_catalogue().await?;
        if catalogue.modules.is_empty() {
            return Err(Invalid::one(
                "catalogue",
                "no catalogue is loaded: load one first (insigne catalogue load FILE)",
            )
            .into());
        }
        self.store.load_rule_classes(&mut catalogue).await?;
        let mut summary = ImportSummary {
            layout: Some(parsed.layout),
            rows_read: parsed.rows,
            rows_rejected: parsed.rejected.clone(),
            ignored_columns: parsed
                .activities
                .iter()
                .filter(|a| catalogue.module_by_lms_id(a).is_none())
                .cloned()
                .collect(),
            ..ImportSummary::default()
        };
        let now = self.clock.now();
        let mut by_line: BTreeMap<usize, Result<Vec<NewCompletion>, RowProblem>> = BTreeMap::new();
        for c in &parsed.completions {
            let Some(module) = catalogue.module_by_lms_id(&c.activity) else {
                continue;
            };
            let entry = by_line.entry(c.line).or_insert_with(|| Ok(Vec::new()));
            let Ok(list) = entry else { continue };
            let email = match EmailAddress::parse(&c.email) {
                Ok(e) => e,
                Err(problem) => {
                    *entry = Err(RowProblem::BadEmail { problem });
                    continue;
                }
            };
            if c.completed_at > now {
                *entry = Err(RowProblem::FutureDate {
                    activity: c.activity.clone(),
                });
                continue;
            }
            let who = c.user_id.clone().unwrap_or_else(|| email.to_string());
            list.push(NewCompletion {
                learner_email: email,
                learner_name: c.name.clone(),
                module: module.code.clone(),
                completed_at: c.completed_at,
                source: MOODLE_SOURCE.into(),
                external_id: Some(format!("{who}:{}", module.code)),
            });
        }
        let mut completions = Vec::new();
        for (line, result) in by_line {
            match result {
                Ok(list) => completions.extend(list),
                Err(problem) => summary.rows_rejected.push(Rejected::new(line, problem)),
            }
        }
        summary.rows_rejected.sort_by_key(|r| r.line);
        summary.rows_accepted = summary.rows_read - summary.rows_rejected.len();
        Ok(PreparedImport {
            summary,
            completions,
            catalogue,
        })
    }

    /// What importing `bytes` would do, recording nothing: the completions new and known, and
    /// the badges the learners would earn with them.
    pub async fn preview_moodle_import(
        &self,
        bytes: &[u8],
        mapping: &MoodleMapping,
    ) -> Result<ImportPreview, ServiceError> {
        let PreparedImport {
            mut summary,
            completions,
            catalogue,
        } = self.prepare_moodle_import(bytes, mapping).await?;
        let mut by_learner: BTreeMap<String, (EmailAddress, Vec<&NewCompletion>)> = BTreeMap::new();
        for c in &completions {
            by_learner
                .entry(c.learner_email.to_string())
                .or_insert_with(|| (c.learner_email.clone(), Vec::new()))
                .1
                .push(c);
        }
        for (address, (email, list)) in &by_learner {
            let known = self.store.completions_of(email).await?;
            let mut more = Vec::new();
            for c in list {
                let seen = known
                    .iter()
                    .any(|k| k.source == c.source && k.external_id == c.external_id);
                if seen {
                    summary.completions_known += 1;
                } else {
                    summary.completions_new += 1;
                    more.push(crate::engine::CompletionFact {
                        module: c.module.clone(),
                        completed_at: c.completed_at,
                    });
                }
            }
            if more.is_empty() {
                continue;
            }
            if let Some((_, decisions)) = self
                .decisions_under(
                    email,
                    &super::evaluation::Under {
                        modules: &catalogue.modules,
                        series: &catalogue.series,
                        badges: &catalogue.badges,
                    },
                    &super::evaluation::More {
                        completions: more,
                        attendances: Vec::new(),
                    },
                )
                .await?
            {
                summary
                    .awards
                    .extend(decisions.into_iter().map(|d| ImportedAward {
                        email: address.clone(),
                        badge: d.badge,
                        award: String::new(),
                    }));
            }
        }
        summary.awards_issued = summary.awards.len();
        Ok(ImportPreview {
            summary,
            learners: by_learner.len(),
        })
    }

    async fn started_import(
        &self,
        prepared: &PreparedImport,
        origin: &ImportOrigin,
    ) -> Result<String, ServiceError> {
        Ok(self
            .store
            .start_import(
                MOODLE_SOURCE,
                prepared.summary.rows_read,
                prepared.summary.rows_rejected.len(),
                origin,
                self.clock.now(),
            )
            .await?)
    }

    /// Records and evaluates a prepared import under the record `import`, then records how it
    /// ended and what it did.
    async fn run_import(
        &self,
        import: &str,
        prepared: PreparedImport,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportSummary, ServiceError> {
        let PreparedImport {
            mut summary,
            completions,
            catalogue,
        } = prepared;
        let lease = self.new_lease();
        // Whatever happens, the marks stay; what the import still holds when it ends is freed
        // for a worker.
        let keeper = self.keep_lease(&lease);
        let result = self
            .record_and_evaluate(&completions, catalogue, &lease, &mut summary, progress)
            .await;
        drop(keeper);
        summary
            .awards
            .sort_by(|a, b| (&a.email, &a.badge).cmp(&(&b.email, &b.badge)));
        summary.awards_issued = summary.awards.len();
        let error = result.as_ref().err().map(ToString::to_string);
        let kept = serde_json::to_string(&summary).ok();
        let finished = self
            .store
            .finish_import(
                import,
                summary.completions_new,
                summary.awards.len(),
                kept.as_deref(),
                error.as_deref(),
                self.clock.now(),
            )
            .await;
        result?;
        finished?;
        Ok(summary)
    }

    /// Starts importing a checked file in the background and returns the import's id at once:
    /// its progress and then its summary are recorded on the import, for any replica to show.
    /// A file that cannot be read is refused here, before anything starts.
    pub async fn start_moodle_import(
        &self,
        bytes: &[u8],
        mapping: &MoodleMapping,
        origin: ImportOrigin,
    ) -> Result<String, ServiceError> {
        let prepared = self.prepare_moodle_import(bytes, mapping).await?;
        let import = self.started_import(&prepared, &origin).await?;
        let app = self.clone();
        let id = import.clone();
        tokio::spawn(async move {
            let latest = Arc::new(std::sync::Mutex::new(None::<ImportProgress>));
            let seen = latest.clone();
            let report = move |p: ImportProgress| {
                if let Ok(mut slot) = seen.lock() {
                    *slot = Some(p);
                }
            };
            let run = app.run_import(&id, prepared, &report);
            tokio::pin!(run);
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
            let outcome = loop {
                tokio::select! {
                    outcome = &mut run => break outcome,
                    _ = tick.tick() => {
                        let now = latest.lock().ok().and_then(|mut p| p.take());
                        if let Some(p) = now {
                            let (phase, done, total) = match p {
                                ImportProgress::Recording { done, total } => ("recording", done, total),
                                ImportProgress::Evaluating { done, total } => ("evaluating", done, total),
                            };
                            if let Err(e) = app.store.import_progress(&id, phase, done, total).await {
                                tracing::warn!(error = %e, "could not record an import's progress");
                            }
                        }
                    }
                }
            };
            if let Err(e) = outcome {
                tracing::error!(import = %id, error = %e, "a console import failed");
            }
        });
        Ok(import)
    }

    /// The imports started last, the latest first.
    pub async fn imports(&self, limit: i64) -> Result<Vec<ImportView>, ServiceError> {
        let records = self.store.imports(limit).await?;
        Ok(records.into_iter().map(ImportView::from).collect())
    }

    pub async fn import(&self, id: &str) -> Result<ImportView, ServiceError> {
        self.store
            .get_import(id)
            .await?
            .map(ImportView::from)
            .ok_or_else(|| ServiceError::not_found("import", id))
    }

    /// Records an import's completions 500 at a time, each chunk in one transaction with the
    /// marks of its learners, then evaluates the learners `lease` holds.
    pub(super) async fn record_and_evaluate(
        &self,
        completions: &[NewCompletion],
        catalogue: StoredCatalogue,
        lease: &Lease,
        summary: &mut ImportSummary,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<(), ServiceError> {
        let total = completions.len();
        // Only learners with something new can earn something new; a learner in several
        // chunks is held with the mark of the last.
        let mut learners: BTreeMap<String, Option<Taken>> = BTreeMap::new();
        let mut done = 0;
        for chunk in completions.chunks(500) {
            let recorded = self
                .store
                .record_completions(chunk, self.clock.now(), Some(&self.renewed(lease)))
                .await?;
            let new = recorded.new.iter().filter(|n| **n).count();
            summary.completions_new += new;
            summary.completions_known += chunk.len() - new;
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

    /// Evaluates the learners an import recorded something new for: those `lease` holds
    /// (`Some`) now, the others (`None`, held by another worker) are said to be pending.
    /// Returns the pending learners and the awards issued.
    pub(super) async fn evaluate_recorded(
        &self,
        lease: &Lease,
        learners: BTreeMap<String, Option<Taken>>,
        catalogue: StoredCatalogue,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> (Vec<String>, Vec<ImportedAward>) {
        let (mut taken, mut waiting) = (Vec::new(), Vec::new());
        for (email, held) in learners {
            match held {
                Some(t) => taken.push(t),
                None => waiting.push(email),
            }
        }
        let run = self
            .evaluate_taken(lease, taken, Arc::new(catalogue), &|done, total| {
                progress(ImportProgress::Evaluating { done, total })
            })
            .await;
        let pending = run.pending(waiting);
        let awards = run
            .awards
            .into_iter()
            .map(|(email, t)| ImportedAward {
                email,
                badge: t.badge_code,
                award: t.stored.award.id.to_string(),
            })
            .collect();
        (pending, awards)
    }
}

impl From<crate::storage::ImportRecord> for ImportView {
    fn from(record: crate::storage::ImportRecord) -> Self {
        let summary = record
            .summary
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok());
        ImportView { record, summary }
    }
}
