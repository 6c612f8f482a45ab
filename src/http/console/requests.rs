//! Badge requests in the console (`/admin/demandes`): a tutor sees the requests assigned to
//! them or to their parcours, reads the analysis, links and files, assesses each criterion of
//! the grid, and approves, returns for revision or refuses; an admin sees them all and
//! assigns them to a tutor. Requests outside what a tutor reviews answer 404.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{from_session, page_response, refused, switch};
use crate::auth::{ConsoleUser, Role};
use crate::domain::clock::rfc3339;
use crate::http::error::ApiError;
use crate::http::public::pages::requests::{
    criterion_rows, event_rows, file_response, file_rows, status_words, CriterionRow, EventRow,
    FileRow,
};
use crate::http::public::pages::LangQuery;
use crate::i18n::Lang;
use crate::service::{AdminSession, DecisionInput, Insigne, Refusal, RequestDetail, Verdict};
use crate::storage::RequestStatus;

struct Row {
    url: String,
    learner: String,
    email: String,
    badge: String,
    parcours: String,
    tutor: String,
    status_class: &'static str,
    status: String,
    submitted: String,
    submitted_at: String,
}

#[derive(Template)]
#[template(path = "console_requests.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    signed_in: String,
    is_admin: bool,
    intro: String,
    rows: Vec<Row>,
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let requests = app.requests_to_review(&session).await?;
    let waiting = requests
        .iter()
        .filter(|(r, _)| r.status == RequestStatus::Submitted)
        .count();
    let rows = requests
        .into_iter()
        .map(|(r, badge)| {
            let (status_class, status) = status_words(r.status, t);
            let when = r.submitted_at.unwrap_or(r.created_at);
            Row {
                url: format!("/admin/demandes/{}?lang={}", r.id, t.code()),
                learner: r.learner_name,
                email: r.email,
                badge,
                parcours: r.parcours.unwrap_or_else(|| "—".into()),
                tutor: r
                    .tutor
                    .unwrap_or_else(|| t.t("console-requests-unassigned")),
                status_class,
                status,
                submitted: t.date(when),
                submitted_at: rfc3339(when),
            }
        })
        .collect();
    let page = ListPage {
        t,
        switch_url: switch("/admin/demandes", t),
        csrf: session.csrf.clone(),
        signed_in: t.t_with("console-signed-in", &[("email", &session.email)]),
        is_admin: session.role == Role::Admin,
        intro: t.t_count("console-requests-intro", "count", waiting as i64),
        rows,
    };
    page_response(&headers, page, StatusCode::OK)
}

/// A criterion of the decision form, with what was chosen and typed.
struct AssessRow {
    code: String,
    label: String,
    description: Option<String>,
    met: Option<bool>,
    comment: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console_request.html")]
struct DetailPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    assign_action: String,
    learner: String,
    email: String,
    badge: String,
    parcours: String,
    tutor: String,
    status_class: &'static str,
    status: String,
    analysis: String,
    links: Vec<String>,
    files: Vec<FileRow>,
    grid_name: String,
    /// The decision form's criteria, when the request waits for a decision.
    assess: Vec<AssessRow>,
    /// The last assessment, when the request was decided or returned.
    assessed: Vec<CriterionRow>,
    decidable: bool,
    note: String,
    note_error: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    is_admin: bool,
    tutors: Vec<(String, bool)>,
    events: Vec<EventRow>,
    ready: bool,
}

fn detail_page(
    t: Lang,
    session: &AdminSession,
    detail: &RequestDetail,
    tutors: Vec<String>,
    typed: Option<&DecisionInput>,
    refusal: Option<&Refusal>,
    notice: Option<String>,
) -> DetailPage {
    let r = &detail.request;
    let (status_class, status) = status_words(r.status, t);
    let base = format!("/admin/demandes/{}", r.id);
    let field_error = |field: &str| refusal.filter(|e| e.field() == field).map(|e| e.words(t));
    let assess = detail
        .grid
        .as_ref()
        .map(|g| {
            g.criteria
                .iter()
                .map(|k| AssessRow {
                    met: typed.and_then(|i| i.met.get(&k.code).copied().flatten()),
                    comment: typed
                        .and_then(|i| i.comments.get(&k.code).cloned())
                        .unwrap_or_default(),
                    error: field_error(&format!("met-{}", k.code)),
                    code: k.code.clone(),
                    label: k.label.clone(),
                    description: k.description.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let placed = refusal.is_some_and(|e| e.field() == "note" || e.field().starts_with("met-"));
    DetailPage {
        t,
        switch_url: switch(&base, t),
        csrf: session.csrf.clone(),
        action: format!("{base}?lang={}", t.code()),
        assign_action: format!("{base}/attribution?lang={}", t.code()),
        learner: r.learner_name.clone(),
        email: r.email.clone(),
        badge: detail.badge_name.clone(),
        parcours: r.parcours.clone().unwrap_or_else(|| "—".into()),
        tutor: r
            .tutor
            .clone()
            .unwrap_or_else(|| t.t("console-requests-unassigned")),
        status_class,
        status,
        analysis: r.analysis.clone(),
        links: r.links.clone(),
        files: file_rows(&detail.files, &base, t),
        grid_name: detail
            .grid
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        assess,
        assessed: criterion_rows(detail),
        decidable: r.status == RequestStatus::Submitted,
        note: typed.map(|i| i.note.clone()).unwrap_or_default(),
        note_error: field_error("note"),
        error: refusal.filter(|_| !placed).map(|e| e.words(t)),
        notice,
        is_admin: session.role == Role::Admin,
        tutors: tutors
            .into_iter()
            .map(|e| {
                let chosen = r.tutor.as_deref() == Some(e.as_str());
                (e, chosen)
            })
            .collect(),
        events: event_rows(detail, t, true),
        ready: detail.ready,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct DetailQuery {
    lang: Option<String>,
    fait: Option<String>,
}

async fn tutors_for(app: &Insigne, session: &AdminSession) -> Result<Vec<String>, ApiError> {
    Ok(if session.role == Role::Admin {
        app.tutors().await?
    } else {
        Vec::new()
    })
}

pub(super) async fn detail(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let detail = app.request_for_review(&session, &id).await?;
    let notice = q.fait.as_deref().and_then(|f| {
        Some(t.t(match f {
            "approuvee" => "console-request-approved",
            "renvoyee" => "console-request-returned",
            "refusee" => "console-request-refused",
            "attribuee" => "console-request-assigned",
            _ => return None,
        }))
    });
    let tutors = tutors_for(&app, &session).await?;
    let page = detail_page(t, &session, &detail, tutors, None, None, notice);
    page_response(&headers, page, StatusCode::OK)
}

/// The decision form, as posted: `verdict` is which button, `met-CODE` "oui" or "non",
/// `comment-CODE` and `note` free text.
fn decision_input(
    fields: Vec<(String, String)>,
) -> (Option<String>, Option<String>, DecisionInput) {
    let mut input = DecisionInput::default();
    let (mut csrf, mut lang) = (None, None);
    for (name, value) in fields {
        if let Some(code) = name.strip_prefix("met-") {
            let met = match value.as_str() {
                "oui" => Some(true),
                "non" => Some(false),
                _ => None,
            };
            input.met.insert(code.to_string(), met);
        } else if let Some(code) = name.strip_prefix("comment-") {
            input.comments.insert(code.to_string(), value);
        } else {
            match name.as_str() {
                "csrf" => csrf = Some(value),
                "lang" => lang = Some(value),
                "note" => input.note = value,
                "verdict" => {
                    input.verdict = match value.as_str() {
                        "approuver" => Some(Verdict::Approve),
                        "renvoyer" => Some(Verdict::Return),
                        "refuser" => Some(Verdict::Refuse),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
    }
    (csrf, lang, input)
}

pub(super) async fn decide(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (csrf, lang, input) = decision_input(fields);
    if !from_session(&session, csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(lang.as_deref().or(q.lang.as_deref()), &headers);
    match app.decide_request(&session, &id, &input).await? {
        Ok(verdict) => {
            let done = match verdict {
                Verdict::Approve => "approuvee",
                Verdict::Return => "renvoyee",
                Verdict::Refuse => "refusee",
            };
            Ok(super::private(
                Redirect::to(&format!(
                    "/admin/demandes/{id}?fait={done}&lang={}",
                    t.code()
                ))
                .into_response(),
            ))
        }
        Err(refusal) => {
            refusal_page(&app, &session, &id, t, Some(&input), &refusal, &headers).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct AssignForm {
    csrf: Option<String>,
    tutor: Option<String>,
    lang: Option<String>,
}

/// Assigns a request to a tutor (or back to its parcours' tutors): admins only.
pub(super) async fn assign(
    State(app): State<Insigne>,
    crate::auth::ConsoleAdmin(session): crate::auth::ConsoleAdmin,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AssignForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(form.lang.as_deref(), &headers);
    let tutor = form
        .tutor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match app.assign_request(&session, &id, tutor).await? {
        Ok(()) => Ok(super::private(
            Redirect::to(&format!(
                "/admin/demandes/{id}?fait=attribuee&lang={}",
                t.code()
            ))
            .into_response(),
        )),
        Err(refusal) => refusal_page(&app, &session, &id, t, None, &refusal, &headers).await,
    }
}

/// The request page again, with what was typed and why it was refused (422).
async fn refusal_page(
    app: &Insigne,
    session: &AdminSession,
    id: &str,
    t: Lang,
    typed: Option<&DecisionInput>,
    refusal: &Refusal,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let detail = app.request_for_review(session, id).await?;
    let tutors = tutors_for(app, session).await?;
    let page = detail_page(t, session, &detail, tutors, typed, Some(refusal), None);
    page_response(headers, page, StatusCode::UNPROCESSABLE_ENTITY)
}

pub(super) async fn download(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = app.request_file_for_reviewer(&session, &id, &file).await?;
    Ok(file_response(&meta, bytes))
}
