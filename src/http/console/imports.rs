//! Moodle completion exports and attendance exports of virtual classes in the console: upload
//! a CSV, read the dry run (rows accepted and rejected with their line and reason, the awards
//! that would follow), confirm; a Moodle import runs in the background with its progress
//! shown, an attendance import (small files) at once; every summary is kept and listed.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

use super::{page_response, posted_file, switch, UploadConfirm};
use crate::auth::ConsoleAdmin;
use crate::domain::FieldError;
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::import::moodle::RowProblem;
use crate::service::{
    Actor, AttendanceSummary, ImportSummary, ImportView, Insigne, ServiceError, ATTENDANCE_SOURCE,
    MOODLE_SOURCE,
};
use crate::storage::{ImportOrigin, ImportStatus};

/// One import of the list.
struct ImportRow {
    link: String,
    started: String,
    file: String,
    by: String,
    status: String,
    counts: String,
}

#[derive(Template)]
#[template(path = "console_imports.html")]
struct ImportsPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    errors: Vec<FieldError>,
    rows: Vec<ImportRow>,
}

/// A summary, for the page (a dry run's or a finished import's).
pub(super) struct SummaryView {
    pub(super) layout: String,
    pub(super) counts: Vec<(String, String)>,
    pub(super) rejected: Vec<(usize, String)>,
    /// Moodle: activities naming no module; attendance: sessions of no series.
    pub(super) ignored: Vec<String>,
    pub(super) ignored_heading: String,
    pub(super) awards: Vec<(String, String, Option<String>)>,
    pub(super) pending: Vec<String>,
    /// Attendance: each learner's standing for a participation badge, and each session why.
    pub(super) trace: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "console_import_preview.html")]
struct PreviewPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    upload: String,
    file_name: String,
    summary: SummaryView,
}

#[derive(Template)]
#[template(path = "console_import.html")]
struct ImportPage {
    t: Lang,
    switch_url: String,
    title: String,
    running: bool,
    progress: Option<(String, i64, i64)>,
    status: String,
    error: Option<String>,
    summary: Option<SummaryView>,
    refresh: String,
}

fn summary_view(t: Lang, s: &ImportSummary, done: bool) -> SummaryView {
    let n = |v: usize| v.to_string();
    let mut counts = vec![
        (t.t("console-import-rows-read"), n(s.rows_read)),
        (t.t("console-import-rows-accepted"), n(s.rows_accepted)),
        (
            t.t("console-import-rows-rejected"),
            n(s.rows_rejected.len()),
        ),
        (t.t("console-import-new"), n(s.completions_new)),
        (t.t("console-import-known"), n(s.completions_known)),
    ];
    counts.push(if done {
        (t.t("console-import-awarded"), n(s.awards_issued))
    } else {
        (t.t("console-import-would-award"), n(s.awards.len()))
    });
    SummaryView {
        layout: s
            .layout
            .map(|l| t.t(&format!("console-layout-{}", layout_key(l))))
            .unwrap_or_default(),
        counts,
        rejected: s
            .rows_rejected
            .iter()
            .map(|r| (r.line, row_problem(t, &r.problem)))
            .collect(),
        ignored: s.ignored_columns.clone(),
        ignored_heading: t.t("console-import-ignored"),
        awards: s
            .awards
            .iter()
            .map(|a| {
                let link = (!a.award.is_empty())
                    .then(|| format!("/admin/badges-delivres/{}?lang={}", a.award, t.code()));
                (a.email.clone(), a.badge.clone(), link)
            })
            .collect(),
        pending: s.pending.clone(),
        trace: Vec::new(),
    }
}

/// Why a row was refused, in the console's language.
fn row_problem(t: Lang, p: &RowProblem) -> String {
    match p {
        RowProblem::UnreadableCsv { error } => {
            t.t_with("console-reject-unreadable", &[("error", error)])
        }
        RowProblem::MissingColumns { found, expected } => t.t_with(
            "console-reject-columns",
            &[
                ("found", &found.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        RowProblem::NoEmail => t.t("console-reject-no-email"),
        RowProblem::BadEmail { problem } => {
            t.t_with("console-reject-bad-email", &[("problem", problem)])
        }
        RowProblem::UnknownStatus { activity, status } => t.t_with(
            "console-reject-status",
            &[("activity", activity), ("status", status)],
        ),
        RowProblem::NoDate { activity } => {
            t.t_with("console-reject-no-date", &[("activity", activity)])
        }
        RowProblem::BadDate { activity, date, .. } => t.t_with(
            "console-reject-bad-date",
            &[("activity", activity), ("date", date)],
        ),
        RowProblem::FutureDate { activity } => {
            t.t_with("console-reject-future", &[("activity", activity)])
        }
    }
}

fn layout_key(l: crate::import::moodle::Layout) -> &'static str {
    use crate::import::moodle::Layout;
    match l {
        Layout::ActivityCompletion => "activity",
        Layout::CourseCompletion => "course",
        Layout::Mapped => "mapped",
    }
}

fn status_label(t: Lang, s: ImportStatus) -> String {
    t.t(match s {
        ImportStatus::Running => "console-import-running",
        ImportStatus::Done => "console-import-done",
        ImportStatus::Failed => "console-import-failed",
    })
}

async fn list_page(
    app: &Insigne,
    t: Lang,
    csrf: String,
    errors: Vec<FieldError>,
) -> Result<ImportsPage, ApiError> {
    let rows = app
        .imports(50)
        .await?
        .into_iter()
        .map(|i| {
            let r = i.record;
            ImportRow {
                link: format!("/admin/imports/{}?lang={}", r.id, t.code()),
                started: r.started_at.format("%Y-%m-%d %H:%M").to_string(),
                file: r.file_name.unwrap_or_else(|| r.source.clone()),
                by: r
                    .started_by
                    .unwrap_or_else(|| t.t("console-import-by-unknown")),
                status: status_label(t, r.status),
                // An attendance import counts attendances (new or longer), not completions.
                counts: t.t_with(
                    if r.source == ATTENDANCE_SOURCE {
                        "console-import-counts-attendance"
                    } else {
                        "console-import-counts"
                    },
                    &[
                        ("rows", &r.rows_read.to_string()),
                        ("rejected", &r.rows_rejected.to_string()),
                        ("completions", &r.completions_new.to_string()),
                        ("awards", &r.awards_issued.to_string()),
                    ],
                ),
            }
        })
        .collect();
    Ok(ImportsPage {
        t,
        switch_url: switch("/admin/imports", t),
        csrf,
        errors,
        rows,
    })
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = list_page(&app, t, session.csrf, Vec::new()).await?;
    page_response(&headers, page, StatusCode::OK)
}

/// An uploaded export: read, checked and shown as a dry run; nothing recorded but the file.
pub(super) async fn upload(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let (bytes, file_name) =
        match posted_file(form, &session, &headers, "file", "export.csv").await? {
            Ok(file) => file,
            Err(refusal) => return Ok(refusal),
        };
    let refuse = |errors: Vec<FieldError>| async {
        let page = list_page(&app, t, session.csrf.clone(), errors).await?;
        page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if bytes.is_empty() {
        return refuse(vec![FieldError::new("file", t.t("console-file-missing"))]).await;
    }
    if super::imports_attendance::is_attendance(&bytes, &app.attendance_mapping) {
        let dry = app
            .import_attendance(
                &bytes,
                &app.attendance_mapping,
                true,
                &ImportOrigin::default(),
                &|_| {},
            )
            .await;
        return match dry {
            Ok(summary) => {
                let upload = app
                    .keep_upload(ATTENDANCE_SOURCE, &session.email, &file_name, bytes)
                    .await?;
                let page = PreviewPage {
                    t,
                    switch_url: switch("/admin/imports", t),
                    csrf: session.csrf.clone(),
                    upload,
                    file_name,
                    summary: super::imports_attendance::summary_view(t, &summary, false),
                };
                page_response(&headers, page, StatusCode::OK)
            }
            Err(ServiceError::Invalid(invalid)) => refuse(invalid.0).await,
            Err(other) => Err(other.into()),
        };
    }
    match app.preview_moodle_import(&bytes, &app.moodle_mapping).await {
        Ok(preview) => {
            let upload = app
                .keep_upload(MOODLE_SOURCE, &session.email, &file_name, bytes)
                .await?;
            let page = PreviewPage {
                t,
                switch_url: switch("/admin/imports", t),
                csrf: session.csrf.clone(),
                upload,
                file_name,
                summary: summary_view(t, &preview.summary, false),
            };
            page_response(&headers, page, StatusCode::OK)
        }
        Err(ServiceError::Invalid(invalid)) => refuse(invalid.0).await,
        Err(other) => Err(other.into()),
    }
}

/// Starts importing the file previewed, in the background; its page follows it.
pub(super) async fn confirm(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    headers: HeaderMap,
    Form(form): Form<UploadConfirm>,
) -> Result<Response, ApiError> {
    let (t, id) = match form.checked(&session, &headers) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(*refusal),
    };
    if let Some(upload) = app.upload(&id, ATTENDANCE_SOURCE, &session.email).await? {
        if app.take_upload(&id).await? {
            return confirm_attendance(&app, &session, t, upload, &headers).await;
        }
    }
    let upload = match app.upload(&id, MOODLE_SOURCE, &session.email).await? {
        Some(upload) if app.take_upload(&id).await? => upload,
        _ => {
            let errors = vec![FieldError::new("file", t.t("console-upload-gone"))];
            let page = list_page(&app, t, session.csrf.clone(), errors).await?;
            return page_response(&headers, page, StatusCode::GONE);
        }
    };
    let actor = Actor::Console(session.email.clone());
    let origin = ImportOrigin {
        file_name: Some(upload.file_name.clone()),
        started_by: Some(actor.label()),
    };
    match app
        .start_moodle_import(&upload.content, &app.moodle_mapping, origin)
        .await
    {
        Ok(import) => {
            app.audit(
                &actor,
                "completions import",
                Some(&upload.file_name),
                Some(&format!("import {import}")),
            )
            .await?;
            Ok(private(
                Redirect::to(&format!("/admin/imports/{import}?lang={}", t.code())).into_response(),
            ))
        }
        Err(ServiceError::Invalid(invalid)) => {
            let page = list_page(&app, t, session.csrf.clone(), invalid.0).await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}

/// Imports the attendance export previewed, at once (such files are small), and shows its
/// record.
async fn confirm_attendance(
    app: &Insigne,
    session: &crate::service::AdminSession,
    t: Lang,
    upload: crate::storage::Upload,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let actor = Actor::Console(session.email.clone());
    let origin = ImportOrigin {
        file_name: Some(upload.file_name.clone()),
        started_by: Some(actor.label()),
    };
    let done = app
        .import_attendance_recorded(
            &upload.content,
            &app.attendance_mapping,
            false,
            &origin,
            &|_| {},
        )
        .await;
    match done {
        Ok((Some(import), summary)) => {
            let detail = format!(
                "import {import}: {} new attendances, {} longer, {} awards",
                summary.attendances_new, summary.attendances_longer, summary.awards_issued
            );
            app.audit(
                &actor,
                "attendance import",
                Some(&upload.file_name),
                Some(&detail),
            )
            .await?;
            Ok(private(
                Redirect::to(&format!("/admin/imports/{import}?lang={}", t.code())).into_response(),
            ))
        }
        Ok((None, _)) => Err(ApiError::from(ServiceError::not_found("import", "(none)"))),
        Err(ServiceError::Invalid(invalid)) => {
            let page = list_page(app, t, session.csrf.clone(), invalid.0).await?;
            page_response(headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}

/// An import: its progress while it runs (the page refreshes itself with JavaScript; a link
/// does it without), then its summary.
pub(super) async fn show(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let ImportView { record, summary } = app.import(&id).await?;
    let summary = if record.source == ATTENDANCE_SOURCE {
        record
            .summary
            .as_deref()
            .and_then(|s| serde_json::from_str::<AttendanceSummary>(s).ok())
            .map(|s| super::imports_attendance::summary_view(t, &s, true))
    } else {
        summary.as_ref().map(|s| summary_view(t, s, true))
    };
    let running = record.status == ImportStatus::Running;
    let progress = running.then(|| {
        let phase = match record.phase.as_deref() {
            Some("evaluating") => t.t("console-import-evaluating"),
            _ => t.t("console-import-recording"),
        };
        (phase, record.progress_done, record.progress_total.max(1))
    });
    let title = t.t_with(
        "console-import-title",
        &[
            (
                "file",
                record.file_name.as_deref().unwrap_or(&record.source),
            ),
            (
                "date",
                &record.started_at.format("%Y-%m-%d %H:%M").to_string(),
            ),
        ],
    );
    let page = ImportPage {
        t,
        switch_url: switch(&format!("/admin/imports/{}", record.id), t),
        title,
        running,
        progress,
        status: status_label(t, record.status),
        error: record.error,
        summary,
        refresh: format!("/admin/imports/{}?lang={}", record.id, t.code()),
    };
    page_response(&headers, page, StatusCode::OK)
}
