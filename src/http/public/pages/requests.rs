//! A trainer's requests for badges earned by evidence, on "mes badges": start one, write the
//! reflective analysis, give links and files (checked by their bytes), save a draft, submit;
//! read the tutor's message, revise and submit again. Plain forms (multipart for the files),
//! no JavaScript; the files are served to the trainer only here (and to the tutor in the
//! console), as attachments, never stored by a cache.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{content_lang, html, private, LangQuery};
use crate::auth::extract::signed_in;
use crate::domain::clock::rfc3339;
use crate::domain::EmailAddress;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::{
    Insigne, Refusal, RequestDetail, RequestUpload, ANALYSIS_MAX_CHARS, REQUEST_FILES_MAX,
    REQUEST_FILE_MAX_BYTES,
};
use crate::storage::{RequestFile, RequestStatus};

/// The largest request form: five files of 10 MiB and the text around them.
pub const REQUEST_FORM_MAX_BYTES: usize = REQUEST_FILES_MAX * REQUEST_FILE_MAX_BYTES + 1024 * 1024;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/mes-badges/demandes", post(start))
        .route(
            "/mes-badges/demandes/{id}",
            get(show)
                .post(save)
                .layer(DefaultBodyLimit::max(REQUEST_FORM_MAX_BYTES)),
        )
        .route("/mes-badges/demandes/{id}/fichiers/{file}", get(download))
        .route(
            "/mes-badges/demandes/{id}/fichiers/{file}/retrait",
            post(remove_file),
        )
}

/// A request's status in words, and its class for the page's colours.
pub(crate) fn status_words(status: RequestStatus, t: Lang) -> (&'static str, String) {
    let key = match status {
        RequestStatus::Draft => "request-status-draft",
        RequestStatus::Submitted => "request-status-submitted",
        RequestStatus::Returned => "request-status-returned",
        RequestStatus::Approved => "request-status-approved",
        RequestStatus::Refused => "request-status-refused",
    };
    (status.as_str(), t.t(key))
}

/// One entry of the history, in words.
pub(crate) struct EventRow {
    pub at: String,
    pub at_machine: String,
    pub what: String,
    pub note: Option<String>,
}

pub(crate) fn event_rows(detail: &RequestDetail, t: Lang, show_actor: bool) -> Vec<EventRow> {
    detail
        .events
        .iter()
        .map(|e| {
            let key = format!("request-event-{}", e.action);
            let who = if e.actor == "trainer" && show_actor {
                t.t("request-actor-learner")
            } else if e.actor == "trainer" {
                t.t("request-actor-trainer")
            } else if show_actor {
                e.actor.clone()
            } else {
                t.t("request-actor-tutor")
            };
            EventRow {
                at: t.date(e.at),
                at_machine: rfc3339(e.at),
                what: t.t_with(&key, &[("who", &who)]),
                // An assignment's note is the tutor's address: for the console only.
                note: e
                    .note
                    .clone()
                    .filter(|_| show_actor || e.action != "reassigned"),
            }
        })
        .collect()
}

/// A criterion of the grid with what the tutor said of it (if anything yet).
pub(crate) struct CriterionRow {
    pub code: String,
    pub label: String,
    pub description: Option<String>,
    pub met: Option<bool>,
    pub comment: String,
}

pub(crate) fn criterion_rows(detail: &RequestDetail) -> Vec<CriterionRow> {
    let Some(grid) = &detail.grid else {
        return Vec::new();
    };
    grid.criteria
        .iter()
        .map(|k| {
            let said = detail
                .assessment
                .as_ref()
                .and_then(|a| a.criteria.iter().find(|c| c.code == k.code));
            CriterionRow {
                code: k.code.clone(),
                label: k.label.clone(),
                description: k.description.clone(),
                met: said.map(|c| c.met),
                comment: said.map(|c| c.comment.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// A file, for the page.
pub(crate) struct FileRow {
    pub name: String,
    pub size: String,
    pub url: String,
}

pub(crate) fn file_rows(files: &[RequestFile], base: &str, t: Lang) -> Vec<FileRow> {
    files
        .iter()
        .map(|f| FileRow {
            name: f.file_name.clone(),
            size: if f.size >= 1024 * 1024 {
                let tenths = (f.size * 10 / (1024 * 1024)).to_string();
                let (whole, tenth) = tenths.split_at(tenths.len() - 1);
                t.t_with("size-megabytes", &[("whole", whole), ("tenth", tenth)])
            } else {
                t.t_with(
                    "size-kilobytes",
                    &[("count", &((f.size + 1023) / 1024).to_string())],
                )
            },
            url: format!("{base}/fichiers/{}", f.id),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "mine_request.html")]
struct RequestPage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    id: String,
    badge: String,
    status_class: &'static str,
    status: String,
    editable: bool,
    ready: bool,
    /// The tutor's last message (a return) or reason (a refusal).
    note: Option<String>,
    analysis: String,
    links: String,
    link_list: Vec<String>,
    files: Vec<FileRow>,
    criteria: Vec<CriterionRow>,
    grid_name: String,
    events: Vec<EventRow>,
    error: Option<(String, String)>,
    notice: Option<String>,
    files_left: usize,
    analysis_max: usize,
    analysis_help: String,
    files_help: String,
}

impl RequestPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, words)| words.as_str())
    }
}

fn page(
    t: Lang,
    detail: &RequestDetail,
    typed: Option<(&str, &str)>,
    error: Option<&Refusal>,
    notice: Option<String>,
) -> RequestPage {
    let r = &detail.request;
    let (status_class, status) = status_words(r.status, t);
    let base = format!("/mes-badges/demandes/{}", r.id);
    RequestPage {
        t,
        switch_url: format!("{base}?lang={}", t.other().code()),
        content_lang: content_lang(t),
        id: r.id.clone(),
        badge: detail.badge_name.clone(),
        status_class,
        status,
        editable: r.status.editable(),
        ready: detail.ready,
        note: match r.status {
            RequestStatus::Returned | RequestStatus::Refused => r.decision_note.clone(),
            _ => None,
        },
        analysis: typed
            .map(|(a, _)| a.to_string())
            .unwrap_or_else(|| r.analysis.clone()),
        links: typed
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| r.links.join("\n")),
        link_list: r.links.clone(),
        files: file_rows(&detail.files, &base, t),
        criteria: criterion_rows(detail),
        grid_name: detail
            .grid
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        events: event_rows(detail, t, false),
        error: error.map(|e| (e.field(), e.words(t))),
        notice,
        files_left: REQUEST_FILES_MAX.saturating_sub(detail.files.len()),
        analysis_max: ANALYSIS_MAX_CHARS,
        analysis_help: t.t_with(
            "request-analysis-help",
            &[
                (
                    "grid",
                    detail.grid.as_ref().map(|g| g.name.as_str()).unwrap_or(""),
                ),
                ("chars", &ANALYSIS_MAX_CHARS.to_string()),
            ],
        ),
        files_help: t.t_with(
            "request-files-help",
            &[
                (
                    "left",
                    &REQUEST_FILES_MAX
                        .saturating_sub(detail.files.len())
                        .to_string(),
                ),
                ("files", &REQUEST_FILES_MAX.to_string()),
                (
                    "megabytes",
                    &(REQUEST_FILE_MAX_BYTES / (1024 * 1024)).to_string(),
                ),
            ],
        ),
    }
}

/// The signed-in trainer, or the sign-in page that brings them back to `path`.
async fn trainer(
    app: &Insigne,
    headers: &HeaderMap,
    t: Lang,
    path: &str,
) -> Result<Result<EmailAddress, Response>, ApiError> {
    match signed_in(app, headers).await? {
        Some(email) => Ok(Ok(EmailAddress::parse(&email).map_err(ApiError::internal)?)),
        None => {
            let page = html(
                headers,
                super::mine::SigninPage {
                    t,
                    switch_url: format!("{path}?lang={}", t.other().code()),
                    retour: Some(path.to_string()),
                    waiting: Some(t.t("request-signin-waiting")),
                },
                "Accept-Language",
            )?;
            Ok(Err(private(page)))
        }
    }
}

fn respond(
    headers: &HeaderMap,
    page: RequestPage,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let mut response = html(headers, page, "Accept-Language, Cookie")?;
    *response.status_mut() = status;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

#[derive(Deserialize)]
struct StartForm {
    badge: Option<String>,
    lang: Option<String>,
}

/// Starts a request for a badge (or opens the one under way) and leads to its form.
async fn start(
    State(app): State<Insigne>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(form.lang.as_deref(), &headers);
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    let code = form.badge.unwrap_or_default();
    match app.start_request(&email, &code, t).await? {
        Ok(request) => Ok(private(
            Redirect::to(&format!("/mes-badges/demandes/{}", request.id)).into_response(),
        )),
        Err(Refusal::AlreadyOpen) => {
            // The request under way, rather than a second one.
            let open = app
                .requestable_badges(&email)
                .await?
                .into_iter()
                .find(|b| b.code == code)
                .and_then(|b| b.request);
            match open {
                Some(r) => Ok(private(
                    Redirect::to(&format!("/mes-badges/demandes/{}", r.id)).into_response(),
                )),
                None => refusal_notice(&headers, t, &Refusal::AlreadyOpen),
            }
        }
        Err(refusal) => refusal_notice(&headers, t, &refusal),
    }
}

fn refusal_notice(headers: &HeaderMap, t: Lang, refusal: &Refusal) -> Result<Response, ApiError> {
    super::mine::notice(
        headers,
        t,
        StatusCode::UNPROCESSABLE_ENTITY,
        "request-refused-title",
        refusal.words(t),
        None,
    )
}

#[derive(Deserialize)]
struct ShowQuery {
    lang: Option<String>,
    /// Set by the redirect after a save or a submission.
    fait: Option<String>,
}

async fn show(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let path = format!("/mes-badges/demandes/{id}");
    let email = match trainer(&app, &headers, t, &path).await? {
        Ok(email) => email,
        Err(signin) => return Ok(signin),
    };
    let detail = match app.my_request(&email, &id).await {
        Ok(d) => d,
        Err(e) => return super::for_people(Err(e.into()), t, &path, &headers),
    };
    let notice = match q.fait.as_deref() {
        Some("brouillon") => Some(t.t("request-saved")),
        Some("soumise") => Some(t.t("request-submitted")),
        Some("fichier") => Some(t.t("request-file-removed")),
        _ => None,
    };
    respond(
        &headers,
        page(t, &detail, None, None, notice),
        StatusCode::OK,
    )
}

/// The request form posted: the text saved, each file attached, then (with "Soumettre")
/// the request submitted. A refusal shows the form again with what was typed and the error
/// next to its field; files attached before the refusal stay.
async fn save(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    // Fail early on someone else's request, before reading files.
    app.my_request(&email, &id).await?;
    let mut analysis = String::new();
    let mut links = String::new();
    let mut action = String::new();
    let mut lang = None;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut form = form;
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadField {
        field: "(form)".into(),
        message: e.to_string(),
    })? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| ApiError::BadField {
            field: name.clone(),
            message: e.to_string(),
        })?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "analysis" => analysis = text(),
            "links" => links = text(),
            "action" => action = text(),
            "lang" => lang = Some(text()),
            "files" => {
                // A file input left empty sends a part with no name and no bytes.
                if let Some(file_name) = file_name.filter(|_| !bytes.is_empty()) {
                    files.push((file_name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let t = Lang::negotiate(lang.as_deref(), &headers);
    let refused = |detail: RequestDetail, refusal: Refusal| {
        respond(
            &headers,
            page(t, &detail, Some((&analysis, &links)), Some(&refusal), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if let Err(refusal) = app.save_request(&email, &id, &analysis, &links).await? {
        return refused(app.my_request(&email, &id).await?, refusal);
    }
    for (file_name, bytes) in &files {
        let upload = RequestUpload { file_name, bytes };
        if let Err(refusal) = app.attach_request_file(&email, &id, upload).await? {
            return refused(app.my_request(&email, &id).await?, refusal);
        }
    }
    let done = if action == "soumettre" {
        if let Err(refusal) = app.submit_request(&email, &id).await? {
            return refused(app.my_request(&email, &id).await?, refusal);
        }
        "soumise"
    } else {
        "brouillon"
    };
    Ok(private(
        Redirect::to(&format!(
            "/mes-badges/demandes/{id}?fait={done}&lang={}",
            t.code()
        ))
        .into_response(),
    ))
}

async fn remove_file(
    State(app): State<Insigne>,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    if let Err(refusal) = app.detach_request_file(&email, &id, &file).await? {
        let detail = app.my_request(&email, &id).await?;
        return respond(
            &headers,
            page(t, &detail, None, Some(&refusal), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    Ok(private(
        Redirect::to(&format!(
            "/mes-badges/demandes/{id}?fait=fichier&lang={}",
            t.code()
        ))
        .into_response(),
    ))
}

async fn download(
    State(app): State<Insigne>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    let (meta, bytes) = app.request_file_for_trainer(&email, &id, &file).await?;
    Ok(file_response(&meta, bytes))
}

/// A request's file as a download: its checked media type, never sniffed or shown inline,
/// never stored by a cache, sandboxed if a browser opens it anyway.
pub(crate) fn file_response(meta: &RequestFile, bytes: Vec<u8>) -> Response {
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(meta.file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&meta.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    private(response)
}
