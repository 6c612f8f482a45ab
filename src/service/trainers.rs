//! "Mes badges" and the trainer's rights over their data: a sign-in link by email (single use,
//! short-lived, kept hashed; asking never tells whether an address is known), their badges and
//! who sees them, the export of everything insigne holds about them, and erasure.

use chrono::Duration;

use super::views::{
    Erasure, ExportedAward, ExportedCompletion, ExportedMessage, ExportedWalletDelivery,
    TrainerExport,
};
use super::{Insigne, ServiceError};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::domain::clock::rfc3339;
use crate::domain::{AwardId, EmailAddress};
use crate::i18n::Lang;
use crate::storage::OwnedAward;

/// How long a sign-in link works.
pub const SIGNIN_MINUTES: i64 = 15;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;
/// Sign-in links asked per address, and per client, in a quarter of an hour.
pub const SIGNIN_PER_ADDRESS: i64 = 3;
pub const SIGNIN_PER_CLIENT: i64 = 20;
/// The reason erased trainers' badges are revoked with.
pub const ERASURE_REASON: &str = "effacement à la demande du titulaire";

/// `path` when it may be where a sign-in leads: a path of "mes badges" on this site, made of
/// letters, digits, `/`, `-` and `_` only, so that no other site (`//host`, `https:`), no
/// query and no escape can be slipped in.
pub fn local_return(path: &str) -> Option<&str> {
    let local = (path == "/mes-badges" || path.starts_with("/mes-badges/"))
        && path.len() <= 200
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'));
    local.then_some(path)
}

/// The answer to a sign-in request: the same whether the address is known or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigninRequest {
    /// "If this address has badges, a link was sent."
    Accepted,
    /// Too many requests for this address or from this client.
    RateLimited,
}

impl Insigne {
    /// Sends a sign-in link to `address` if badges were awarded to it; says nothing either way.
    /// `return_to`, when it is a local path of "mes badges" (see `local_return`), is where the
    /// link leads once used: a consent page waiting for the trainer.
    pub async fn request_signin(
        &self,
        address: &str,
        client: &str,
        lang: Lang,
        return_to: Option<&str>,
    ) -> Result<SigninRequest, ServiceError> {
        let now = self.clock.now();
        let address_hash = hash_secret(&address.trim().to_lowercase());
        let (by_address, by_client) = self
            .store
            .signin_requests_since(&address_hash, client, now - Duration::minutes(15))
            .await?;
        if by_address >= SIGNIN_PER_ADDRESS || by_client >= SIGNIN_PER_CLIENT {
            return Ok(SigninRequest::RateLimited);
        }
        self.store
            .record_signin_request(&address_hash, client, now)
            .await?;
        let Ok(email) = EmailAddress::parse(address) else {
            return Ok(SigninRequest::Accepted);
        };
        let email = email.to_string();
        if !self.store.is_known_trainer(&email).await? {
            return Ok(SigninRequest::Accepted);
        }
        let secret = new_link_secret();
        let mut link = format!("{}/mes-badges/connexion/{secret}", self.urls.base());
        if let Some(path) = return_to.and_then(local_return) {
            link.push_str("?retour=");
            link.extend(url::form_urlencoded::byte_serialize(path.as_bytes()));
        }
        let message = crate::notify::signin_message(&email, &link, SIGNIN_MINUTES, lang);
        self.store
            .create_signin_token(
                &hash_secret(&secret),
                &email,
                now,
                now + Duration::minutes(SIGNIN_MINUTES),
                &message,
            )
            .await?;
        Ok(SigninRequest::Accepted)
    }

    /// Exchanges a sign-in link's secret for a session's; `None` when the link is unknown,
    /// used or expired.
    pub async fn exchange_signin(&self, link_secret: &str) -> Result<Option<String>, ServiceError> {
        let now = self.clock.now();
        let Some(email) = self
            .store
            .use_signin_token(&hash_secret(link_secret), now)
            .await?
        else {
            return Ok(None);
        };
        let session = new_link_secret();
        self.store
            .create_session(
                &hash_secret(&session),
                &email,
                now,
                now + Duration::hours(SESSION_HOURS),
            )
            .await?;
        Ok(Some(session))
    }

    /// The address signed in with `session`, while it lasts.
    pub async fn session_email(&self, session: &str) -> Result<Option<String>, ServiceError> {
        Ok(self
            .store
            .session_email(&hash_secret(session), self.clock.now())
            .await?)
    }

    pub async fn sign_out(&self, session: &str) -> Result<(), ServiceError> {
        Ok(self.store.delete_session(&hash_secret(session)).await?)
    }

    /// Whether the holder made this badge private (its page answers 404).
    pub async fn badge_is_private(&self, award: AwardId) -> Result<bool, ServiceError> {
        Ok(self.store.award_is_private(award).await?)
    }

    pub async fn my_badges(&self, email: &str) -> Result<Vec<OwnedAward>, ServiceError> {
        Ok(self.store.awards_of(email).await?)
    }

    /// Makes one of the trainer's badges private (its page answers 404) or public again.
    pub async fn set_badge_private(
        &self,
        email: &str,
        award: AwardId,
        private: bool,
    ) -> Result<(), ServiceError> {
        if self.store.set_award_private(award, email, private).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found("award", award))
        }
    }

    /// Everything insigne holds about `email`.
    pub async fn export_trainer(
        &self,
        email: &EmailAddress,
    ) -> Result<TrainerExport, ServiceError> {
        let address = email.to_string();
        let awards = self
            .store
            .awards_of(&address)
            .await?
            .into_iter()
            .map(|o| {
                let award = self.award_view(&o.stored);
                ExportedAward {
                    page: award.links.page.clone(),
                    award,
                    visibility: if o.private { "private" } else { "public" }.into(),
                    ob2_assertion: o.stored.ob2_assertion,
                    ob2_signed: o.stored.ob2_signed,
                    ob3_credential: o.stored.ob3_credential,
                    ob3_jwt: o.stored.ob3_jwt,
                }
            })
            .collect();
        let completions = self
            .store
            .completions_of(email)
            .await?
            .into_iter()
            .map(|c| ExportedCompletion {
                module: c.module,
                completed_at: rfc3339(c.completed_at),
                source: c.source,
                external_id: c.external_id,
            })
            .collect();
        let attendances = self
            .store
            .attendances_of(email)
            .await?
            .into_iter()
            .map(|a| super::views::ExportedAttendance {
                session: a.session_title,
                session_start: rfc3339(a.session_start),
                minutes: a.minutes,
                source: a.source,
                recorded_at: rfc3339(a.recorded_at),
            })
            .collect();
        let messages = self
            .store
            .messages_to(&address)
            .await?
            .into_iter()
            .map(|m| ExportedMessage {
                kind: m.kind,
                subject: m.subject,
                status: m.status,
                body: (!m.body.is_empty()).then_some(m.body),
                created_at: rfc3339(m.created_at),
            })
            .collect();
        let wallet_deliveries = self
            .store
            .wallet_exchanges_of(&address)
            .await?
            .into_iter()
            .map(|e| ExportedWalletDelivery {
                award: e.award.to_string(),
                created_at: rfc3339(e.created_at),
                expires_at: rfc3339(e.expires_at),
                delivered_at: e.completed_at.map(rfc3339),
                protocol: e.protocol,
                holder: e.holder,
                credential_id: e.credential_id,
            })
            .collect();
        let (platforms, authorization_requests) = self.exported_platforms(&address).await?;
        let mut badge_requests = Vec::new();
        for r in self.store.requests_of(&address).await? {
            let files = self
                .store
                .request_files(&r.id)
                .await?
                .into_iter()
                .map(|f| super::views::ExportedRequestFile {
                    name: f.file_name,
                    media_type: f.media_type,
                    size: f.size,
                    sha256: f.sha256,
                })
                .collect();
            let history = self
                .store
                .request_events(&r.id)
                .await?
                .into_iter()
                .map(|e| super::views::ExportedRequestEvent {
                    at: rfc3339(e.at),
                    by: if e.actor == "trainer" {
                        "trainer"
                    } else {
                        "tutor"
                    }
                    .into(),
                    // An assignment's note names the tutor: left out.
                    note: e.note.filter(|_| e.action != "reassigned"),
                    action: e.action,
                })
                .collect();
            badge_requests.push(super::views::ExportedRequest {
                page: format!("{}/mes-badges/demandes/{}", self.urls.base(), r.id),
                badge: r.badge_code,
                status: r.status.as_str().into(),
                analysis: r.analysis,
                links: r.links,
                files,
                assessment: r
                    .assessment
                    .as_deref()
                    .and_then(|a| serde_json::from_str(a).ok()),
                decision_note: r.decision_note,
                history,
                created_at: rfc3339(r.created_at),
                id: r.id,
            });
        }
        Ok(TrainerExport {
            badge_requests,
            platforms,
            authorization_requests,
            language: self.store.trainer_lang(&address).await?,
            wallet_deliveries,
            email: address,
            exported_at: rfc3339(self.clock.now()),
            awards,
            completions,
            attendances,
            messages,
        })
    }

    /// Erases `email`: personal data deleted or anonymised, badges revoked ("effacement à la
    /// demande du titulaire", shown on their status lists at once). Returns how many badges.
    pub async fn erase_trainer(&self, email: &EmailAddress) -> Result<Erasure, ServiceError> {
        let erased_as = format!(
            "{}@efface.invalid",
            crate::domain::ids::random_uuid().simple()
        );
        let ids = self
            .store
            .erase_trainer(
                &email.to_string(),
                &erased_as,
                ERASURE_REASON,
                self.clock.now(),
            )
            .await?;
        for id in &ids {
            let stored = self.award(*id).await?;
            self.refresh_status_list(&stored.award).await?;
            for e in self
                .store
                .endorsements_of(crate::storage::EndorsementTarget::Award(*id))
                .await?
            {
                if let Some(slot) = self.store.status_slot(e.id.status_key()).await? {
                    self.rewrite_list(slot.issuer, &slot.list_key).await?;
                }
            }
        }
        tracing::info!(badges = ids.len(), "a trainer's data was erased on request");
        Ok(Erasure {
            erased: true,
            badges_revoked: ids.len(),
        })
    }
}

/// A badge the trainer has started to earn: what is done and what remains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeProgress {
    /// The badge class's name.
    pub badge: String,
    pub done: Vec<String>,
    pub remaining: Vec<String>,
    /// For "at least N of": how many more of `remaining` are needed (all of them otherwise).
    pub needed: usize,
}

impl Insigne {
    /// For each badge of the catalogue not yet held whose rule the trainer has started, in the
    /// catalogue's order: the modules, competencies or badges done and those that remain.
    pub async fn progress(&self, email: &EmailAddress) -> Result<Vec<BadgeProgress>, ServiceError> {
        use crate::domain::ecap::AwardRule;
        let catalogue = self.store.load_catalogue().await?;
        let completed: std::collections::BTreeSet<String> = self
            .store
            .completions_of(email)
            .await?
            .into_iter()
            .map(|c| c.module)
            .collect();
        let held = self.store.held_badge_classes(email).await?;
        let attended: Vec<crate::engine::AttendanceFact> = self
            .store
            .attendances_of(email)
            .await?
            .into_iter()
            .map(|a| crate::engine::AttendanceFact {
                title: a.session_title,
                started_at: a.session_start,
                minutes: a.minutes,
            })
            .collect();
        let module_name = |code: &str| match catalogue.module(code) {
            Some(m) => format!("{} — {}", m.code, m.title),
            None => code.to_string(),
        };
        let mut out = Vec::new();
        for badge in catalogue.badges.iter().filter(|b| !held.contains(&b.id)) {
            let split = |items: Vec<(String, bool)>| -> (Vec<String>, Vec<String>) {
                let (done, remaining): (Vec<_>, Vec<_>) = items.into_iter().partition(|(_, d)| *d);
                (
                    done.into_iter().map(|(n, _)| n).collect(),
                    remaining.into_iter().map(|(n, _)| n).collect(),
                )
            };
            let (done, remaining, needed) = match &badge.rule {
                AwardRule::AllModules { modules } => {
                    let (done, remaining) = split(
                        modules
                            .iter()
                            .map(|m| (module_name(m), completed.contains(m)))
                            .collect(),
                    );
                    let needed = remaining.len();
                    (done, remaining, needed)
                }
                AwardRule::AtLeast { count, modules } => {
                    let (done, remaining) = split(
                        modules
                            .iter()
                            .map(|m| (module_name(m), completed.contains(m)))
                            .collect(),
                    );
                    let needed = (*count as usize).saturating_sub(done.len());
                    (done, remaining, needed)
                }
                AwardRule::AllCompetencies { competencies } => {
                    let developed = |r: &crate::domain::ecap::CompetencyRef| {
                        catalogue
                            .modules
                            .iter()
                            .any(|m| completed.contains(&m.code) && m.competencies.contains(r))
                    };
                    let (done, remaining) = split(
                        competencies
                            .iter()
                            .map(|r| {
                                let name = match catalogue.competency(r) {
                                    Some((_, c)) => format!("{} — {}", c.code, c.name),
                                    None => r.code.clone(),
                                };
                                (name, developed(r))
                            })
                            .collect(),
                    );
                    let needed = remaining.len();
                    (done, remaining, needed)
                }
                AwardRule::AllBadges { badges } => {
                    let (done, remaining) = split(
                        badges
                            .iter()
                            .map(|code| {
                                let b = catalogue.badges.iter().find(|b| b.code == *code);
                                let name =
                                    b.map(|b| b.name.clone()).unwrap_or_else(|| code.clone());
                                (name, b.is_some_and(|b| held.contains(&b.id)))
                            })
                            .collect(),
                    );
                    let needed = remaining.len();
                    (done, remaining, needed)
                }
                // Badges on request have their own section on "mes badges".
                AwardRule::Review { .. } => continue,
                AwardRule::SessionsAttended { count, series, .. } => {
                    let done: Vec<String> =
                        crate::engine::judge_sessions(&badge.rule, &catalogue.series, &attended)
                            .into_iter()
                            .filter(|j| j.verdict == crate::engine::SessionVerdict::Counted)
                            .map(|j| j.title)
                            .collect();
                    let name = catalogue
                        .series
                        .iter()
                        .find(|s| &s.code == series)
                        .map(|s| s.name.clone())
                        .unwrap_or_else(|| series.clone());
                    let needed = (*count as usize).saturating_sub(done.len());
                    (
                        done,
                        vec![format!("sessions de la série « {name} »")],
                        needed,
                    )
                }
            };
            if !done.is_empty() && needed > 0 {
                out.push(BadgeProgress {
                    badge: badge.name.clone(),
                    done,
                    remaining,
                    needed,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::local_return;

    #[test]
    fn only_local_paths_of_mes_badges_are_return_targets() {
        assert_eq!(
            local_return("/mes-badges/autorisations/abc-_9"),
            Some("/mes-badges/autorisations/abc-_9")
        );
        for foreign in [
            "https://evil.example/",
            "//evil.example",
            "/mes-badges//evil.example",
            "/\\evil.example",
            "/mes-badges/../admin",
            "/mes-badges?x=https://evil.example",
            "/admin",
            "/mes-badges/%2F%2Fevil",
            "",
        ] {
            assert_eq!(local_return(foreign), None, "{foreign}");
        }
    }
}
