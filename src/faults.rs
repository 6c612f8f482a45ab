//! Fault injection for the durability tests: named points on the way from a completion to an
//! award where a debug build can be told to fail the step or to abort the process, so that the
//! tests prove a crash or an error anywhere loses no badge and issues none twice.
//!
//! A test in process builds a [`Faults`] plan and hands it to the store; a test that runs the
//! binary sets `INSIGNE_FAULT`, which only debug builds (the ones `cargo test` makes) read: a
//! release build never looks at it, and every point is then a no-op.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where a fault can be injected, in the order an award goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// Inside a batch's transaction, after one completion's row (the batch is not committed).
    CompletionInserted,
    /// After a batch's completions and their learners' marks are committed, before evaluation.
    CompletionsCommitted,
    /// After a chunk of an import is committed (more chunks may follow).
    ImportChunk,
    /// Inside the transaction of a learner's new awards, after one award's claim.
    AwardClaimed,
    /// Inside the transaction of a learner's new awards, after one award, before the message
    /// announcing it.
    AwardStored,
    /// After the transaction of a learner's new awards is committed, before their
    /// evaluation ends.
    AwardCommitted,
    /// After a learner's evaluation, before their mark is removed.
    EvaluationDone,
}

impl FaultPoint {
    pub const ALL: [FaultPoint; 7] = [
        FaultPoint::CompletionInserted,
        FaultPoint::CompletionsCommitted,
        FaultPoint::ImportChunk,
        FaultPoint::AwardClaimed,
        FaultPoint::AwardStored,
        FaultPoint::AwardCommitted,
        FaultPoint::EvaluationDone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultPoint::CompletionInserted => "completion-inserted",
            FaultPoint::CompletionsCommitted => "completions-committed",
            FaultPoint::ImportChunk => "import-chunk",
            FaultPoint::AwardClaimed => "award-claimed",
            FaultPoint::AwardStored => "award-stored",
            FaultPoint::AwardCommitted => "award-committed",
            FaultPoint::EvaluationDone => "evaluation-done",
        }
    }
}

impl fmt::Display for FaultPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happens at the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// The step returns an error, as a lost connection or a failed signature would.
    Fail,
    /// The process aborts on the spot, as under `kill -9` or a power cut.
    Abort,
}

/// The error of a step made to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("fault injected at {0}")]
pub struct InjectedFault(pub FaultPoint);

#[derive(Debug)]
struct Plan {
    point: FaultPoint,
    action: FaultAction,
    /// The fault strikes when the point is reached for the `nth` time (1: the first), once.
    nth: u64,
    hits: AtomicU64,
}

/// A fault plan: none (always, in release builds) or one point, action and occurrence.
#[derive(Debug, Clone, Default)]
pub struct Faults(Option<Arc<Plan>>);

impl Faults {
    /// No fault anywhere.
    pub fn none() -> Self {
        Self(None)
    }

    /// `action` the `nth` time (1-based) `point` is reached.
    pub fn at(point: FaultPoint, action: FaultAction, nth: u64) -> Self {
        Self(Some(Arc::new(Plan {
            point,
            action,
            nth: nth.max(1),
            hits: AtomicU64::new(0),
        })))
    }

    /// The plan in `INSIGNE_FAULT` (`POINT[:fail|abort][@N]`), read by debug builds only.
    pub fn from_env() -> Result<Self, String> {
        if !cfg!(debug_assertions) {
            return Ok(Self::none());
        }
        match std::env::var("INSIGNE_FAULT") {
            Ok(spec) if !spec.trim().is_empty() => spec.parse(),
            _ => Ok(Self::none()),
        }
    }

    pub fn is_armed(&self) -> bool {
        self.0.is_some()
    }

    /// Passes the point: an error or an abort when the plan says so, nothing otherwise.
    pub fn check(&self, point: FaultPoint) -> Result<(), InjectedFault> {
        let Some(plan) = &self.0 else {
            return Ok(());
        };
        if plan.point != point || plan.hits.fetch_add(1, Ordering::SeqCst) + 1 != plan.nth {
            return Ok(());
        }
        match plan.action {
            FaultAction::Fail => {
                tracing::warn!(%point, "injected fault: failing the step");
                Err(InjectedFault(point))
            }
            FaultAction::Abort => {
                eprintln!("insigne: injected fault at {point}: aborting");
                std::process::abort()
            }
        }
    }
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let (rest, nth) = match spec.rsplit_once('@') {
            Some((rest, n)) => (
                rest,
                n.parse::<u64>()
                    .map_err(|_| format!("INSIGNE_FAULT: {n:?} is not a count"))?,
            ),
            None => (spec, 1),
        };
        let (name, action) = match rest.split_once(':') {
            Some((name, "fail")) => (name, FaultAction::Fail),
            Some((name, "abort")) => (name, FaultAction::Abort),
            Some((_, other)) => {
                return Err(format!(
                    "INSIGNE_FAULT: {other:?} is neither \"fail\" nor \"abort\""
                ))
            }
            None => (rest, FaultAction::Abort),
        };
        let point = FaultPoint::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultPoint::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "INSIGNE_FAULT: {name:?} is no fault point ({})",
                    names.join(", ")
                )
            })?;
        Ok(Self::at(point, action, nth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_strikes_once_at_the_nth_passage_of_its_point() {
        let faults: Faults = "award-stored:fail@2".parse().expect("spec");
        assert_eq!(faults.check(FaultPoint::AwardClaimed), Ok(()));
        assert_eq!(faults.check(FaultPoint::AwardStored), Ok(()));
        assert_eq!(
            faults.check(FaultPoint::AwardStored),
            Err(InjectedFault(FaultPoint::AwardStored))
        );
        assert_eq!(faults.check(FaultPoint::AwardStored), Ok(()));
        assert_eq!(Faults::none().check(FaultPoint::AwardStored), Ok(()));
    }

    #[test]
    fn specs_name_a_known_point_and_action() {
        let abort: Faults = "import-chunk".parse().expect("spec");
        assert!(abort.is_armed());
        assert!("award-stored:explode"
            .parse::<Faults>()
            .unwrap_err()
            .contains("neither"));
        let err = "nowhere:fail".parse::<Faults>().unwrap_err();
        assert!(err.contains("completions-committed"), "{err}");
        assert!("award-stored@x".parse::<Faults>().is_err());
    }
}
