//! Revoking an award in the console: a reason, then a confirmation page that shows it, then
//! the revocation (`revoke_award`, like the API's). Revoking is final and published, so the
//! first post changes nothing; both posts carry the session's CSRF token.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::awards::{award_path, parse_award};
use super::page_response;
use super::{from_session, refused, switch};
use crate::auth::ConsoleAdmin;
use crate::domain::AwardId;
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::inputs::RevokeInput;
use crate::service::{Actor, AdminSession, Insigne, ServiceError};

#[derive(Template)]
#[template(path = "console_award_revoke.html")]
struct RevokePage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    back_url: String,
    /// Which badge of whom.
    summary: String,
    reason: String,
    /// The reason is given: the page asks to confirm it.
    confirming: bool,
    /// The award is revoked already: nothing to ask.
    revoked: bool,
    /// Why the form was refused (the reason's error when `reason_error`).
    error: Option<String>,
    reason_error: bool,
}

/// What the page needs to know of the award.
struct Subject {
    summary: String,
    revoked: bool,
}

async fn subject(app: &Insigne, id: AwardId, t: Lang) -> Result<Subject, ApiError> {
    let stored = app.award(id).await?;
    let class = app.badge_class(stored.award.badge_class).await?;
    Ok(Subject {
        summary: t.t_with(
            "console-award-title",
            &[
                ("badge", &class.name),
                ("name", &stored.award.recipient.name),
            ],
        ),
        revoked: stored.award.revocation.is_some(),
    })
}

fn page(
    session: &AdminSession,
    id: AwardId,
    t: Lang,
    subject: Subject,
    reason: String,
    confirming: bool,
) -> RevokePage {
    let revoked = subject.revoked;
    RevokePage {
        t,
        switch_url: switch(&format!("/admin/badges-delivres/{id}/revoquer"), t),
        csrf: session.csrf.clone(),
        action: format!("/admin/badges-delivres/{id}/revoquer?lang={}", t.code()),
        back_url: award_path(id, t),
        summary: subject.summary,
        reason,
        confirming: confirming && !revoked,
        revoked,
        error: revoked.then(|| t.t("console-revoke-already")),
        reason_error: false,
    }
}

/// The form asking why.
pub(super) async fn form(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_award(&raw)?;
    let subject = subject(&app, id, t).await?;
    let page = page(&session, id, t, subject, String::new(), false);
    page_response(&headers, page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(super) struct RevokeForm {
    csrf: Option<String>,
    reason: Option<String>,
    /// Present once the confirmation page was seen and accepted.
    confirmed: Option<String>,
}

/// Without `confirmed`: checks the reason and asks to confirm it. With it: revokes.
pub(super) async fn revoke(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_award(&raw)?;
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let subject = subject(&app, id, t).await?;
    let entered = form.reason.clone().unwrap_or_default();
    if subject.revoked {
        let page = page(&session, id, t, subject, entered, false);
        return page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let input = RevokeInput {
        reason: form.reason.clone(),
    };
    let reason = match input.checked_reason() {
        Ok(reason) => reason,
        Err(_) => {
            let mut page = page(&session, id, t, subject, entered, false);
            page.error = Some(t.t("console-revoke-reason-invalid"));
            page.reason_error = true;
            return page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    if form.confirmed.as_deref() != Some("yes") {
        let page = page(&session, id, t, subject, reason, true);
        return page_response(&headers, page, StatusCode::OK);
    }
    match app.revoke_award(id, &input).await {
        Ok(_) => {
            let actor = Actor::Console(session.email.clone());
            app.audit(
                &actor,
                "awards revoke",
                Some(&id.to_string()),
                Some(&reason),
            )
            .await?;
            Ok(private(Redirect::to(&award_path(id, t)).into_response()))
        }
        Err(ServiceError::Invalid(_)) => {
            let mut page = page(&session, id, t, subject, reason, false);
            page.error = Some(t.t("console-revoke-reason-invalid"));
            page.reason_error = true;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}
