//! Importing a Moodle completion export: every good row recorded, every bad one reported with
//! its line; importing the same file again changes nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Insigne, ServiceError};
use crate::domain::{EmailAddress, Invalid};
use crate::import::moodle::{self, MoodleMapping, Rejected};
use crate::storage::NewCompletion;

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

#[derive(Debug, Clone, Serialize)]
pub struct ImportedAward {
    pub email: String,
    pub badge: String,
    pub award: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: Vec<Rejected>,
    pub completions_new: usize,
    pub completions_known: usize,
    pub awards_issued: usize,
    pub awards: Vec<ImportedAward>,
    /// Activity columns that name no module of the catalogue (their cells are ignored).
    pub ignored_columns: Vec<String>,
}

impl Insigne {
    pub async fn import_moodle(
        &self,
        bytes: &[u8],
        mapping: &MoodleMapping,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportSummary, ServiceError> {
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
        let mut by_line: BTreeMap<usize, Result<Vec<NewCompletion>, String>> = BTreeMap::new();
        for c in &parsed.completions {
            let Some(module) = catalogue.module_by_lms_id(&c.activity) else {
                continue;
            };
            let entry = by_line.entry(c.line).or_insert_with(|| Ok(Vec::new()));
            let Ok(list) = entry else { continue };
            let email = match EmailAddress::parse(&c.email) {
                Ok(e) => e,
                Err(problem) => {
                    *entry = Err(format!("email: {problem}"));
                    continue;
                }
            };
            if c.completed_at > now {
                *entry = Err(format!(
                    "activity {:?}: completion date is in the future",
                    c.activity
                ));
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
                Err(reason) => summary.rows_rejected.push(Rejected { line, reason }),
            }
        }
        summary.rows_rejected.sort_by_key(|r| r.line);
        summary.rows_accepted = summary.rows_read - summary.rows_rejected.len();

        let total = completions.len();
        let mut learners = BTreeMap::new();
        let mut done = 0;
        for chunk in completions.chunks(500) {
            let recorded = self.store.insert_completions(chunk, now).await?;
            for (c, new) in chunk.iter().zip(recorded) {
                if new {
                    summary.completions_new += 1;
                    learners
                        .entry(c.learner_email.to_string())
                        .or_insert_with(|| crate::domain::Recipient {
                            email: c.learner_email.clone(),
                            name: c.learner_name.clone(),
                        });
                } else {
                    summary.completions_known += 1;
                }
            }
            done += chunk.len();
            progress(ImportProgress::Recording { done, total });
        }
        // Only learners with something new can earn something new. Learners are evaluated a
        // few at a time, four per core so that some sign while others wait for the database
        // (measured: 17.2 s for the 10,000-completion bench, 18.3 s at two per core, 23.8 s at
        // one); the database's claims keep each award unique.
        let total = learners.len();
        let catalogue = std::sync::Arc::new(catalogue);
        let parallel = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 8)
            * 4;
        let mut running = tokio::task::JoinSet::new();
        let mut queue = learners.into_values();
        let mut done = 0;
        loop {
            while running.len() < parallel {
                let Some(learner) = queue.next() else { break };
                let (app, catalogue) = (self.clone(), catalogue.clone());
                running.spawn(async move {
                    let awards = app.evaluate_learner(&learner, &catalogue).await;
                    (learner, awards)
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (learner, awards) = joined
                .map_err(|e| ServiceError::Signing(format!("evaluation task failed: {e}")))?;
            for t in awards? {
                summary.awards.push(ImportedAward {
                    email: learner.email.to_string(),
                    badge: t.badge_code,
                    award: t.stored.award.id.to_string(),
                });
            }
            done += 1;
            if done % 20 == 0 || done == total {
                progress(ImportProgress::Evaluating { done, total });
            }
        }
        summary
            .awards
            .sort_by(|a, b| (&a.email, &a.badge).cmp(&(&b.email, &b.badge)));
        summary.awards_issued = summary.awards.len();
        Ok(summary)
    }
}
