//! The catalogue in the console: upload a TOML file, read its errors by entry and field or the
//! dry run of what it changes (and who would newly earn a badge), then apply exactly the file
//! previewed; download the catalogue as it stands.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::{page_response, posted_file, switch, UploadConfirm};
use crate::auth::ConsoleAdmin;
use crate::domain::FieldError;
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::{Actor, CataloguePreview, Change, Insigne, ServiceError};

/// What the uploads of this screen are kept as.
const KIND: &str = "catalogue";

/// One line of the dry run.
struct EntryRow {
    kind: String,
    code: String,
    name: String,
    change: String,
}

/// The dry run, for the page.
struct PreviewView {
    upload: String,
    title: String,
    changed: Vec<EntryRow>,
    unchanged: String,
    learners: String,
    awards: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console_catalogue.html")]
struct CataloguePage {
    t: Lang,
    switch_url: String,
    csrf: String,
    summary: String,
    errors: Vec<FieldError>,
    preview: Option<PreviewView>,
    done: Option<String>,
}

impl CataloguePage {
    fn new(t: Lang, csrf: String, summary: String) -> Self {
        Self {
            t,
            switch_url: switch("/admin/catalogue", t),
            csrf,
            summary,
            errors: Vec::new(),
            preview: None,
            done: None,
        }
    }
}

/// The catalogue as it stands, in one sentence.
async fn summary(app: &Insigne, t: Lang) -> Result<String, ApiError> {
    let c = app
        .store
        .load_catalogue()
        .await
        .map_err(ServiceError::from)?;
    Ok(t.t_with(
        "console-catalogue-summary",
        &[
            ("parcours", &c.parcours.len().to_string()),
            ("modules", &c.modules.len().to_string()),
            ("badges", &c.badges.len().to_string()),
        ],
    ))
}

pub(super) async fn show(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = CataloguePage::new(t, session.csrf, summary(&app, t).await?);
    page_response(&headers, page, StatusCode::OK)
}

fn preview_view(t: Lang, upload: String, file_name: String, p: CataloguePreview) -> PreviewView {
    let (changed, unchanged): (Vec<_>, Vec<_>) = p
        .entries
        .into_iter()
        .partition(|e| e.change != Change::Same);
    PreviewView {
        upload,
        title: t.t_with("console-catalogue-dry-run", &[("file", &file_name)]),
        changed: changed
            .into_iter()
            .map(|e| EntryRow {
                kind: t.t(&format!("console-entry-{}", e.kind)),
                code: e.code,
                name: e.name,
                change: t.t(match e.change {
                    Change::New => "console-change-new",
                    _ => "console-change-changed",
                }),
            })
            .collect(),
        unchanged: t.t_count(
            "console-catalogue-unchanged",
            "count",
            unchanged.len() as i64,
        ),
        learners: t.t_count("console-catalogue-learners", "count", p.learners as i64),
        awards: p.awards.into_iter().map(|a| (a.email, a.badge)).collect(),
    }
}

/// An uploaded catalogue: checked, and shown as a dry run (nothing saved but the file).
pub(super) async fn upload(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let (bytes, file_name) =
        match posted_file(form, &session, &headers, "catalogue", "catalogue.toml").await? {
            Ok(file) => file,
            Err(refusal) => return Ok(refusal),
        };
    let mut page = CataloguePage::new(t, session.csrf.clone(), summary(&app, t).await?);
    let refuse = |mut page: CataloguePage, errors: Vec<FieldError>| {
        page.errors = errors;
        page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if bytes.is_empty() {
        return refuse(
            page,
            vec![FieldError::new("catalogue", t.t("console-file-missing"))],
        );
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refuse(
            page,
            vec![FieldError::new("catalogue", t.t("console-not-utf8"))],
        );
    };
    let text = text.trim_start_matches('\u{feff}');
    match app.preview_catalogue(text, None).await {
        Ok(preview) => {
            let id = app
                .keep_upload(KIND, &session.email, &file_name, text.as_bytes().to_vec())
                .await?;
            page.preview = Some(preview_view(t, id, file_name, preview));
            page_response(&headers, page, StatusCode::OK)
        }
        Err(ServiceError::Invalid(invalid)) => refuse(page, invalid.0),
        Err(other) => Err(other.into()),
    }
}

/// Applies the file previewed: loaded as the CLI and the API load it, then audited.
pub(super) async fn apply(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    headers: HeaderMap,
    Form(form): Form<UploadConfirm>,
) -> Result<Response, ApiError> {
    let (t, id) = match form.checked(&session, &headers) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(*refusal),
    };
    let mut page = CataloguePage::new(t, session.csrf.clone(), String::new());
    // Used up before the load, as an import's is: two confirmations sent together apply once.
    let upload = match app.upload(&id, KIND, &session.email).await? {
        Some(upload) if app.take_upload(&id).await? => Some(upload),
        _ => None,
    };
    let Some(upload) = upload else {
        page.summary = summary(&app, t).await?;
        page.errors = vec![FieldError::new("catalogue", t.t("console-upload-gone"))];
        return page_response(&headers, page, StatusCode::GONE);
    };
    let text = String::from_utf8_lossy(&upload.content).into_owned();
    match app.load_catalogue(&text, None).await {
        Ok(loaded) => {
            let detail = format!(
                "{} badge classes, {} learners marked",
                loaded.badge_classes.len(),
                loaded.learners_marked
            );
            app.audit(
                &Actor::Console(session.email.clone()),
                "catalogue load",
                Some(&upload.file_name),
                Some(&detail),
            )
            .await?;
            page.done = Some(t.t_with(
                "console-catalogue-loaded",
                &[
                    ("file", &upload.file_name),
                    ("badges", &loaded.badge_classes.len().to_string()),
                    ("learners", &loaded.learners_marked.to_string()),
                ],
            ));
            page.summary = summary(&app, t).await?;
            page_response(&headers, page, StatusCode::OK)
        }
        // The catalogue stored changed in between in a way this file no longer fits.
        Err(ServiceError::Invalid(invalid)) => {
            page.summary = summary(&app, t).await?;
            page.errors = invalid.0;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}

/// The catalogue as it stands, as a TOML file that loads back to the same.
pub(super) async fn download(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
) -> Result<Response, ApiError> {
    let text = app.catalogue_toml().await?;
    Ok(private(
        (
            [
                (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"catalogue-insigne.toml\"",
                ),
            ],
            text,
        )
            .into_response(),
    ))
}
