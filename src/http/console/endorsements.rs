//! Endorsements in the console (`/admin/endossements`): a tutor or an admin endorses a badge
//! class or a delivered badge (named by its id), saying who endorses and why; the list shows
//! each one with its links and state, and whoever endorsed (or an admin) revokes it with a
//! reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{from_session, page_response, refused, switch};
use crate::auth::{ConsoleUser, Role};
use crate::domain::clock::rfc3339;
use crate::domain::{EndorsementId, FieldError};
use crate::http::error::ApiError;
use crate::http::public::pages::LangQuery;
use crate::i18n::Lang;
use crate::service::{AdminSession, Insigne, ServiceError, ENDORSEMENT_COMMENT_MAX};
use crate::storage::{EndorsementTarget, StoredEndorsement};

struct Row {
    id: String,
    what: String,
    endorser: String,
    comment: String,
    created: String,
    created_at: String,
    revoked: Option<String>,
    credential: String,
    ob2: String,
    revocable: bool,
    /// Why its revocation was refused.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console_endorsements.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    is_admin: bool,
    rows: Vec<Row>,
    classes: Vec<(String, String, bool)>,
    award: String,
    endorser_name: String,
    comment: String,
    comment_max: usize,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

impl ListPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.problem.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EndorseForm {
    csrf: Option<String>,
    class: Option<String>,
    award: Option<String>,
    endorser_name: Option<String>,
    comment: Option<String>,
}

async fn what(app: &Insigne, e: &StoredEndorsement, t: Lang) -> Result<String, ApiError> {
    Ok(match e.target {
        EndorsementTarget::BadgeClass(id) => t.t_with(
            "console-endorsement-of-class",
            &[("badge", &app.badge_class(id).await?.name)],
        ),
        EndorsementTarget::Award(id) => {
            let stored = app.award(id).await?;
            let class = app.badge_class(stored.award.badge_class).await?;
            t.t_with(
                "console-endorsement-of-award",
                &[
                    ("badge", &class.name),
                    ("name", &stored.award.recipient.name),
                ],
            )
        }
    })
}

async fn list_page(
    app: &Insigne,
    session: &AdminSession,
    t: Lang,
    form: EndorseForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<ListPage, ApiError> {
    let mut rows = Vec::new();
    for e in app.all_endorsements().await? {
        let field = format!("reason-{}", e.id);
        rows.push(Row {
            error: errors
                .iter()
                .find(|x| x.field == field)
                .map(|x| x.problem.clone()),
            id: e.id.to_string(),
            what: what(app, &e, t).await?,
            revocable: e.revoked_at.is_none()
                && (session.role == Role::Admin || e.endorser == session.email),
            endorser: e.endorser_name.clone(),
            comment: e.comment.clone(),
            created: t.date(e.created_at),
            created_at: rfc3339(e.created_at),
            revoked: e.revoked_at.map(|at| {
                t.t_with(
                    "console-endorsement-revoked",
                    &[
                        ("date", &t.date(at)),
                        ("reason", e.revocation_reason.as_deref().unwrap_or("")),
                    ],
                )
            }),
            credential: app.urls.endorsement(e.id),
            ob2: app.urls.endorsement_ob2(e.id),
        });
    }
    let chosen = form.class.clone().unwrap_or_default();
    let classes = app
        .badge_classes()
        .await?
        .into_iter()
        .map(|c| {
            let id = c.id.to_string();
            let selected = id == chosen;
            (id, c.name, selected)
        })
        .collect();
    Ok(ListPage {
        t,
        switch_url: switch("/admin/endossements", t),
        csrf: session.csrf.clone(),
        action: format!("/admin/endossements?lang={}", t.code()),
        is_admin: session.role == Role::Admin,
        rows,
        classes,
        award: form.award.unwrap_or_default(),
        endorser_name: form.endorser_name.unwrap_or_default(),
        comment: form.comment.unwrap_or_default(),
        comment_max: ENDORSEMENT_COMMENT_MAX,
        errors,
        notice,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    lang: Option<String>,
    fait: Option<String>,
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let notice = match q.fait.as_deref() {
        Some("endosse") => Some(t.t("console-endorsement-created")),
        Some("revoque") => Some(t.t("console-endorsement-revoked-done")),
        _ => None,
    };
    let page = list_page(
        &app,
        &session,
        t,
        EndorseForm::default(),
        Vec::new(),
        notice,
    )
    .await?;
    page_response(&headers, page, StatusCode::OK)
}

pub(super) async fn create(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<EndorseForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let class = form
        .class
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let award = form
        .award
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let target = match (class, award) {
        (None, Some(award)) => award
            .parse()
            .ok()
            .map(EndorsementTarget::Award)
            .ok_or_else(|| FieldError::new("award", t.t("console-endorsement-award-unknown"))),
        (Some(class), None) => class
            .parse()
            .ok()
            .map(EndorsementTarget::BadgeClass)
            .ok_or_else(|| FieldError::new("class", t.t("console-endorsement-class-unknown"))),
        _ => Err(FieldError::new(
            "class",
            t.t("console-endorsement-one-target"),
        )),
    };
    let refuse = |errors: Vec<FieldError>, form: EndorseForm| {
        let (app, session) = (app.clone(), &session);
        async move {
            let page = list_page(&app, session, t, form, errors, None).await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let target = match target {
        Ok(target) => target,
        Err(error) => return refuse(vec![error], form).await,
    };
    let name = form.endorser_name.clone().unwrap_or_default();
    let comment = form.comment.clone().unwrap_or_default();
    match app.endorse(&session.email, target, &name, &comment).await {
        Ok(_) => Ok(super::private(
            Redirect::to(&format!(
                "/admin/endossements?fait=endosse&lang={}",
                t.code()
            ))
            .into_response(),
        )),
        Err(ServiceError::Invalid(invalid)) => refuse(invalid.0, form).await,
        Err(ServiceError::NotFound { .. }) => {
            let field = if award.is_some() { "award" } else { "class" };
            let key = if award.is_some() {
                "console-endorsement-award-unknown"
            } else {
                "console-endorsement-class-unknown"
            };
            refuse(vec![FieldError::new(field, t.t(key))], form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct RevokeForm {
    csrf: Option<String>,
    reason: Option<String>,
}

pub(super) async fn revoke(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id: EndorsementId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no endorsement with id {raw}")))?;
    let e = app.endorsement(id).await?;
    if session.role != Role::Admin && e.endorser != session.email {
        return Ok(super::forbidden(&headers));
    }
    match app
        .revoke_endorsement(&session.email, id, form.reason.as_deref().unwrap_or(""))
        .await
    {
        Ok(_) => Ok(super::private(
            Redirect::to(&format!(
                "/admin/endossements?fait=revoque&lang={}",
                t.code()
            ))
            .into_response(),
        )),
        Err(ServiceError::Invalid(_)) => {
            let page = list_page(
                &app,
                &session,
                t,
                EndorseForm::default(),
                vec![FieldError::new(
                    format!("reason-{id}"),
                    t.t("console-endorsement-reason-needed"),
                )],
                None,
            )
            .await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}
