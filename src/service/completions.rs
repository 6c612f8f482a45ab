//! Completed modules in, awards out: each completion is recorded once, its learner marked for
//! evaluation in the same transaction; the learner's rules are then evaluated and every badge
//! earned is awarded exactly once (claimed in the award's transaction), with the trace of the
//! rule and the modules as evidence.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::{Insigne, ServiceError};
use crate::domain::validation::Checker;
use crate::domain::{AwardRequest, EmailAddress, Evidence, Recipient};
use crate::engine::{Decision, TraceStep};
use crate::faults::FaultPoint;
use crate::service::inputs::RecipientInput;
use crate::storage::{NewCompletion, RuledBadge, StoredAward, StoredCatalogue};

/// A completion as a connector reports it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    #[schema(required = true, nullable = false)]
    pub learner: Option<RecipientInput>,
    /// The module's code or one of its LMS identifiers.
    #[schema(required = true, nullable = false, example = "E1-M1")]
    pub module: Option<String>,
    /// RFC 3339 date-time, or a date (`2026-03-14`, taken as midnight UTC); not in the future.
    #[schema(required = true, nullable = false, example = "2026-03-14T10:00:00Z")]
    pub completed_at: Option<String>,
    /// Where it comes from (`api` when not said).
    pub source: Option<String>,
    /// The source's own id for it: a second report with the same source and id is the same.
    pub external_id: Option<String>,
}

/// An award a completion triggered, with the reason.
#[derive(Debug, Clone)]
pub struct TriggeredAward {
    pub stored: StoredAward,
    pub badge_code: String,
    pub decision: Decision,
}

/// What a batch of completions did.
#[derive(Debug, Clone, Default)]
pub struct CompletionsOutcome {
    /// Per input, in order: true when new, false when already known.
    pub recorded: Vec<bool>,
    /// The awards this request issued, by learner then in the order of the rules.
    pub awards: Vec<TriggeredAward>,
    /// Learners with new completions that this request did not evaluate to the end (another
    /// evaluation holds them, or this one failed): still marked, a worker awards what they earn.
    pub pending: Vec<String>,
}

/// Parses a completion date: RFC 3339, or a plain date at midnight UTC.
pub fn parse_completion_date(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if let Some(dt) = d.and_hms_opt(0, 0, 0) {
            return Ok(dt.and_utc());
        }
    }
    Err(format!(
        "{text:?} is not a date (2026-03-14 or 2026-03-14T10:00:00Z)"
    ))
}

impl Insigne {
    /// Checks one input against the catalogue.
    fn checked_completion(
        &self,
        c: &mut Checker,
        at: &str,
        input: &CompletionInput,
        catalogue: &StoredCatalogue,
    ) -> Option<NewCompletion> {
        let field = |f: &str| {
            if at.is_empty() {
                f.to_string()
            } else {
                format!("{at}.{f}")
            }
        };
        let (email, name) = match &input.learner {
            Some(l) => (
                match l.email.as_deref() {
                    Some(e) => c.take(&field("learner.email"), EmailAddress::parse(e)),
                    None => {
                        c.add(field("learner.email"), "is required");
                        None
                    }
                },
                match l.name.as_deref() {
                    Some(n) => c.text(&field("learner.name"), n, 200),
                    None => {
                        c.add(field("learner.name"), "is required");
                        String::new()
                    }
                },
            ),
            None => {
                c.add(field("learner"), "is required ({\"email\", \"name\"})");
                (None, String::new())
            }
        };
        if let Some(lang) = input.learner.as_ref().and_then(|l| l.lang.as_deref()) {
            if !matches!(lang.trim(), "fr" | "en") {
                c.add(
                    field("learner.lang"),
                    format!("{lang:?} is neither \"fr\" nor \"en\""),
                );
            }
        }
        let module = match input.module.as_deref() {
            Some(m) => match catalogue.module_by_lms_id(m) {
                Some(module) => Some(module.code.clone()),
                None => {
                    c.add(
                        field("module"),
                        format!("{m:?} is no module of the catalogue (code or LMS id)"),
                    );
                    None
                }
            },
            None => {
                c.add(field("module"), "is required");
                None
            }
        };
        let completed_at = match input.completed_at.as_deref() {
            Some(d) => c.take(&field("completed_at"), parse_completion_date(d)),
            None => {
                c.add(field("completed_at"), "is required");
                None
            }
        };
        if let Some(when) = completed_at {
            if when > self.clock.now() {
                c.add(field("completed_at"), "is in the future");
            }
        }
        let source = c
            .optional_text(&field("source"), input.source.as_deref(), 100)
            .unwrap_or_else(|| "api".into());
        let external_id = c.optional_text(&field("external_id"), input.external_id.as_deref(), 300);
        Some(NewCompletion {
            learner_email: email?,
            learner_name: name,
            module: module?,
            completed_at: completed_at?,
            source,
            external_id,
        })
    }

    /// Records a batch of completions (all valid, or none recorded) and awards what they earn.
    pub async fn record_completions(
        &self,
        inputs: &[CompletionInput],
    ) -> Result<CompletionsOutcome, ServiceError> {
        let catalogue = self.store.load_catalogue().await?;
        let mut c = Checker::new();
        let batch = inputs.len() > 1;
        let checked: Vec<Option<NewCompletion>> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                let at = if batch {
                    format!("[{i}]")
                } else {
                    String::new()
                };
                self.checked_completion(&mut c, &at, input, &catalogue)
            })
            .collect();
        c.finish()?;
        // The language a learner chose is kept before awarding: their messages are in it.
        for (input, checked) in inputs.iter().zip(&checked) {
            let lang = input.learner.as_ref().and_then(|l| l.lang.as_deref());
            if let (Some(lang), Some(completion)) = (lang, checked) {
                self.store
                    .set_trainer_lang(
                        &completion.learner_email.to_string(),
                        lang.trim(),
                        self.clock.now(),
                    )
                    .await?;
            }
        }
        let completions: Vec<NewCompletion> = checked.into_iter().flatten().collect();
        self.record_checked(&completions, catalogue).await
    }

    /// Records checked completions, marking their learners for evaluation in the same
    /// transaction, then evaluates the learners it could take. Correctness does not depend on
    /// this request finishing: a learner it leaves (held elsewhere, failed, or a crash) stays
    /// marked for a worker.
    pub async fn record_checked(
        &self,
        completions: &[NewCompletion],
        catalogue: StoredCatalogue,
    ) -> Result<CompletionsOutcome, ServiceError> {
        let lease = self.new_lease();
        // Whatever happens below, the marks stay; what this request still holds when it ends
        // is freed for a worker.
        let _keeper = self.keep_lease(&lease);
        let recorded = self
            .store
            .record_completions(completions, self.clock.now(), Some(&lease))
            .await?;
        self.store.fault(FaultPoint::CompletionsCommitted)?;
        let run = self
            .evaluate_taken(&lease, recorded.taken, Arc::new(catalogue), &|_, _| {})
            .await;
        Ok(CompletionsOutcome {
            recorded: recorded.new,
            pending: run.pending(recorded.waiting),
            awards: run.awards.into_iter().map(|(_, a)| a).collect(),
        })
    }

    /// Awards every badge a learner's completions earn and they do not hold yet, in one
    /// transaction where each is claimed: an evaluation racing this one for the same badge
    /// finds it claimed and awards nothing.
    pub async fn evaluate_learner(
        &self,
        email: &EmailAddress,
        catalogue: &StoredCatalogue,
    ) -> Result<Vec<TriggeredAward>, ServiceError> {
        let Some((name, decisions)) = self.pending_decisions(email, catalogue).await? else {
            return Ok(Vec::new());
        };
        let learner = Recipient {
            email: email.clone(),
            name,
        };
        let mut earned = Vec::new();
        for decision in decisions {
            let Some(RuledBadge {
                id: class_id,
                code,
                name,
                ..
            }) = catalogue.badges.iter().find(|b| b.code == decision.badge)
            else {
                continue;
            };
            let (class, issuer) = match catalogue.classes.get(class_id) {
                Some((class, issuer)) => (class.clone(), issuer.clone()),
                None => {
                    let class = self.badge_class(*class_id).await?;
                    let issuer = self.issuer(class.issuer).await?;
                    (class, issuer)
                }
            };
            let mut evidence = evidence(&decision, catalogue);
            for step in &decision.trace {
                if let TraceStep::Review { request, .. } = step {
                    evidence.extend(self.request_evidence(request, catalogue).await?);
                }
            }
            let request = AwardRequest {
                badge_class: *class_id,
                recipient: learner.clone(),
                narrative: Some(narrative(name, &decision, catalogue)),
                evidence,
                lang: None,
            };
            earned.push((class, issuer, request, code.clone(), decision));
        }
        if earned.is_empty() {
            return Ok(Vec::new());
        }
        let lang = self.trainer_lang(email.as_str()).await?;
        let issued = self
            .issue_by_rule(
                earned
                    .iter()
                    .map(|(class, issuer, request, ..)| (class, issuer, request.clone()))
                    .collect(),
                lang,
            )
            .await?;
        self.store.fault(FaultPoint::AwardCommitted)?;
        // An award missing from `issued` was claimed by a concurrent evaluation, which
        // awards it.
        Ok(earned
            .into_iter()
            .filter_map(|(class, _, _, badge_code, decision)| {
                let stored = issued.iter().find(|s| s.award.badge_class == class.id)?;
                Some(TriggeredAward {
                    stored: stored.clone(),
                    badge_code,
                    decision,
                })
            })
            .collect())
    }
}

pub(super) fn french_date(t: DateTime<Utc>) -> String {
    t.format("%d/%m/%Y").to_string()
}

fn narrative(name: &str, d: &Decision, catalogue: &StoredCatalogue) -> String {
    let why: Vec<String> = d
        .trace
        .iter()
        .map(|step| match step {
            TraceStep::Module {
                module,
                completed_at,
            } => format!("module {module} terminé le {}", french_date(*completed_at)),
            TraceStep::Competency {
                framework,
                competency,
                module,
                completed_at,
            } => {
                let label = catalogue
                    .competency(&crate::domain::ecap::CompetencyRef {
                        framework: framework.clone(),
                        code: competency.clone(),
                    })
                    .map(|(_, c)| format!("{competency} ({})", c.name))
                    .unwrap_or_else(|| competency.clone());
                format!(
                    "compétence {label} développée par le module {module} terminé le {}",
                    french_date(*completed_at)
                )
            }
            TraceStep::Badge { badge } => format!("badge {badge} détenu"),
            TraceStep::Review { approved_at, .. } => format!(
                "demande approuvée par un tuteur le {}",
                french_date(*approved_at)
            ),
            TraceStep::Session {
                title,
                started_at,
                minutes,
                ..
            } => format!(
                "session « {title} » du {} suivie {minutes} min",
                french_date(*started_at)
            ),
        })
        .collect();
    let how = if d
        .trace
        .iter()
        .any(|s| matches!(s, TraceStep::Review { .. }))
    {
        "attribué sur demande"
    } else {
        "attribué automatiquement"
    };
    format!("Badge « {name} » {how} : {}.", why.join(" ; "))
}

/// The modules completed (with dates) or badges held that earned the badge.
fn evidence(d: &Decision, catalogue: &StoredCatalogue) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::new();
    for step in &d.trace {
        let (module, when) = match step {
            TraceStep::Module {
                module,
                completed_at,
            }
            | TraceStep::Competency {
                module,
                completed_at,
                ..
            } => (module, *completed_at),
            TraceStep::Session {
                series,
                title,
                started_at,
                minutes,
            } => {
                out.push(super::attendance::session_evidence(
                    catalogue,
                    series,
                    title,
                    *started_at,
                    *minutes,
                ));
                continue;
            }
            // The request's own items are added by `request_evidence`.
            TraceStep::Review { .. } => continue,
            TraceStep::Badge { badge } => {
                out.push(Evidence {
                    url: None,
                    name: Some(format!("Badge {badge}")),
                    description: Some("Badge détenu, requis par ce badge.".into()),
                    narrative: None,
                    genre: Some("Badge".into()),
                });
                continue;
            }
        };
        let name = catalogue
            .module(module)
            .map(|m| format!("{} {}", m.code, m.title))
            .unwrap_or_else(|| module.clone());
        if out.iter().any(|e| e.name.as_deref() == Some(name.as_str())) {
            continue;
        }
        let description = match catalogue.module(module) {
            Some(m) => format!(
                "Module terminé le {} ({}, {} h).",
                french_date(when),
                m.modality.label(),
                m.hours
            ),
            None => format!("Module terminé le {}.", french_date(when)),
        };
        out.push(Evidence {
            url: None,
            name: Some(name),
            description: Some(description),
            narrative: None,
            genre: Some("Module de formation".into()),
        });
    }
    out
}
