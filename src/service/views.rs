//! What the service answers to its callers (the JSON API and the CLI): typed views with their
//! links, so that storage rows stay below the service and every response has a schema.

use serde::Serialize;
use utoipa::ToSchema;

use super::completions::{CompletionsOutcome, TriggeredAward};
use super::Insigne;
use crate::domain::clock::rfc3339;
use crate::domain::{Alignment, BadgeClass, Criteria, Evidence, Issuer};
use crate::engine::TraceStep;
use crate::storage::{MessageStatus, StoredAward, StoredMessage};

/// A list, under `items`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

impl<T> From<Vec<T>> for Items<T> {
    fn from(items: Vec<T>) -> Self {
        Items { items }
    }
}

/// Where an award stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AwardStatus {
    Valid,
    Expired,
    Revoked,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientView {
    #[schema(format = Email)]
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevocationView {
    #[schema(format = DateTime)]
    pub at: String,
    pub reason: String,
}

/// A piece of evidence of an award, as issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceView {
    pub url: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub narrative: Option<String>,
    pub genre: Option<String>,
}

impl From<&Evidence> for EvidenceView {
    fn from(e: &Evidence) -> Self {
        EvidenceView {
            url: e.url.clone(),
            name: e.name.clone(),
            description: e.description.clone(),
            narrative: e.narrative.clone(),
            genre: e.genre.clone(),
        }
    }
}

/// Every published form of an award.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardLinks {
    /// The public badge page.
    pub page: String,
    /// The hosted OB 2.0 Assertion.
    pub ob2_assertion: String,
    /// The OB 2.0 signed assertion (compact JWS).
    pub ob2_signed: String,
    /// The OB 3.0 credential with its Data Integrity proof.
    pub ob3_credential: String,
    /// The OB 3.0 credential as a VC-JWT.
    pub ob3_jwt: String,
    /// The baked PNG.
    pub png: String,
    /// The baked SVG.
    pub svg: String,
}

/// An award, with its status and its links to every published form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwardView {
    #[schema(format = "uuid")]
    pub id: String,
    /// The badge class awarded.
    #[schema(format = "uuid")]
    pub badge_class: String,
    pub recipient: RecipientView,
    #[schema(format = DateTime)]
    pub issued_on: String,
    #[schema(format = DateTime)]
    pub expires: Option<String>,
    pub narrative: Option<String>,
    pub evidence: Vec<EvidenceView>,
    pub status: AwardStatus,
    pub revocation: Option<RevocationView>,
    pub links: AwardLinks,
}

/// Why an award was made: the rule, and the completions or badges that satisfy it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TraceView {
    /// The catalogue code of the badge.
    pub badge: String,
    pub rule: String,
    pub satisfied_by: Vec<TraceStep>,
}

/// An award a completion triggered, with the trace of its rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriggeredAwardView {
    #[serde(flatten)]
    pub award: AwardView,
    pub trace: TraceView,
}

/// Whether a completion was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletionStatus {
    Recorded,
    AlreadyKnown,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionRecorded {
    /// Its position in the request (0 for a single completion).
    pub index: usize,
    pub status: CompletionStatus,
}

/// What a batch of completions did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionsView {
    pub completions: Vec<CompletionRecorded>,
    /// The awards this request made, each with the trace of its rule.
    pub awards: Vec<TriggeredAwardView>,
    /// Learners still waiting for evaluation: a worker awards what they earn.
    #[schema(value_type = Vec<String>, format = Email)]
    pub pending: Vec<String>,
}

/// An issuer, with the link to its OB 2.0 Profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuerView {
    #[schema(format = "uuid")]
    pub id: String,
    pub name: String,
    pub url: String,
    #[schema(format = Email)]
    pub email: String,
    pub description: Option<String>,
    /// The issuer's image, when it has one.
    pub image: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub links: IssuerLinks,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuerLinks {
    pub ob2_profile: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriteriaView {
    pub narrative: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlignmentView {
    pub framework: String,
    pub code: String,
    pub name: String,
    pub url: Option<String>,
}

/// A badge class, with the link to its OB 2.0 BadgeClass.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadgeClassView {
    #[schema(format = "uuid")]
    pub id: String,
    #[schema(format = "uuid")]
    pub issuer: String,
    pub name: String,
    pub description: String,
    pub image: String,
    pub criteria: CriteriaView,
    pub alignments: Vec<AlignmentView>,
    pub tags: Vec<String>,
    /// How long an award stays valid; never expires when absent.
    pub validity_days: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub links: BadgeClassLinks,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadgeClassLinks {
    pub ob2_badge_class: String,
}

/// A message of the outbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// The award it tells about, if any.
    pub award: Option<String>,
    pub kind: String,
    #[schema(format = Email)]
    pub recipient: String,
    pub lang: String,
    pub subject: String,
    /// `pending`, `sending`, `sent`, `failed` or `logged`.
    #[schema(value_type = String)]
    pub status: MessageStatus,
    pub attempts: i64,
    #[schema(format = DateTime)]
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
}

impl From<&StoredMessage> for NotificationView {
    fn from(m: &StoredMessage) -> Self {
        NotificationView {
            id: m.id.clone(),
            award: m.award_id.clone(),
            kind: m.kind.clone(),
            recipient: m.recipient.clone(),
            lang: m.lang.clone(),
            subject: m.subject.clone(),
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: rfc3339(m.next_attempt_at),
            last_error: m.last_error.clone(),
            created_at: rfc3339(m.created_at),
            sent_at: m.sent_at.map(rfc3339),
        }
    }
}

/// An award in a trainer's export: the award, and what was issued, byte for byte.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAward {
    #[serde(flatten)]
    pub award: AwardView,
    /// `public` or `private`: who may see its page.
    pub visibility: String,
    /// The public badge page (as under `links`).
    pub page: String,
    /// The hosted OB 2.0 Assertion as issued (JSON text).
    pub ob2_assertion: String,
    pub ob2_signed: Option<String>,
    /// The OB 3.0 credential as issued (JSON text).
    pub ob3_credential: Option<String>,
    pub ob3_jwt: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedCompletion {
    pub module: String,
    #[schema(format = DateTime)]
    pub completed_at: String,
    pub source: String,
    pub external_id: Option<String>,
}

/// A session a trainer attended, as exported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAttendance {
    pub session: String,
    #[schema(format = DateTime)]
    pub session_start: String,
    pub minutes: u32,
    /// The export it was read from: `list`, `zoom` or `teams`.
    pub source: String,
    #[schema(format = DateTime)]
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedMessage {
    pub kind: String,
    pub subject: String,
    #[schema(value_type = String)]
    pub status: MessageStatus,
    pub body: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Everything insigne holds about a trainer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainerExport {
    #[schema(format = Email)]
    pub email: String,
    /// The language of their messages and pages, if they chose one.
    pub language: Option<String>,
    #[schema(format = DateTime)]
    pub exported_at: String,
    pub awards: Vec<ExportedAward>,
    pub completions: Vec<ExportedCompletion>,
    /// Sessions of virtual classes they attended.
    pub attendances: Vec<ExportedAttendance>,
    pub messages: Vec<ExportedMessage>,
    /// The platforms they authorised through the Open Badges 3.0 API (withdrawn ones too).
    pub platforms: Vec<super::ob3_api::ExportedPlatform>,
    /// Authorization requests shown to them and not answered yet.
    pub authorization_requests: Vec<super::ob3_api::ExportedAuthorizationRequest>,
    /// Deliveries of their badges to wallets they asked for.
    pub wallet_deliveries: Vec<ExportedWalletDelivery>,
    /// Their requests for badges earned by evidence, with their files (described, not
    /// included: each is downloaded from the request's page) and history.
    pub badge_requests: Vec<ExportedRequest>,
}

/// A badge request, as exported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedRequest {
    pub id: String,
    /// The badge's catalogue code.
    pub badge: String,
    /// `draft`, `submitted`, `returned`, `approved` or `refused`.
    pub status: String,
    pub analysis: String,
    pub links: Vec<String>,
    pub files: Vec<ExportedRequestFile>,
    /// The tutor's last assessment, criterion by criterion.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<serde_json::Value>,
    /// The tutor's last message or reason.
    pub decision_note: Option<String>,
    pub history: Vec<ExportedRequestEvent>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The page where the request and its files are.
    pub page: String,
}

/// A file of a request, as exported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedRequestFile {
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A step of a request, as exported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedRequestEvent {
    #[schema(format = DateTime)]
    pub at: String,
    /// `trainer`, or `tutor` (the tutor is not named).
    pub by: String,
    pub action: String,
    pub note: Option<String>,
}

/// A wallet delivery a trainer started, as exported (its capabilities are not).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedWalletDelivery {
    pub award: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    /// `vcapi` or `oid4vci`, once delivered.
    pub protocol: Option<String>,
    /// The DID the credential was issued to.
    pub holder: Option<String>,
    /// The id of the credential delivered.
    pub credential_id: Option<String>,
}

/// Someone who may sign in to the console.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminView {
    #[schema(format = Email)]
    pub email: String,
    /// `admin` or `tutor`.
    pub role: String,
    #[schema(format = DateTime)]
    pub added_at: String,
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Erasure {
    pub erased: bool,
    /// The trainer's badges revoked ("effacement à la demande du titulaire").
    pub badges_revoked: usize,
}

impl Insigne {
    /// Where `award` stands now: revoked, expired or valid.
    pub fn award_status(&self, award: &crate::domain::Award) -> AwardStatus {
        if award.revocation.is_some() {
            AwardStatus::Revoked
        } else if award.is_expired(self.clock.now()) {
            AwardStatus::Expired
        } else {
            AwardStatus::Valid
        }
    }

    /// The award as the API and the CLI show it.
    pub fn award_view(&self, stored: &StoredAward) -> AwardView {
        let award = &stored.award;
        let status = self.award_status(award);
        let id = award.id;
        AwardView {
            id: id.to_string(),
            badge_class: award.badge_class.to_string(),
            recipient: RecipientView {
                email: award.recipient.email.to_string(),
                name: award.recipient.name.clone(),
            },
            issued_on: rfc3339(award.issued_on),
            expires: award.expires.map(rfc3339),
            narrative: award.narrative.clone(),
            evidence: award.evidence.iter().map(EvidenceView::from).collect(),
            status,
            revocation: award.revocation.as_ref().map(|r| RevocationView {
                at: rfc3339(r.at),
                reason: r.reason.clone(),
            }),
            links: AwardLinks {
                page: self.urls.badge_page(id),
                ob2_assertion: self.urls.assertion(id),
                ob2_signed: self.urls.signed_assertion(id),
                ob3_credential: self.urls.credential(id),
                ob3_jwt: self.urls.credential_jwt(id),
                png: self.urls.baked_png(id),
                svg: self.urls.baked_svg(id),
            },
        }
    }

    pub fn triggered_award_view(&self, t: &TriggeredAward) -> TriggeredAwardView {
        TriggeredAwardView {
            award: self.award_view(&t.stored),
            trace: TraceView {
                badge: t.badge_code.clone(),
                rule: t.decision.rule.clone(),
                satisfied_by: t.decision.trace.clone(),
            },
        }
    }

    pub fn completions_view(&self, outcome: &CompletionsOutcome) -> CompletionsView {
        CompletionsView {
            completions: outcome
                .recorded
                .iter()
                .enumerate()
                .map(|(index, new)| CompletionRecorded {
                    index,
                    status: if *new {
                        CompletionStatus::Recorded
                    } else {
                        CompletionStatus::AlreadyKnown
                    },
                })
                .collect(),
            awards: outcome
                .awards
                .iter()
                .map(|t| self.triggered_award_view(t))
                .collect(),
            pending: outcome.pending.clone(),
        }
    }

    pub fn issuer_view(&self, issuer: &Issuer) -> IssuerView {
        IssuerView {
            id: issuer.id.to_string(),
            name: issuer.name.clone(),
            url: issuer.url.clone(),
            email: issuer.email.to_string(),
            description: issuer.description.clone(),
            image: issuer
                .image
                .as_ref()
                .map(|_| self.urls.issuer_image(issuer.id)),
            created_at: rfc3339(issuer.created_at),
            updated_at: rfc3339(issuer.updated_at),
            links: IssuerLinks {
                ob2_profile: self.urls.issuer(issuer.id),
            },
        }
    }

    pub fn badge_class_view(&self, class: &BadgeClass) -> BadgeClassView {
        let Criteria { narrative, url } = &class.criteria;
        BadgeClassView {
            id: class.id.to_string(),
            issuer: class.issuer.to_string(),
            name: class.name.clone(),
            description: class.description.clone(),
            image: self.urls.badge_class_image(class.id),
            criteria: CriteriaView {
                narrative: narrative.clone(),
                url: url.clone(),
            },
            alignments: class
                .alignments
                .iter()
                .map(
                    |Alignment {
                         framework,
                         code,
                         name,
                         url,
                     }| AlignmentView {
                        framework: framework.clone(),
                        code: code.clone(),
                        name: name.clone(),
                        url: url.clone(),
                    },
                )
                .collect(),
            tags: class.tags.clone(),
            validity_days: class.validity_days,
            created_at: rfc3339(class.created_at),
            updated_at: rfc3339(class.updated_at),
            links: BadgeClassLinks {
                ob2_badge_class: self.urls.badge_class(class.id),
            },
        }
    }
}
