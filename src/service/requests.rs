//! Badges on request. A badge class whose rule is a review is earned by evidence: the trainer
//! writes a reflective analysis, gives links and files on "mes badges", saves a draft and
//! submits it (once the rule's first part holds); a tutor of its parcours (or the one an admin
//! assigned) assesses each criterion of the grid and approves it, returns it for revision with
//! a message, or refuses it with a reason. Each step is one conditional change of the request,
//! written with its history entry and its messages; an approval marks the learner for
//! evaluation in the same transaction, and the award engine then issues the badge exactly once,
//! with the request's items and the assessment as evidence.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Actor, AdminSession, Insigne, ServiceError};
use crate::auth::Role;
use crate::domain::ecap::{AwardRule, ReviewGrid};
use crate::domain::{EmailAddress, Evidence};
use crate::i18n::Lang;
use crate::notify::{request_message, RequestNotice};
use crate::storage::{
    NewMessage, RequestEvent, RequestFile, RequestStatus, Reviewer, StatusChange, StorageError,
    StoredCatalogue, StoredRequest,
};

/// Files a request carries at most.
pub const REQUEST_FILES_MAX: usize = 5;
/// The largest file a request takes.
pub const REQUEST_FILE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest reflective analysis, in characters.
pub const ANALYSIS_MAX_CHARS: usize = 20_000;
/// Links a request carries at most.
pub const LINKS_MAX: usize = 10;
/// The longest message or reason of a tutor, in characters.
pub const NOTE_MAX_CHARS: usize = 5_000;
/// The longest comment on one criterion, in characters.
pub const COMMENT_MAX_CHARS: usize = 2_000;

/// Why a step of a request was refused: said to the person next to the field concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The badge is not one asked for on request.
    NotOnRequest,
    /// The trainer holds the badge already.
    AlreadyHeld,
    /// The trainer has a request for it under way.
    AlreadyOpen,
    /// The request is no longer the trainer's to change (submitted or decided).
    NotEditable,
    AnalysisEmpty,
    AnalysisTooLong,
    TooManyLinks,
    /// A line of the links is no http(s) URL.
    BadLink(String),
    TooManyFiles,
    FileTooLarge,
    FileEmpty,
    /// A file that is none of PDF, PNG, JPEG, ODT by its bytes.
    FileType,
    /// What the badge needs first is not done yet.
    FirstRuleUnmet,
    /// The request is not waiting for a decision (someone decided already).
    NotSubmitted,
    /// A return or a refusal needs a message.
    NoteRequired,
    NoteTooLong,
    /// A criterion was left without met / not met.
    AssessmentIncomplete(String),
    /// An approval needs every criterion met.
    CriteriaNotMet,
    /// No such tutor to assign.
    UnknownTutor,
}

impl Refusal {
    /// Its words' key in `locales/`.
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::NotOnRequest => "request-refusal-not-on-request",
            Refusal::AlreadyHeld => "request-refusal-held",
            Refusal::AlreadyOpen => "request-refusal-open",
            Refusal::NotEditable => "request-refusal-not-editable",
            Refusal::AnalysisEmpty => "request-refusal-analysis-empty",
            Refusal::AnalysisTooLong => "request-refusal-analysis-long",
            Refusal::TooManyLinks => "request-refusal-links-many",
            Refusal::BadLink(_) => "request-refusal-link",
            Refusal::TooManyFiles => "request-refusal-files-many",
            Refusal::FileTooLarge => "request-refusal-file-large",
            Refusal::FileEmpty => "request-refusal-file-empty",
            Refusal::FileType => "request-refusal-file-type",
            Refusal::FirstRuleUnmet => "request-refusal-first",
            Refusal::NotSubmitted => "request-refusal-not-submitted",
            Refusal::NoteRequired => "request-refusal-note",
            Refusal::NoteTooLong => "request-refusal-note-long",
            Refusal::AssessmentIncomplete(_) => "request-refusal-assessment",
            Refusal::CriteriaNotMet => "request-refusal-criteria",
            Refusal::UnknownTutor => "request-refusal-tutor",
        }
    }

    /// The form field it concerns.
    pub fn field(&self) -> String {
        match self {
            Refusal::AnalysisEmpty | Refusal::AnalysisTooLong => "analysis".into(),
            Refusal::TooManyLinks | Refusal::BadLink(_) => "links".into(),
            Refusal::TooManyFiles
            | Refusal::FileTooLarge
            | Refusal::FileEmpty
            | Refusal::FileType => "files".into(),
            Refusal::NoteRequired | Refusal::NoteTooLong => "note".into(),
            Refusal::AssessmentIncomplete(code) => format!("met-{code}"),
            Refusal::UnknownTutor => "tutor".into(),
            _ => "request".into(),
        }
    }

    /// In words, in `t`.
    pub fn words(&self, t: Lang) -> String {
        match self {
            Refusal::BadLink(line) => t.t_with(self.key(), &[("link", line)]),
            Refusal::AssessmentIncomplete(code) => t.t_with(self.key(), &[("criterion", code)]),
            _ => t.t_with(
                self.key(),
                &[
                    ("files", &REQUEST_FILES_MAX.to_string()),
                    (
                        "megabytes",
                        &(REQUEST_FILE_MAX_BYTES / (1024 * 1024)).to_string(),
                    ),
                    ("links", &LINKS_MAX.to_string()),
                    ("chars", &ANALYSIS_MAX_CHARS.to_string()),
                ],
            ),
        }
    }
}

/// A tutor's assessment of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionAssessment {
    pub code: String,
    pub label: String,
    pub met: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// A tutor's assessment of a request on its grid, criterion by criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub grid: String,
    pub criteria: Vec<CriterionAssessment>,
}

impl Assessment {
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// What a tutor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Return,
    Refuse,
}

/// A tutor's decision as posted: the verdict, each criterion (met or not, with a comment, by
/// code), and the message or reason.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub verdict: Option<Verdict>,
    pub met: std::collections::BTreeMap<String, Option<bool>>,
    pub comments: std::collections::BTreeMap<String, String>,
    pub note: String,
}

/// A file as attached by the trainer.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// A badge on request, as "mes badges" offers it.
#[derive(Debug, Clone)]
pub struct Requestable {
    pub code: String,
    pub name: String,
    pub criteria: String,
    pub grid: Option<ReviewGrid>,
    pub held: bool,
    /// Whether what it needs first is done (or it needs nothing first).
    pub ready: bool,
    /// The trainer's latest request for it, if any.
    pub request: Option<StoredRequest>,
}

/// A request with all that is shown of it.
#[derive(Debug, Clone)]
pub struct RequestDetail {
    pub request: StoredRequest,
    pub badge_name: String,
    pub grid: Option<ReviewGrid>,
    pub files: Vec<RequestFile>,
    pub events: Vec<RequestEvent>,
    pub assessment: Option<Assessment>,
    /// Whether what the badge needs first is done.
    pub ready: bool,
}

/// The media type of a file a request takes, decided by its bytes alone.
pub fn sniff_evidence_file(bytes: &[u8]) -> Option<&'static str> {
    const ODT: &[u8] = b"application/vnd.oasis.opendocument.text";
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"PK\x03\x04")
        // OpenDocument: the archive's first entry is `mimetype`, stored uncompressed, so
        // its name is at offset 30 and its content right after (ODF 1.2 part 3, 3.3).
        && bytes.get(30..38) == Some(b"mimetype".as_slice())
        && bytes.get(38..38 + ODT.len()) == Some(ODT)
    {
        Some("application/vnd.oasis.opendocument.text")
    } else {
        None
    }
}

/// A file name as shown and downloaded: its last path part, without control characters,
/// 120 characters at most; "fichier" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "fichier".into()
    } else {
        cleaned
    }
}

/// The links typed one a line: each an http(s) URL.
fn parse_links(text: &str) -> Result<Vec<String>, Refusal> {
    // The same link twice is one piece of evidence (its URL is the evidence's id).
    let mut links: Vec<String> = Vec::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !links.iter().any(|x| x == l) {
            links.push(l.to_string());
        }
    }
    if links.len() > LINKS_MAX {
        return Err(Refusal::TooManyLinks);
    }
    for l in &links {
        let ok = l.len() <= 2000
            && url::Url::parse(l)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(Refusal::BadLink(l.chars().take(200).collect()));
        }
    }
    Ok(links)
}

fn check_analysis(text: &str) -> Result<String, Refusal> {
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > ANALYSIS_MAX_CHARS {
        return Err(Refusal::AnalysisTooLong);
    }
    Ok(text)
}

fn request_grid(catalogue: &StoredCatalogue, code: &str) -> Option<ReviewGrid> {
    let grid = catalogue.badges.iter().find_map(|b| match &b.rule {
        AwardRule::Review { grid, .. } if b.code == code => Some(grid.clone()),
        _ => None,
    })?;
    catalogue.grids.iter().find(|g| g.code == grid).cloned()
}

/// A learner's completions, attended sessions and badges held: what the rule a request needs
/// first is judged on.
struct Done {
    completions: Vec<crate::engine::CompletionFact>,
    attendances: Vec<crate::engine::AttendanceFact>,
    held: BTreeSet<String>,
}

impl Done {
    /// Whether `rule` (a review's first rule) holds.
    fn meets(&self, rule: &AwardRule, catalogue: &StoredCatalogue) -> bool {
        let facts = crate::engine::Facts {
            modules: &catalogue.modules,
            series: &catalogue.series,
            completions: &self.completions,
            attendances: &self.attendances,
            reviews: &[],
        };
        crate::engine::first_trace(&facts, rule, &self.held).is_some()
    }
}

impl Insigne {
    /// The badges on request of the catalogue, as `email` may ask for them.
    pub async fn requestable_badges(
        &self,
        email: &EmailAddress,
    ) -> Result<Vec<Requestable>, ServiceError> {
        let catalogue = self.store.load_catalogue().await?;
        let held = self.store.held_badge_classes(email).await?;
        let requests = self.store.requests_of(email.as_str()).await?;
        let done = self.done_by(email, &catalogue).await?;
        let mut out = Vec::new();
        for b in &catalogue.badges {
            let AwardRule::Review { first, .. } = &b.rule else {
                continue;
            };
            let ready = first
                .as_deref()
                .is_none_or(|first| done.meets(first, &catalogue));
            let class = self.badge_class(b.id).await?;
            out.push(Requestable {
                code: b.code.clone(),
                name: b.name.clone(),
                criteria: class.criteria.narrative.unwrap_or_default(),
                grid: request_grid(&catalogue, &b.code),
                held: held.contains(&b.id),
                ready,
                request: requests.iter().find(|r| r.badge_class == b.id).cloned(),
            });
        }
        Ok(out)
    }

    /// What `email` has done, read once, to judge the rules requests need first.
    async fn done_by(
        &self,
        email: &EmailAddress,
        catalogue: &StoredCatalogue,
    ) -> Result<Done, ServiceError> {
        let (completions, attendances) =
            match self.learner_facts(email, &Default::default()).await? {
                Some((_, c, a)) => (c, a),
                None => (Vec::new(), Vec::new()),
            };
        let held_ids = self.store.held_badge_classes(email).await?;
        let held = catalogue
            .badges
            .iter()
            .filter(|b| held_ids.contains(&b.id))
            .map(|b| b.code.clone())
            .collect();
        Ok(Done {
            completions,
            attendances,
            held,
        })
    }

    /// Starts a draft request of `email` for the badge `code`.
    pub async fn start_request(
        &self,
        email: &EmailAddress,
        code: &str,
        lang: Lang,
    ) -> Result<Result<StoredRequest, Refusal>, ServiceError> {
        let catalogue = self.store.load_catalogue().await?;
        let Some(badge) = catalogue.badges.iter().find(|b| b.code == code) else {
            return Ok(Err(Refusal::NotOnRequest));
        };
        let AwardRule::Review { parcours, .. } = &badge.rule else {
            return Ok(Err(Refusal::NotOnRequest));
        };
        if self
            .store
            .held_badge_classes(email)
            .await?
            .contains(&badge.id)
        {
            return Ok(Err(Refusal::AlreadyHeld));
        }
        let name = match self.learner_facts(email, &Default::default()).await? {
            Some((name, ..)) if !name.trim().is_empty() => name,
            _ => self
                .store
                .awards_of(email.as_str())
                .await?
                .into_iter()
                .map(|o| o.stored.award.recipient.name)
                .find(|n| !n.trim().is_empty())
                .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().into()),
        };
        let now = self.clock.now();
        let request = StoredRequest {
            id: crate::domain::ids::random_uuid().to_string(),
            email: email.to_string(),
            learner_name: name,
            badge_class: badge.id,
            badge_code: badge.code.clone(),
            parcours: parcours.clone(),
            tutor: None,
            status: RequestStatus::Draft,
            analysis: String::new(),
            links: Vec::new(),
            assessment: None,
            decision_note: None,
            decided_by: None,
            lang: lang.code().to_string(),
            created_at: now,
            updated_at: now,
            submitted_at: None,
            decided_at: None,
        };
        match self.store.create_request(&request).await {
            Ok(()) => {}
            Err(StorageError::Conflict(_)) => return Ok(Err(Refusal::AlreadyOpen)),
            Err(e) => return Err(e.into()),
        }
        self.audit(
            &Actor::Trainer,
            "request started",
            Some(&request.id),
            Some(code),
        )
        .await?;
        Ok(Ok(request))
    }

    /// The request `id` if it is `email`'s.
    async fn own_request(
        &self,
        email: &EmailAddress,
        id: &str,
    ) -> Result<StoredRequest, ServiceError> {
        match self.store.get_request(id).await? {
            Some(r) if r.email == email.as_str() => Ok(r),
            _ => Err(ServiceError::not_found("request", id)),
        }
    }

    async fn detail(&self, request: StoredRequest) -> Result<RequestDetail, ServiceError> {
        let catalogue = self.store.load_catalogue().await?;
        let class = self.badge_class(request.badge_class).await?;
        let ready = match catalogue
            .badges
            .iter()
            .find(|b| b.code == request.badge_code)
        {
            Some(crate::storage::RuledBadge {
                rule:
                    AwardRule::Review {
                        first: Some(first), ..
                    },
                ..
            }) => {
                let email = EmailAddress::parse(&request.email)
                    .map_err(|e| ServiceError::Storage(StorageError::Corrupt(e)))?;
                self.done_by(&email, &catalogue)
                    .await?
                    .meets(first, &catalogue)
            }
            _ => true,
        };
        Ok(RequestDetail {
            badge_name: class.name,
            grid: request_grid(&catalogue, &request.badge_code),
            files: self.store.request_files(&request.id).await?,
            events: self.store.request_events(&request.id).await?,
            assessment: request
                .assessment
                .as_deref()
                .and_then(Assessment::from_json),
            ready,
            request,
        })
    }

    /// `email`'s request `id`, with its files and history.
    pub async fn my_request(
        &self,
        email: &EmailAddress,
        id: &str,
    ) -> Result<RequestDetail, ServiceError> {
        let request = self.own_request(email, id).await?;
        self.detail(request).await
    }

    /// Saves what the trainer typed (the analysis, the links one a line) while it is theirs.
    pub async fn save_request(
        &self,
        email: &EmailAddress,
        id: &str,
        analysis: &str,
        links: &str,
    ) -> Result<Result<(), Refusal>, ServiceError> {
        let request = self.own_request(email, id).await?;
        if !request.status.editable() {
            return Ok(Err(Refusal::NotEditable));
        }
        let analysis = match check_analysis(analysis) {
            Ok(a) => a,
            Err(r) => return Ok(Err(r)),
        };
        let links = match parse_links(links) {
            Ok(l) => l,
            Err(r) => return Ok(Err(r)),
        };
        if !self
            .store
            .save_request_text(id, &analysis, &links, self.clock.now())
            .await?
        {
            return Ok(Err(Refusal::NotEditable));
        }
        Ok(Ok(()))
    }

    /// Attaches a file to the trainer's request, checked by its bytes.
    pub async fn attach_request_file(
        &self,
        email: &EmailAddress,
        id: &str,
        upload: Upload<'_>,
    ) -> Result<Result<RequestFile, Refusal>, ServiceError> {
        let request = self.own_request(email, id).await?;
        if !request.status.editable() {
            return Ok(Err(Refusal::NotEditable));
        }
        if upload.bytes.is_empty() {
            return Ok(Err(Refusal::FileEmpty));
        }
        if upload.bytes.len() > REQUEST_FILE_MAX_BYTES {
            return Ok(Err(Refusal::FileTooLarge));
        }
        let Some(media_type) = sniff_evidence_file(upload.bytes) else {
            return Ok(Err(Refusal::FileType));
        };
        let file = RequestFile {
            id: crate::domain::ids::random_uuid().to_string(),
            file_name: clean_file_name(upload.file_name),
            media_type: media_type.into(),
            size: upload.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(upload.bytes)),
            created_at: self.clock.now(),
        };
        if !self
            .store
            .add_request_file(id, &file, upload.bytes, REQUEST_FILES_MAX as i64)
            .await?
        {
            let editable = self
                .store
                .get_request(id)
                .await?
                .is_some_and(|r| r.status.editable());
            return Ok(Err(if editable {
                Refusal::TooManyFiles
            } else {
                Refusal::NotEditable
            }));
        }
        Ok(Ok(file))
    }

    /// Removes a file from the trainer's request while it is theirs to change.
    pub async fn detach_request_file(
        &self,
        email: &EmailAddress,
        id: &str,
        file: &str,
    ) -> Result<Result<(), Refusal>, ServiceError> {
        let request = self.own_request(email, id).await?;
        if !request.status.editable() {
            return Ok(Err(Refusal::NotEditable));
        }
        if !self.store.remove_request_file(id, file).await? {
            return Err(ServiceError::not_found("file", file));
        }
        Ok(Ok(()))
    }

    /// Submits the trainer's request to its tutors: it needs an analysis, and what the badge
    /// needs first done.
    pub async fn submit_request(
        &self,
        email: &EmailAddress,
        id: &str,
    ) -> Result<Result<(), Refusal>, ServiceError> {
        let detail = self.my_request(email, id).await?;
        let request = &detail.request;
        if !request.status.editable() {
            return Ok(Err(Refusal::NotEditable));
        }
        if request.analysis.trim().is_empty() {
            return Ok(Err(Refusal::AnalysisEmpty));
        }
        if !detail.ready {
            return Ok(Err(Refusal::FirstRuleUnmet));
        }
        let action = if request.status == RequestStatus::Returned {
            "resubmitted"
        } else {
            "submitted"
        };
        let messages = self
            .reviewer_messages(request, &detail.badge_name, "email-request-submitted")
            .await?;
        let changed = self
            .store
            .change_request_status(
                id,
                &StatusChange {
                    lease: None,
                    from: &[RequestStatus::Draft, RequestStatus::Returned],
                    to: RequestStatus::Submitted,
                    actor: "trainer",
                    action,
                    note: None,
                    assessment: None,
                    messages: &messages,
                },
                self.clock.now(),
            )
            .await?;
        if changed.is_none() {
            return Ok(Err(Refusal::NotEditable));
        }
        self.audit(
            &Actor::Trainer,
            &format!("request {action}"),
            Some(id),
            Some(&request.badge_code),
        )
        .await?;
        Ok(Ok(()))
    }

    /// The messages telling those who review `request` of a step: its assigned tutor, else
    /// its parcours' tutors, else the admins (who assign it).
    async fn reviewer_messages(
        &self,
        request: &StoredRequest,
        badge: &str,
        key: &str,
    ) -> Result<Vec<NewMessage>, ServiceError> {
        let mut to: Vec<String> = match &request.tutor {
            Some(t) => vec![t.clone()],
            None => match &request.parcours {
                Some(p) => self.store.tutors_of(p).await?,
                None => Vec::new(),
            },
        };
        if to.is_empty() {
            to = self
                .store
                .admins()
                .await?
                .into_iter()
                .filter(|a| a.role == Role::Admin)
                .map(|a| a.email)
                .collect();
        }
        let link = format!("{}/admin/demandes/{}", self.urls.base(), request.id);
        Ok(to
            .iter()
            .map(|address| {
                request_message(
                    &RequestNotice {
                        to: address,
                        subject: &format!("{key}-subject"),
                        intro: key,
                        badge,
                        name: &request.learner_name,
                        note: None,
                        link: &link,
                    },
                    Lang::Fr,
                )
            })
            .collect())
    }

    /// The requests past their draft `session` sees: all for an admin; for a tutor, those
    /// assigned to them and those of their parcours assigned to nobody.
    pub async fn requests_to_review(
        &self,
        session: &AdminSession,
    ) -> Result<Vec<(StoredRequest, String)>, ServiceError> {
        let reviewer = match session.role {
            Role::Admin => Reviewer::All,
            Role::Tutor => Reviewer::Tutor(&session.email),
        };
        let mut out = Vec::new();
        for r in self.store.requests_for(&reviewer).await? {
            let name = self.badge_class(r.badge_class).await?.name;
            out.push((r, name));
        }
        Ok(out)
    }

    /// Whether `session` may read and decide `request`.
    async fn may_review(
        &self,
        session: &AdminSession,
        request: &StoredRequest,
    ) -> Result<bool, ServiceError> {
        if request.status == RequestStatus::Draft {
            return Ok(false);
        }
        Ok(match session.role {
            Role::Admin => true,
            Role::Tutor => match &request.tutor {
                Some(t) => *t == session.email,
                None => self
                    .store
                    .tutor_parcours(&session.email)
                    .await?
                    .iter()
                    .any(|p| Some(p) == request.parcours.as_ref()),
            },
        })
    }

    /// The request `id` for review by `session`; not found outside what they review.
    pub async fn request_for_review(
        &self,
        session: &AdminSession,
        id: &str,
    ) -> Result<RequestDetail, ServiceError> {
        let Some(request) = self.store.get_request(id).await? else {
            return Err(ServiceError::not_found("request", id));
        };
        if !self.may_review(session, &request).await? {
            return Err(ServiceError::not_found("request", id));
        }
        self.detail(request).await
    }

    /// A file of a request, for its trainer.
    pub async fn request_file_for_trainer(
        &self,
        email: &EmailAddress,
        id: &str,
        file: &str,
    ) -> Result<(RequestFile, Vec<u8>), ServiceError> {
        self.own_request(email, id).await?;
        self.store
            .request_file(id, file)
            .await?
            .ok_or_else(|| ServiceError::not_found("file", file))
    }

    /// A file of a request, for whoever reviews it.
    pub async fn request_file_for_reviewer(
        &self,
        session: &AdminSession,
        id: &str,
        file: &str,
    ) -> Result<(RequestFile, Vec<u8>), ServiceError> {
        self.request_for_review(session, id).await?;
        self.store
            .request_file(id, file)
            .await?
            .ok_or_else(|| ServiceError::not_found("file", file))
    }

    /// A tutor's (or an admin's) decision on a submitted request. An approval needs every
    /// criterion met; a return or a refusal needs a message. The trainer is told; an approval
    /// marks them for evaluation, and the badge follows (evaluated here at once, else by the
    /// workers).
    pub async fn decide_request(
        &self,
        session: &AdminSession,
        id: &str,
        input: &DecisionInput,
    ) -> Result<Result<Verdict, Refusal>, ServiceError> {
        let detail = self.request_for_review(session, id).await?;
        let request = &detail.request;
        if request.status != RequestStatus::Submitted {
            return Ok(Err(Refusal::NotSubmitted));
        }
        let Some(verdict) = input.verdict else {
            return Ok(Err(Refusal::NotSubmitted));
        };
        let grid = detail.grid.clone().unwrap_or(ReviewGrid {
            code: String::new(),
            name: String::new(),
            description: None,
            criteria: Vec::new(),
        });
        let mut criteria = Vec::new();
        for k in &grid.criteria {
            let met = input.met.get(&k.code).copied().flatten();
            let comment: String = input
                .comments
                .get(&k.code)
                .map(|c| c.trim().chars().take(COMMENT_MAX_CHARS).collect())
                .unwrap_or_default();
            match met {
                Some(met) => criteria.push(CriterionAssessment {
                    code: k.code.clone(),
                    label: k.label.clone(),
                    met,
                    comment,
                }),
                None if verdict == Verdict::Approve => {
                    return Ok(Err(Refusal::AssessmentIncomplete(k.code.clone())))
                }
                None => {}
            }
        }
        if verdict == Verdict::Approve && criteria.iter().any(|c| !c.met) {
            return Ok(Err(Refusal::CriteriaNotMet));
        }
        let note = input.note.trim().replace("\r\n", "\n");
        if note.chars().count() > NOTE_MAX_CHARS {
            return Ok(Err(Refusal::NoteTooLong));
        }
        if verdict != Verdict::Approve && note.is_empty() {
            return Ok(Err(Refusal::NoteRequired));
        }
        let assessment = Assessment {
            grid: grid.code.clone(),
            criteria,
        };
        let assessment_json = serde_json::to_string(&assessment)
            .map_err(|e| ServiceError::Inconsistent(e.to_string()))?;
        let (to, action, trainer_key) = match verdict {
            Verdict::Approve => (RequestStatus::Approved, "approved", None),
            Verdict::Return => (
                RequestStatus::Returned,
                "returned",
                Some("email-request-returned"),
            ),
            Verdict::Refuse => (
                RequestStatus::Refused,
                "refused",
                Some("email-request-refused"),
            ),
        };
        let lang = Lang::from_tag(&request.lang).unwrap_or(Lang::Fr);
        let link = format!("{}/mes-badges/demandes/{}", self.urls.base(), request.id);
        let messages: Vec<NewMessage> = trainer_key
            .map(|key| {
                request_message(
                    &RequestNotice {
                        to: &request.email,
                        subject: &format!("{key}-subject"),
                        intro: key,
                        badge: &detail.badge_name,
                        name: &request.learner_name,
                        note: Some(&note),
                        link: &link,
                    },
                    lang,
                )
            })
            .into_iter()
            .collect();
        // An approval marks the learner held by this lease: evaluated here at once.
        let lease = self.new_lease();
        let changed = self
            .store
            .change_request_status(
                id,
                &StatusChange {
                    lease: Some(&lease),
                    from: &[RequestStatus::Submitted],
                    to,
                    actor: &session.email,
                    action,
                    note: (!note.is_empty()).then_some(note.as_str()),
                    assessment: Some(&assessment_json),
                    messages: &messages,
                },
                self.clock.now(),
            )
            .await?;
        let Some(changed) = changed else {
            return Ok(Err(Refusal::NotSubmitted));
        };
        self.audit(
            &Actor::Console(session.email.clone()),
            &format!("request {action}"),
            Some(id),
            Some(&request.badge_code),
        )
        .await?;
        if let Some(taken) = changed.taken {
            // The approval is committed with the learner's mark: if this evaluation fails or
            // the process stops here, a worker awards the badge once the lease runs out.
            let _keeper = self.keep_lease(&lease);
            let catalogue = self.catalogue_for(1).await?;
            let run = self
                .evaluate_taken(
                    &lease,
                    vec![taken],
                    std::sync::Arc::new(catalogue),
                    &|_, _| {},
                )
                .await;
            for (_, error) in &run.failed {
                tracing::warn!(%error, "the approved request's badge is left to the workers");
            }
        }
        Ok(Ok(verdict))
    }

    /// Assigns a request to `tutor` (an address of a console tutor), or back to its
    /// parcours' tutors (`None`); the tutor is told. Admins only.
    pub async fn assign_request(
        &self,
        session: &AdminSession,
        id: &str,
        tutor: Option<&str>,
    ) -> Result<Result<(), Refusal>, ServiceError> {
        let detail = self.request_for_review(session, id).await?;
        let tutor = tutor.map(|t| t.trim().to_lowercase());
        if let Some(t) = &tutor {
            if self.store.admin_role(t).await? != Some(Role::Tutor) {
                return Ok(Err(Refusal::UnknownTutor));
            }
        }
        let mut request = detail.request.clone();
        request.tutor = tutor.clone();
        let messages = match &tutor {
            Some(_) => {
                self.reviewer_messages(&request, &detail.badge_name, "email-request-assigned")
                    .await?
            }
            None => Vec::new(),
        };
        if !self
            .store
            .assign_request(
                id,
                tutor.as_deref(),
                &session.email,
                &messages,
                self.clock.now(),
            )
            .await?
        {
            return Ok(Err(Refusal::NotSubmitted));
        }
        self.audit(
            &Actor::Console(session.email.clone()),
            "request reassigned",
            Some(id),
            Some(tutor.as_deref().unwrap_or("-")),
        )
        .await?;
        Ok(Ok(()))
    }

    /// The tutors an admin may assign requests to.
    pub async fn tutors(&self) -> Result<Vec<String>, ServiceError> {
        Ok(self
            .store
            .admins()
            .await?
            .into_iter()
            .filter(|a| a.role == Role::Tutor)
            .map(|a| a.email)
            .collect())
    }

    /// The evidence an approved request gives its award: the reflective analysis, each link,
    /// each file (named, with its SHA-256: the file itself stays private) and the tutor's
    /// assessment.
    pub(super) async fn request_evidence(
        &self,
        id: &str,
        catalogue: &StoredCatalogue,
    ) -> Result<Vec<Evidence>, ServiceError> {
        let Some(request) = self.store.get_request(id).await? else {
            return Ok(Vec::new());
        };
        let mut out = vec![Evidence {
            url: None,
            name: Some("Analyse réflexive".into()),
            description: Some(
                "L'analyse réflexive de son parcours rédigée par le formateur.".into(),
            ),
            narrative: Some(request.analysis.clone()),
            genre: Some("Analyse réflexive".into()),
        }];
        for link in &request.links {
            out.push(Evidence {
                url: Some(link.clone()),
                name: Some("Production du formateur".into()),
                description: Some(format!("Lien déposé avec la demande : {link}")),
                narrative: None,
                genre: Some("Production".into()),
            });
        }
        for f in self.store.request_files(id).await? {
            out.push(Evidence {
                url: None,
                name: Some(f.file_name.clone()),
                description: Some(format!(
                    "Fichier déposé avec la demande ({}, {} octets, SHA-256 {}) ; consultable par le formateur et son tuteur.",
                    f.media_type, f.size, f.sha256
                )),
                narrative: None,
                genre: Some("Fichier".into()),
            });
        }
        if let Some(a) = request
            .assessment
            .as_deref()
            .and_then(Assessment::from_json)
        {
            let grid = catalogue
                .grids
                .iter()
                .find(|g| g.code == a.grid)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| a.grid.clone());
            let mut narrative = String::new();
            for c in &a.criteria {
                let verdict = if c.met { "atteint" } else { "non atteint" };
                narrative.push_str(&format!("- {} {} : {verdict}", c.code, c.label));
                if !c.comment.is_empty() {
                    narrative.push_str(&format!(" — {}", c.comment));
                }
                narrative.push('\n');
            }
            if let Some(note) = &request.decision_note {
                narrative.push_str(&format!("\n{note}\n"));
            }
            out.push(Evidence {
                url: None,
                name: Some(format!("Évaluation du tuteur : {grid}")),
                description: Some(format!(
                    "Demande évaluée et approuvée le {}.",
                    super::completions::french_date(
                        request.decided_at.unwrap_or(request.updated_at)
                    )
                )),
                narrative: Some(narrative.trim_end().to_string()),
                genre: Some("Évaluation".into()),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_bytes() {
        assert_eq!(
            sniff_evidence_file(b"%PDF-1.7\n..."),
            Some("application/pdf")
        );
        assert_eq!(
            sniff_evidence_file(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(
            sniff_evidence_file(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        // An OpenDocument text: a ZIP whose first entry is `mimetype`, stored.
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(&[0u8; 26]);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(
            sniff_evidence_file(&odt),
            Some("application/vnd.oasis.opendocument.text")
        );
        // A spreadsheet is an OpenDocument too, but not a text; a ZIP is not one.
        let mut ods = b"PK\x03\x04".to_vec();
        ods.extend_from_slice(&[0u8; 26]);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff_evidence_file(&ods), None);
        assert_eq!(sniff_evidence_file(b"PK\x03\x04rest"), None);
        // A name says nothing: HTML called rapport.pdf is refused.
        assert_eq!(sniff_evidence_file(b"<html><script>"), None);
        assert_eq!(sniff_evidence_file(b""), None);
    }

    #[test]
    fn file_names_keep_their_last_part_only() {
        assert_eq!(
            clean_file_name("C:\\Users\\moi\\analyse.pdf"),
            "analyse.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("..."), "fichier");
        assert_eq!(clean_file_name("a\"b\nc.odt"), "abc.odt");
        assert_eq!(clean_file_name(""), "fichier");
    }

    #[test]
    fn links_are_http_urls_one_a_line() {
        assert_eq!(
            parse_links("https://magistere.education.fr/ac-versailles/course/view.php?id=1\n\n  http://exemple.fr/a \nhttp://exemple.fr/a"),
            Ok(vec![
                "https://magistere.education.fr/ac-versailles/course/view.php?id=1".to_string(),
                "http://exemple.fr/a".to_string()
            ])
        );
        assert_eq!(
            parse_links("javascript:alert(1)"),
            Err(Refusal::BadLink("javascript:alert(1)".into()))
        );
        let many: String = (0..=LINKS_MAX)
            .map(|i| format!("https://a.fr/{i}\n"))
            .collect();
        assert_eq!(parse_links(&many), Err(Refusal::TooManyLinks));
    }
}
