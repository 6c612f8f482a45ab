//! Use cases: what an admin, a connector or the CLI asks insigne to do, tying the domain, the
//! formats, the keys and the store together.

mod admins;
mod attendance;
mod audit;
mod awards;
mod badge_classes;
pub use badge_classes::RuleChoice;
mod catalogue;
mod catalogue_entries;
pub use catalogue_entries::{EntryFields, EntryKind};
mod completions;
mod endorsements;
pub use endorsements::ENDORSEMENT_COMMENT_MAX;
mod credentials;
mod evaluation;
mod home;
mod hosted;
mod images;
mod import;
pub mod inputs;
mod issuers;
mod keys;
mod moodle_sync;
mod notifications;
pub mod ob3_api;
pub mod oid4vci;
mod requests;
mod status;
mod tokens;
mod trainers;
mod uploads;
pub mod views;
mod wallets;
pub use wallets::{HolderCredential, WalletError, EXCHANGE_MINUTES};

use std::sync::Arc;

use crate::domain::{Clock, Invalid};
use crate::formats::ob3::identity::DidMethod;
use crate::formats::PublicUrls;
use crate::import::attendance::AttendanceMapping;
use crate::import::moodle::MoodleMapping;
use crate::storage::{StorageError, Store};

pub use admins::{
    add_admin, known_parcours, list_admins, remove_admin, set_tutor_parcours, tutor_parcours,
    AdminSession, OpenedSession, ADMIN_IDLE_MINUTES, ADMIN_SESSION_HOURS, ADMIN_SIGNIN_MINUTES,
};
pub use attendance::{AttendanceSummary, LearnerProgress, SessionSeen, ATTENDANCE_SOURCE};
pub use audit::{audit, Actor, AuditView};
pub use awards::{AwardSearch, AWARD_SEARCH_LIMIT};
pub use catalogue::{
    CatalogueLoaded, CataloguePreview, Change, EntryChange, LoadedBadge, NewlyEarned,
};
pub use completions::{parse_completion_date, CompletionInput, CompletionsOutcome, TriggeredAward};
pub use evaluation::{run_evaluator, EvaluationRun, Reconciled, ReconciledAward};
pub use home::{BadgeGroup, Home};
pub use hosted::HostedAssertion;
pub use images::BakedForm;
pub use import::{
    ImportPreview, ImportProgress, ImportSummary, ImportView, PreparedImport, MOODLE_SOURCE,
};
pub use keys::{key_ids, rotate_keys, SigningKeys};
pub use moodle_sync::{
    run_moodle_pull, CourseSync, SyncProgress, SyncSummary, SyncView, Withdrawn, MOODLE_WS_SOURCE,
};
pub use notifications::{backoff, run_worker, Round, LEASE, MAX_ATTEMPTS};
pub use requests::{
    clean_file_name, sniff_evidence_file, Assessment, CriterionAssessment, DecisionInput, Refusal,
    RequestDetail, Requestable, Upload as RequestUpload, Verdict, ANALYSIS_MAX_CHARS, LINKS_MAX,
    REQUEST_FILES_MAX, REQUEST_FILE_MAX_BYTES,
};
pub use status::{Dashboard, EvaluationStatus, ImportStatusView, ServiceStatus};
pub use tokens::{
    create_token, issue_token, list_tokens, revoke_token, token_audit_detail, NewToken,
    TokenRevocation, TOKEN_LABEL_MAX,
};
pub use trainers::{
    local_return, BadgeProgress, SigninRequest, ERASURE_REASON, SESSION_HOURS, SIGNIN_MINUTES,
    SIGNIN_PER_ADDRESS, SIGNIN_PER_CLIENT,
};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The key ring could not sign.
    #[error("signing failed")]
    Signing(#[from] crate::proof::keys::KeyError),
    /// The key ring could not be changed (new keys made, the ring file written).
    #[error("the key ring could not be changed")]
    KeyRing(#[source] crate::proof::keys::KeyError),
    /// The key ring has no active key of that algorithm (`insigne keys generate`).
    #[error("the key ring has no active {0:?} key")]
    NoActiveKey(crate::proof::KeyAlgorithm),
    /// A key named by a stored record is not in the key ring.
    #[error("the key ring holds no key {0}")]
    UnknownKey(String),
    /// `INSIGNE_PUBLIC_URL` cannot be an issuer's did:web (it carries a query or a fragment).
    #[error("the public URL cannot be turned into a did:web")]
    NoDidWeb,
    /// An award stored without one of its signed forms (its signing was deferred and failed).
    #[error("award {award} has no {form} yet")]
    Unsigned {
        award: crate::domain::AwardId,
        form: &'static str,
    },
    /// A stored document that does not read back.
    #[error("the stored {what} is damaged")]
    Damaged {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// Something that cannot happen did: a bug, said with what was expected.
    #[error("internal inconsistency: {0}")]
    Inconsistent(String),
    #[error("{0}")]
    Image(#[from] crate::bake::BakeError),
    /// A CPU-bound step on the pool did not complete (it panicked, or the runtime stops).
    #[error(transparent)]
    Lost(#[from] crate::cpu::Lost),
    /// Moodle's web services failed or refused.
    #[error(transparent)]
    Moodle(#[from] crate::import::moodle_ws::WsError),
}

impl ServiceError {
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// Everything a use case needs; cheap to clone.
#[derive(Clone)]
pub struct Insigne {
    pub store: Store,
    /// The signing keys in force; replaced in place by a rotation.
    pub keys: SigningKeys,
    pub urls: PublicUrls,
    pub clock: Arc<dyn Clock>,
    /// How issuers are identified in OB 3.0 credentials.
    pub did_method: DidMethod,
    /// How Moodle completion exports are read.
    pub moodle_mapping: Arc<MoodleMapping>,
    /// How attendance lists are read (`[attendance]`).
    pub attendance_mapping: Arc<AttendanceMapping>,
    /// How the verifier reaches other hosts (`INSIGNE_FETCH_ALLOW`).
    pub fetcher: Arc<crate::verify::fetch::GuardedFetcher>,
    /// How long an evaluation holds a learner before another may take them: a dead process's
    /// learners wait that long (`INSIGNE_EVALUATION_LEASE_SECS`).
    pub evaluation_lease: std::time::Duration,
    /// Where CPU-bound work of requests runs (verification, rasterising), bounded.
    pub cpu: crate::cpu::CpuPool,
    /// How long one verification may take, every fetch included (`INSIGNE_VERIFY_DEADLINE_SECS`).
    pub verify_deadline: std::time::Duration,
    /// Reverse proxies believed about the client's address (`INSIGNE_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// How long a client may take to send a request body (`INSIGNE_BODY_DEADLINE_SECS`).
    pub body_deadline: std::time::Duration,
}

/// The evaluation lease unless configured: an evaluation renews it every third of it, so it
/// only needs to outlast a stalled database call.
pub const EVALUATION_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

impl std::fmt::Debug for Insigne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Insigne")
            .field("store", &self.store.backend())
            .field("keys", &self.keys)
            .field("urls", &self.urls)
            .finish()
    }
}
