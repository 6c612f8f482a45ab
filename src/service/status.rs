//! What an operator checks: learners waiting for evaluation, the outbox, the last import.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Insigne, ServiceError};
use crate::storage::ImportStatus;

/// The evaluation queue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct EvaluationStatus {
    /// Learners marked for evaluation and not evaluated yet.
    pub waiting: i64,
    /// When the one waiting longest was marked (RFC 3339), if any.
    pub oldest_marked_at: Option<String>,
    /// Learners whose last evaluation failed, waiting for a retry.
    pub failing: i64,
    /// The latest of those failures.
    pub last_error: Option<String>,
}

/// The last import.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportStatusView {
    pub id: String,
    pub source: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running` (or its process died), `done` or `failed`.
    #[schema(value_type = String)]
    pub status: ImportStatus,
    pub rows_read: i64,
    pub rows_rejected: i64,
    pub completions_new: i64,
    pub awards_issued: i64,
    pub error: Option<String>,
}

/// `GET /api/v1/status`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ServiceStatus {
    pub evaluations: EvaluationStatus,
    /// Messages by status (`pending`, `sending`, `sent`, `failed`, `logged`), every status
    /// listed.
    pub outbox: BTreeMap<String, i64>,
    pub last_import: Option<ImportStatusView>,
}

impl Insigne {
    pub async fn status(&self) -> Result<ServiceStatus, ServiceError> {
        let e = self.store.evaluation_stats().await?;
        let mut outbox: BTreeMap<String, i64> = ["pending", "sending", "sent", "failed", "logged"]
            .into_iter()
            .map(|s| (s.to_string(), 0))
            .collect();
        outbox.extend(self.store.outbox_counts().await?);
        let last_import = self.store.last_import().await?.map(|i| ImportStatusView {
            id: i.id,
            source: i.source,
            started_at: crate::domain::clock::rfc3339(i.started_at),
            finished_at: i.finished_at.map(crate::domain::clock::rfc3339),
            status: i.status,
            rows_read: i.rows_read,
            rows_rejected: i.rows_rejected,
            completions_new: i.completions_new,
            awards_issued: i.awards_issued,
            error: i.error,
        });
        Ok(ServiceStatus {
            evaluations: EvaluationStatus {
                waiting: e.waiting,
                oldest_marked_at: e.oldest_marked_at,
                failing: e.failing,
                last_error: e.last_error,
            },
            outbox,
            last_import,
        })
    }
}

/// What the console's dashboard shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dashboard {
    pub awards_total: i64,
    /// Awards issued in the last seven days.
    pub awards_week: i64,
    /// Trainers holding a badge.
    pub trainers: i64,
    /// Badge requests waiting for a tutor's decision.
    pub requests_waiting: i64,
    pub status: ServiceStatus,
    /// The last Moodle syncs, the latest first.
    pub syncs: Vec<super::SyncView>,
}

impl Insigne {
    pub async fn dashboard(&self) -> Result<Dashboard, ServiceError> {
        let since = self.clock.now() - chrono::Duration::days(7);
        let (awards_total, awards_week, trainers) = self.store.award_counts(since).await?;
        Ok(Dashboard {
            awards_total,
            awards_week,
            requests_waiting: self.store.count_requests_waiting().await?,
            trainers,
            status: self.status().await?,
            syncs: self.moodle_syncs(5).await?,
        })
    }
}
