//! Durable evaluation. Recording completions marks their learners "to evaluate" in the same
//! transaction; whoever holds a learner's lease evaluates them: the request that recorded the
//! completions, or a worker of any `insigne serve` process, which takes marked learners nobody
//! holds (a dead process's leases run out). A learner's mark is removed only by an evaluation
//! that saw their last completion, so no crash, error or restart loses a badge; claims written
//! with their awards keep every badge unique.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::completions::TriggeredAward;
use super::{Insigne, ServiceError};
use crate::domain::EmailAddress;
use crate::engine::{self, Decision, RuleBadge};
use crate::faults::FaultPoint;
use crate::storage::{Lease, StoredCatalogue, Taken};

/// Learners a worker takes per round.
const ROUND: i64 = 64;
/// From this many learners in one go, badge classes and issuers are read once, ahead.
const READ_AHEAD: usize = 8;

/// The catalogue a dry run evaluates under.
pub(super) struct Under<'a> {
    pub modules: &'a [crate::domain::ecap::Module],
    pub series: &'a [crate::domain::ecap::Series],
    pub badges: &'a [crate::storage::RuledBadge],
}

/// Facts a dry run adds to the recorded ones: completions, and attendances by session key.
#[derive(Debug, Clone, Default)]
pub(super) struct More {
    pub completions: Vec<engine::CompletionFact>,
    pub attendances: Vec<(String, engine::AttendanceFact)>,
}

/// What evaluating a set of learners did.
#[derive(Debug, Clone, Default)]
pub struct EvaluationRun {
    /// The awards issued, by learner (address order), then in the order of the rules.
    pub awards: Vec<(String, TriggeredAward)>,
    /// Learners evaluated to the end (their mark removed, or freed for a later mark).
    pub evaluated: usize,
    /// Learners whose evaluation failed, with why: still marked, tried again after a delay.
    pub failed: Vec<(String, String)>,
}

impl EvaluationRun {
    /// The learners left marked for a worker: those `waiting` for another evaluation and those
    /// whose evaluation failed, in order.
    pub(super) fn pending(&self, waiting: Vec<String>) -> Vec<String> {
        let mut pending = waiting;
        pending.extend(self.failed.iter().map(|(email, _)| email.clone()));
        pending.sort();
        pending
    }
}

/// Keeps an evaluation's leases from running out while it works. Dropped (the evaluation is
/// over, or gave up on an error), it frees what the owner still holds, so that a worker takes
/// it at once instead of waiting for the lease to run out.
pub(super) struct LeaseKeeper {
    renewing: tokio::task::JoinHandle<()>,
    store: crate::storage::Store,
    owner: String,
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.renewing.abort();
        let (store, owner) = (self.store.clone(), std::mem::take(&mut self.owner));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = store.release_lease(&owner).await {
                    // The lease runs out instead.
                    tracing::warn!(error = %e, "could not free an evaluation's learners");
                }
            });
        }
    }
}

/// An award `reconcile` made, or would make.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReconciledAward {
    pub email: String,
    pub badge: String,
    /// The award's id; absent in a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub award: Option<String>,
}

/// What `reconcile` did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Reconciled {
    pub dry_run: bool,
    /// Learners with completions, all evaluated against the current catalogue.
    pub learners: usize,
    pub awards: Vec<ReconciledAward>,
    /// Learners another evaluation held at that moment, or whose evaluation failed: still
    /// marked, the workers finish them.
    pub pending: Vec<String>,
}

impl Insigne {
    fn lease_length(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.evaluation_lease).unwrap_or(chrono::Duration::minutes(1))
    }

    /// A new owner of learners, holding them for one lease from now.
    pub(super) fn new_lease(&self) -> Lease {
        Lease::new(self.clock.now() + self.lease_length())
    }

    /// The same owner, holding for one lease from now.
    pub(super) fn renewed(&self, lease: &Lease) -> Lease {
        Lease {
            owner: lease.owner.clone(),
            until: self.clock.now() + self.lease_length(),
        }
    }

    /// Extends `lease` every third of its length until the keeper is dropped, which frees it.
    pub(super) fn keep_lease(&self, lease: &Lease) -> LeaseKeeper {
        let (app, owner) = (self.clone(), lease.owner.clone());
        let every = (self.evaluation_lease / 3).max(Duration::from_millis(100));
        let renewing = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let until = app.clock.now() + app.lease_length();
                if let Err(e) = app.store.extend_lease(&owner, until).await {
                    tracing::warn!(error = %e, "could not extend an evaluation's lease");
                }
            }
        });
        LeaseKeeper {
            renewing,
            store: self.store.clone(),
            owner: lease.owner.clone(),
        }
    }

    /// The badges `email`'s completions and attended sessions earn that they do not hold yet,
    /// with the name awards carry (the one their latest report gave); `None` without either.
    pub(super) async fn pending_decisions(
        &self,
        email: &EmailAddress,
        catalogue: &StoredCatalogue,
    ) -> Result<Option<(String, Vec<Decision>)>, ServiceError> {
        self.decisions_under(
            email,
            &Under {
                modules: &catalogue.modules,
                series: &catalogue.series,
                badges: &catalogue.badges,
            },
            &More::default(),
        )
        .await
    }

    /// What `pending_decisions` gives under another catalogue and with `more` completions and
    /// attendances besides the recorded ones: for dry runs, which change nothing.
    pub(super) async fn decisions_under(
        &self,
        email: &EmailAddress,
        under: &Under<'_>,
        more: &More,
    ) -> Result<Option<(String, Vec<Decision>)>, ServiceError> {
        let approved = self.store.approved_requests_of(email.as_str()).await?;
        let reviews: Vec<engine::ReviewFact> = approved
            .iter()
            .map(|r| engine::ReviewFact {
                badge: r.badge_code.clone(),
                request: r.id.clone(),
                tutor: r.decided_by.clone().unwrap_or_default(),
                approved_at: r.decided_at.unwrap_or(r.updated_at),
            })
            .collect();
        let (name, completions, attendances) = match self.learner_facts(email, more).await? {
            Some(facts) => facts,
            // Approved requests alone earn a badge: the name is the one the request gave.
            None => match approved.last() {
                Some(r) => (r.learner_name.clone(), Vec::new(), Vec::new()),
                None => return Ok(None),
            },
        };
        let held_ids = self.store.held_badge_classes(email).await?;
        let held = under
            .badges
            .iter()
            .filter(|b| held_ids.contains(&b.id))
            .map(|b| b.code.clone())
            .collect();
        let rules: Vec<RuleBadge> = under
            .badges
            .iter()
            .map(|b| RuleBadge {
                code: b.code.clone(),
                rule: b.rule.clone(),
            })
            .collect();
        let facts = engine::Facts {
            modules: under.modules,
            series: under.series,
            completions: &completions,
            attendances: &attendances,
            reviews: &reviews,
        };
        let decisions = engine::decide_all(&facts, &rules, &held);
        Ok(Some((name, decisions)))
    }

    /// A learner's completions and attended sessions (recorded, and `more`), with the name
    /// their latest report gave; `None` without any.
    pub(super) async fn learner_facts(
        &self,
        email: &EmailAddress,
        more: &More,
    ) -> Result<
        Option<(
            String,
            Vec<engine::CompletionFact>,
            Vec<engine::AttendanceFact>,
        )>,
        ServiceError,
    > {
        let completions = self.store.completions_of(email).await?;
        let attended = self.store.attendances_of(email).await?;
        let latest_completion = completions
            .iter()
            .max_by_key(|c| c.recorded_at)
            .map(|c| (c.recorded_at, c.learner_name.clone()));
        let latest_attendance = attended
            .iter()
            .max_by_key(|a| a.updated_at)
            .map(|a| (a.updated_at, a.learner_name.clone()));
        let name = match (latest_completion, latest_attendance) {
            (Some(c), Some(a)) => Some(if a.0 > c.0 { a.1 } else { c.1 }),
            (c, a) => c.or(a).map(|x| x.1),
        };
        let any_more = !more.completions.is_empty() || !more.attendances.is_empty();
        let Some(name) = name.or_else(|| any_more.then(String::new)) else {
            return Ok(None);
        };
        let mut facts: Vec<engine::CompletionFact> = completions
            .into_iter()
            .map(|c| engine::CompletionFact {
                module: c.module,
                completed_at: c.completed_at,
            })
            .collect();
        facts.extend_from_slice(&more.completions);
        // One fact per session: a session in `more` replaces the recorded one when longer.
        let mut sessions: BTreeMap<String, engine::AttendanceFact> = attended
            .into_iter()
            .map(|a| {
                (
                    a.session_key,
                    engine::AttendanceFact {
                        title: a.session_title,
                        started_at: a.session_start,
                        minutes: a.minutes,
                    },
                )
            })
            .collect();
        for (key, fact) in &more.attendances {
            let longer = sessions
                .get(key)
                .is_none_or(|known| fact.minutes > known.minutes);
            if longer {
                sessions.insert(key.clone(), fact.clone());
            }
        }
        Ok(Some((name, facts, sessions.into_values().collect())))
    }

    /// Evaluates one learner `owner` holds, then removes their mark (or records the failure).
    async fn evaluate_held(
        &self,
        owner: &str,
        taken: &Taken,
        catalogue: &StoredCatalogue,
    ) -> Result<Vec<TriggeredAward>, String> {
        let evaluated = async {
            let email = EmailAddress::parse(&taken.email)
                .map_err(|e| ServiceError::Storage(crate::storage::StorageError::Corrupt(e)))?;
            let awards = self.evaluate_learner(&email, catalogue).await?;
            self.store.fault(FaultPoint::EvaluationDone)?;
            self.store.finish_evaluation(owner, taken).await?;
            Ok::<_, ServiceError>(awards)
        }
        .await;
        evaluated.map_err(|e| e.to_string())
    }

    /// Evaluates the learners `lease` holds, several at a time; each failure is recorded on
    /// the learner's mark (tried again after a delay) and reported, never lost.
    pub(super) async fn evaluate_taken(
        &self,
        lease: &Lease,
        taken: Vec<Taken>,
        catalogue: Arc<StoredCatalogue>,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> EvaluationRun {
        // Four learners per core, so that some sign while others wait for the database
        // (measured: 17.2 s for the 10,000-completion import bench, 18.3 s at two per core,
        // 23.8 s at one).
        let parallel = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 8)
            * 4;
        let total = taken.len();
        let mut run = EvaluationRun::default();
        let mut by_learner: BTreeMap<String, Vec<TriggeredAward>> = BTreeMap::new();
        let mut running = tokio::task::JoinSet::new();
        let mut queue = taken.into_iter();
        let mut done = 0;
        loop {
            while running.len() < parallel {
                let Some(t) = queue.next() else { break };
                let (app, owner, catalogue) =
                    (self.clone(), lease.owner.clone(), catalogue.clone());
                running.spawn(async move {
                    let outcome = app.evaluate_held(&owner, &t, &catalogue).await;
                    if let Err(error) = &outcome {
                        app.evaluation_failed(&owner, &t, error).await;
                    }
                    (t.email, outcome)
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            match joined {
                Ok((email, Ok(awards))) => {
                    run.evaluated += 1;
                    if !awards.is_empty() {
                        by_learner.entry(email).or_default().extend(awards);
                    }
                }
                Ok((email, Err(error))) => run.failed.push((email, error)),
                // A panic: the learner's lease runs out and another evaluation takes them.
                Err(e) => tracing::error!(error = %e, "an evaluation task failed"),
            }
            done += 1;
            if done % 20 == 0 || done == total {
                progress(done, total);
            }
        }
        run.failed.sort();
        run.awards = by_learner
            .into_iter()
            .flat_map(|(email, awards)| awards.into_iter().map(move |a| (email.clone(), a)))
            .collect();
        run
    }

    /// Leaves a learner whose evaluation failed marked, for a retry after a growing delay.
    async fn evaluation_failed(&self, owner: &str, t: &Taken, error: &str) {
        tracing::warn!(learner = %t.email, attempts = t.attempts + 1, %error, "evaluation failed; the learner stays marked and is tried again");
        let retry_at = self.clock.now() + super::backoff(t.attempts + 1);
        if let Err(e) = self.store.fail_evaluation(owner, t, retry_at, error).await {
            // The lease runs out instead, and the learner is taken again then.
            tracing::warn!(learner = %t.email, error = %e, "could not record the failed evaluation");
        }
    }

    /// One worker round: takes learners nobody holds and evaluates them.
    pub async fn evaluate_due(&self) -> Result<EvaluationRun, ServiceError> {
        let lease = self.new_lease();
        let taken = self
            .store
            .take_due_evaluations(&lease, self.clock.now(), ROUND)
            .await?;
        if taken.is_empty() {
            return Ok(EvaluationRun::default());
        }
        let _keeper = self.keep_lease(&lease);
        let catalogue = self.catalogue_for(taken.len()).await?;
        Ok(self
            .evaluate_taken(&lease, taken, Arc::new(catalogue), &|_, _| {})
            .await)
    }

    /// The catalogue as the award engine needs it, classes read ahead for `learners` many.
    pub(super) async fn catalogue_for(
        &self,
        learners: usize,
    ) -> Result<StoredCatalogue, ServiceError> {
        let mut catalogue = self.store.load_catalogue().await?;
        if learners >= READ_AHEAD {
            self.store.load_rule_classes(&mut catalogue).await?;
        }
        Ok(catalogue)
    }

    /// Worker rounds until no learner is due (those failing wait for their retry).
    pub async fn drain_evaluations(&self) -> Result<EvaluationRun, ServiceError> {
        let mut all = EvaluationRun::default();
        loop {
            let run = self.evaluate_due().await?;
            if run.evaluated == 0 && run.failed.is_empty() {
                return Ok(all);
            }
            all.evaluated += run.evaluated;
            all.awards.extend(run.awards);
            all.failed.extend(run.failed);
        }
    }

    /// Evaluates every learner with completions against the current catalogue and reports what
    /// it awarded; with `dry_run`, only what it would award, changing nothing.
    pub async fn reconcile(&self, dry_run: bool) -> Result<Reconciled, ServiceError> {
        if dry_run {
            return self.reconcile_dry_run().await;
        }
        let lease = self.new_lease();
        let _keeper = self.keep_lease(&lease);
        let (taken, waiting) = self
            .store
            .mark_all_learners(self.clock.now(), &lease)
            .await?;
        let learners = taken.len() + waiting.len();
        let catalogue = self.catalogue_for(taken.len()).await?;
        let run = self
            .evaluate_taken(&lease, taken, Arc::new(catalogue), &|_, _| {})
            .await;
        let pending = run.pending(waiting);
        Ok(Reconciled {
            dry_run,
            learners,
            awards: run
                .awards
                .into_iter()
                .map(|(email, t)| ReconciledAward {
                    email,
                    badge: t.badge_code,
                    award: Some(t.stored.award.id.to_string()),
                })
                .collect(),
            pending,
        })
    }

    async fn reconcile_dry_run(&self) -> Result<Reconciled, ServiceError> {
        let catalogue = self.store.load_catalogue().await?;
        let learners = self.store.learners_with_completions().await?;
        let mut awards = Vec::new();
        for email in &learners {
            let email = EmailAddress::parse(email)
                .map_err(|e| ServiceError::Storage(crate::storage::StorageError::Corrupt(e)))?;
            if let Some((_, decisions)) = self.pending_decisions(&email, &catalogue).await? {
                awards.extend(decisions.into_iter().map(|d| ReconciledAward {
                    email: email.to_string(),
                    badge: d.badge,
                    award: None,
                }));
            }
        }
        Ok(Reconciled {
            dry_run: true,
            learners: learners.len(),
            awards,
            pending: Vec::new(),
        })
    }
}

/// Evaluates marked learners until `shutdown` completes: a round as soon as the last one found
/// work, every `every` otherwise. A round's error is logged and the next round tries again.
pub async fn run_evaluator(app: Insigne, every: Duration, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let busy = match app.evaluate_due().await {
            Ok(run) => {
                if !run.awards.is_empty() || !run.failed.is_empty() {
                    tracing::info!(
                        evaluated = run.evaluated,
                        awards = run.awards.len(),
                        failed = run.failed.len(),
                        "evaluated waiting learners"
                    );
                }
                run.evaluated > 0 || !run.failed.is_empty()
            }
            Err(e) => {
                tracing::error!(error = %e, "evaluation round failed");
                false
            }
        };
        if busy {
            tokio::select! {
                biased;
                _ = &mut shutdown => return,
                _ = tokio::task::yield_now() => {}
            }
        } else {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }
}
