//! Awarded badges in the console: an award's page (why it was earned, its published forms, its
//! messages) and resending its messages. The search, issuing by hand and revoking each have
//! their file (`award_search.rs`, `award_issue.rs`, `award_revoke.rs`). Each change goes
//! through the service like the API's, and to the audit log.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::page_response;
use super::{from_session, refused, switch};
use crate::auth::ConsoleAdmin;
use crate::domain::{AwardId, BadgeClassId, FieldError};
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::views::{AwardStatus, EvidenceView, NotificationView};
use crate::service::{Actor, AdminSession, Insigne, ServiceError};

/// One option of a select.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A date as the page shows it: machine-readable for `<time>`, and as people write it.
pub(super) struct Day {
    pub iso: String,
    pub text: String,
}

pub(super) fn day(t: Lang, at: DateTime<Utc>) -> Day {
    Day {
        iso: crate::domain::clock::rfc3339(at),
        text: t.date(at),
    }
}

/// The key of a status's words and its style (`valid`, `expired`, `revoked`).
pub(super) fn status_words(t: Lang, status: AwardStatus) -> (String, &'static str) {
    let (key, style) = match status {
        AwardStatus::Valid => ("console-award-active", "valid"),
        AwardStatus::Expired => ("console-award-expired", "expired"),
        AwardStatus::Revoked => ("console-award-revoked", "revoked"),
    };
    (t.t(key), style)
}

/// The path of an award's page in the console, in `t`.
pub(super) fn award_path(id: AwardId, t: Lang) -> String {
    format!("/admin/badges-delivres/{id}?lang={}", t.code())
}

pub(super) fn parse_award(raw: &str) -> Result<AwardId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no award with id {raw}")))
}

/// The badge classes by id, for their names.
pub(super) async fn class_names(app: &Insigne) -> Result<BTreeMap<BadgeClassId, String>, ApiError> {
    Ok(app
        .badge_classes()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

pub(super) fn class_choices(names: &BTreeMap<BadgeClassId, String>, selected: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = names
        .iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            selected: id.to_string() == selected,
        })
        .collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label));
    choices
}

/// A text field as entered, trimmed; empty when absent.
pub(super) fn given(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or_default()
}

pub(super) fn field_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.problem.as_str())
}

/// When and why the award was revoked.
struct Revoked {
    at: Day,
    reason: String,
    banner: String,
}

/// A published form of the award.
struct Link {
    label: String,
    url: String,
}

/// A message about the award.
pub(super) struct MessageRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    pub last_error: String,
    /// Whether it may be put back in line (failed, logged or sent).
    pub resendable: bool,
    /// Given up after its attempts: the outbox list offers to resend these.
    pub failed: bool,
}

pub(super) fn message_row(t: Lang, n: &NotificationView) -> MessageRow {
    use crate::storage::MessageStatus;
    let kind = match n.kind.as_str() {
        "awarded" => t.t("console-kind-awarded"),
        "revoked" => t.t("console-kind-revoked"),
        "signin" => t.t("console-kind-signin"),
        other => other.to_string(),
    };
    MessageRow {
        id: n.id.clone(),
        kind,
        status: t.t(&format!("console-message-{}", n.status.as_str())),
        attempts: n.attempts,
        created_at: n.created_at.clone(),
        last_error: n.last_error.clone().unwrap_or_default(),
        resendable: matches!(
            n.status,
            MessageStatus::Failed | MessageStatus::Logged | MessageStatus::Sent
        ),
        failed: n.status == MessageStatus::Failed,
    }
}

#[derive(Template)]
#[template(path = "console_award.html")]
struct DetailPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    title: String,
    name: String,
    email: String,
    class_name: String,
    issued: Day,
    expires: Option<Day>,
    status: String,
    style: &'static str,
    revoked: Option<Revoked>,
    narrative: Option<String>,
    evidence: Vec<EvidenceView>,
    links: Vec<Link>,
    messages: Vec<MessageRow>,
    resend_action: String,
    revoke_url: Option<String>,
    /// Why the last action was refused, if it was.
    error: Option<String>,
}

async fn detail_page(
    app: &Insigne,
    session: &AdminSession,
    id: AwardId,
    t: Lang,
    error: Option<String>,
) -> Result<DetailPage, ApiError> {
    let stored = app.award(id).await?;
    let view = app.award_view(&stored);
    let award = stored.award;
    let class = app.badge_class(award.badge_class).await?;
    let (status, style) = status_words(t, view.status);
    let messages = app
        .award_notifications(id)
        .await?
        .iter()
        .map(|n| message_row(t, n))
        .collect();
    let l = &view.links;
    let links = [
        ("console-link-page", &l.page),
        ("console-link-ob2-assertion", &l.ob2_assertion),
        ("console-link-ob2-signed", &l.ob2_signed),
        ("console-link-ob3-credential", &l.ob3_credential),
        ("console-link-ob3-jwt", &l.ob3_jwt),
        ("console-link-png", &l.png),
        ("console-link-svg", &l.svg),
    ]
    .into_iter()
    .map(|(key, url)| Link {
        label: t.t(key),
        url: url.clone(),
    })
    .collect();
    Ok(DetailPage {
        t,
        switch_url: switch(&format!("/admin/badges-delivres/{id}"), t),
        csrf: session.csrf.clone(),
        title: t.t_with(
            "console-award-title",
            &[("badge", &class.name), ("name", &award.recipient.name)],
        ),
        name: award.recipient.name.clone(),
        email: award.recipient.email.to_string(),
        class_name: class.name,
        issued: day(t, award.issued_on),
        expires: award.expires.map(|e| day(t, e)),
        status,
        style,
        revoked: award.revocation.as_ref().map(|r| Revoked {
            at: day(t, r.at),
            reason: r.reason.clone(),
            banner: t.t_with("console-award-revoked-on", &[("date", &t.date(r.at))]),
        }),
        narrative: view.narrative,
        evidence: view.evidence,
        links,
        messages,
        resend_action: format!("/admin/badges-delivres/{id}/renvoyer?lang={}", t.code()),
        revoke_url: award
            .revocation
            .is_none()
            .then(|| format!("/admin/badges-delivres/{id}/revoquer?lang={}", t.code())),
        error,
    })
}

pub(super) async fn detail(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_award(&raw)?;
    let page = detail_page(&app, &session, id, t, None).await?;
    page_response(&headers, page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(super) struct ResendForm {
    csrf: Option<String>,
    notification: Option<String>,
}

/// Puts one of the award's messages back in line, then shows the award again.
pub(super) async fn resend(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<ResendForm>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_award(&raw)?;
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let wanted = form.notification.unwrap_or_default();
    // Only a message of this award: the form names the award in its address.
    let of_award = app
        .award_notifications(id)
        .await?
        .into_iter()
        .any(|n| n.id == wanted);
    if !of_award {
        return Err(ApiError::NotFound(format!(
            "award {id} has no notification {wanted}"
        )));
    }
    match app.resend_notification(&wanted).await {
        Ok(_) => {
            let actor = Actor::Console(session.email.clone());
            app.audit(
                &actor,
                "notifications resend",
                Some(&wanted),
                Some(&id.to_string()),
            )
            .await?;
            Ok(private(Redirect::to(&award_path(id, t)).into_response()))
        }
        Err(ServiceError::Invalid(_)) => {
            let error = Some(t.t("console-resend-refused"));
            let page = detail_page(&app, &session, id, t, error).await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}
