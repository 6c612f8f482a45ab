//! The admin console (`/admin/…`): server-rendered pages for the DANE's team. Signing in takes
//! an emailed link (single use, 15 minutes, confirmed with a button so that mail scanners do
//! not use it up); the session cookie is HttpOnly, SameSite=Strict and scoped to `/admin`, and
//! every form carries the session's CSRF token (a POST without it: 403, nothing changed).

mod award_issue;
mod award_revoke;
mod award_search;
mod awards;
mod badge_classes;
mod catalogue;
mod endorsements;
mod entries;
mod imports;
mod imports_attendance;
mod issuers;
mod keys;
mod notifications;
mod requests;
mod tokens;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::error::ApiError;
use super::public::pages::{html, private, LangQuery, SigninNotice};
use crate::auth::session::{admin_cookie, same_token, set_admin_cookie};
use crate::auth::{ConsoleAdmin, ConsoleUser};
use crate::i18n::Lang;
use crate::service::{
    AdminSession, Insigne, SigninRequest, ADMIN_SESSION_HOURS, ADMIN_SIGNIN_MINUTES,
};

/// The largest file the console takes (a catalogue, a Moodle export), with its form.
pub const UPLOAD_MAX_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/connexion", get(signin_form).post(ask_link))
        .route("/admin/connexion/{secret}", get(confirm).post(sign_in))
        .route("/admin/deconnexion", post(sign_out))
        .route("/admin/emetteurs", get(issuers::list).post(issuers::create))
        .route("/admin/emetteurs/nouveau", get(issuers::new_form))
        .route(
            "/admin/emetteurs/{id}",
            get(issuers::edit_form).post(issuers::update),
        )
        .route(
            "/admin/catalogue",
            get(catalogue::show)
                .post(catalogue::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/admin/catalogue/appliquer", post(catalogue::apply))
        .route("/admin/catalogue.toml", get(catalogue::download))
        .route(
            "/admin/imports",
            get(imports::list)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/admin/imports/confirmer", post(imports::confirm))
        .route("/admin/imports/{id}", get(imports::show))
        .route(
            "/admin/badges",
            get(badge_classes::list).post(badge_classes::create),
        )
        .route("/admin/badges/nouveau", get(badge_classes::new_form))
        .route(
            "/admin/badges/{id}",
            get(badge_classes::edit_form).post(badge_classes::update),
        )
        .route(
            "/admin/badges-delivres",
            get(award_search::search).post(award_issue::create),
        )
        .route("/admin/badges-delivres/nouveau", get(award_issue::new_form))
        .route("/admin/badges-delivres/{id}", get(awards::detail))
        .route(
            "/admin/badges-delivres/{id}/revoquer",
            get(award_revoke::form).post(award_revoke::revoke),
        )
        .route("/admin/badges-delivres/{id}/renvoyer", post(awards::resend))
        .route("/admin/notifications", get(notifications::list))
        .route(
            "/admin/notifications/{id}/renvoyer",
            post(notifications::resend),
        )
        .route("/admin/cles", get(keys::list))
        .route(
            "/admin/cles/remplacer",
            get(keys::confirm).post(keys::rotate),
        )
        .route("/admin/jetons", get(tokens::list).post(tokens::create))
        .route(
            "/admin/jetons/{id}/revoquer",
            get(tokens::confirm_revoke).post(tokens::revoke),
        )
        .route(
            "/admin/referentiels",
            get(entries::frameworks).post(entries::framework_create),
        )
        .route("/admin/referentiels/nouveau", get(entries::framework_new))
        .route(
            "/admin/referentiels/{code}",
            get(entries::framework_edit).post(entries::framework_update),
        )
        .route(
            "/admin/referentiels/{code}/competences",
            post(entries::competency_create),
        )
        .route(
            "/admin/referentiels/{code}/competences/nouvelle",
            get(entries::competency_new),
        )
        .route(
            "/admin/referentiels/{code}/competences/{competency}",
            get(entries::competency_edit).post(entries::competency_update),
        )
        .route(
            "/admin/parcours",
            get(entries::parcours_list).post(entries::parcours_create),
        )
        .route("/admin/parcours/nouveau", get(entries::parcours_new))
        .route(
            "/admin/parcours/{code}",
            get(entries::parcours_edit).post(entries::parcours_update),
        )
        .route("/admin/modules", post(entries::module_create))
        .route("/admin/modules/nouveau", get(entries::module_new))
        .route(
            "/admin/modules/{code}",
            get(entries::module_edit).post(entries::module_update),
        )
        .route(
            "/admin/endossements",
            get(endorsements::list).post(endorsements::create),
        )
        .route(
            "/admin/endossements/{id}/revoquer",
            post(endorsements::revoke),
        )
        .route("/admin/demandes", get(requests::list))
        .route(
            "/admin/demandes/{id}",
            get(requests::detail).post(requests::decide),
        )
        .route("/admin/demandes/{id}/attribution", post(requests::assign))
        .route(
            "/admin/demandes/{id}/fichiers/{file}",
            get(requests::download),
        )
        .route("/admin/journal", get(journal))
        .route("/admin/journal.csv", get(journal_csv))
}

fn switch(path: &str, t: Lang) -> String {
    format!("{path}?lang={}", t.other().code())
}

#[derive(Template)]
#[template(path = "console_signin.html")]
struct SigninPage {
    t: Lang,
    switch_url: String,
}

/// One figure of the dashboard.
struct Figure {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "console_dashboard.html")]
struct DashboardPage {
    t: Lang,
    switch_url: String,
    signed_in: String,
    csrf: String,
    figures: Vec<Figure>,
    last_import: Option<String>,
    syncs: Vec<String>,
}

fn notice(
    headers: &HeaderMap,
    t: Lang,
    status: StatusCode,
    title: &str,
    text: String,
    confirm: Option<String>,
) -> Result<Response, ApiError> {
    let page = SigninNotice {
        t,
        switch_url: switch("/admin/connexion", t),
        title: t.t(title),
        text,
        confirm_action: confirm
            .map(|secret| format!("/admin/connexion/{secret}?lang={}", t.code())),
        confirm_label: t.t("console-confirm-button"),
        back_url: format!("/admin/connexion?lang={}", t.code()),
        back_label: t.t("console-signin-title"),
    };
    let mut response = html(headers, page, "Accept-Language")?;
    *response.status_mut() = status;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

/// The answer to a tutor (or anyone without the role) on an admin screen.
pub fn forbidden(headers: &HeaderMap) -> Response {
    let t = Lang::negotiate(None, headers);
    notice(
        headers,
        t,
        StatusCode::FORBIDDEN,
        "console-forbidden-title",
        t.t("console-forbidden"),
        None,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

/// A form posted without the session's CSRF token (or with another's): 403, nothing done.
fn refused(headers: &HeaderMap) -> Response {
    let t = Lang::negotiate(None, headers);
    notice(
        headers,
        t,
        StatusCode::FORBIDDEN,
        "console-csrf-title",
        t.t("console-csrf"),
        None,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

/// A console page: never cached, never stored.
pub(super) fn page_response(
    headers: &HeaderMap,
    page: impl Template,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let mut response = html(headers, page, "Accept-Language")?;
    *response.status_mut() = status;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

/// An uploaded image file as the data URI the service checks (its bytes decide what it is:
/// `Image::from_data_uri` refuses anything but a PNG or an SVG).
pub(super) fn uploaded_image(bytes: &[u8]) -> String {
    use base64::Engine;
    let mime = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/svg+xml"
    };
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The confirmation of a file previewed in a dry run: the upload it names.
#[derive(Debug, Deserialize)]
pub(super) struct UploadConfirm {
    csrf: Option<String>,
    upload: Option<String>,
    lang: Option<String>,
}

impl UploadConfirm {
    /// The language asked and the upload named, once the form is known to come from
    /// `session` (else the refusal to answer).
    fn checked(
        self,
        session: &AdminSession,
        headers: &HeaderMap,
    ) -> Result<(Lang, String), Box<Response>> {
        if !from_session(session, self.csrf.as_deref()) {
            return Err(Box::new(refused(headers)));
        }
        let t = Lang::negotiate(self.lang.as_deref(), headers);
        Ok((t, self.upload.unwrap_or_default()))
    }
}

/// The file of a posted upload form (`field`) and its name, once the form is known to come
/// from `session` (else the refusal to answer).
pub(super) async fn posted_file(
    form: axum::extract::Multipart,
    session: &AdminSession,
    headers: &HeaderMap,
    field: &str,
    default_name: &str,
) -> Result<Result<(Vec<u8>, String), Response>, ApiError> {
    let (mut fields, files) = crate::http::extract::form_fields_and_files(form).await?;
    let csrf = fields
        .remove("csrf")
        .map(|v| String::from_utf8_lossy(&v).into_owned());
    if !from_session(session, csrf.as_deref()) {
        return Ok(Err(refused(headers)));
    }
    let name = files
        .get(field)
        .cloned()
        .unwrap_or_else(|| default_name.to_string());
    Ok(Ok((fields.remove(field).unwrap_or_default(), name)))
}

/// Whether a form posted in `session` carries its CSRF token.
fn from_session(session: &AdminSession, token: Option<&str>) -> bool {
    token.is_some_and(|token| same_token(&session.csrf, token))
}

async fn signin_form(Query(q): Query<LangQuery>, headers: HeaderMap) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = SigninPage {
        t,
        switch_url: switch("/admin/connexion", t),
    };
    Ok(private(html(&headers, page, "Accept-Language")?))
}

#[derive(Debug, Deserialize)]
struct AskLink {
    email: Option<String>,
    lang: Option<String>,
}

async fn ask_link(
    State(app): State<Insigne>,
    client: Option<axum::Extension<crate::http::edge::ClientAddr>>,
    headers: HeaderMap,
    Form(form): Form<AskLink>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(form.lang.as_deref(), &headers);
    let client = crate::http::edge::ClientAddr::label(client);
    let address = form.email.unwrap_or_default();
    match app.request_admin_signin(&address, &client, t).await? {
        SigninRequest::Accepted => notice(
            &headers,
            t,
            StatusCode::OK,
            "console-sent-title",
            t.t_count("console-sent", "minutes", ADMIN_SIGNIN_MINUTES),
            None,
        ),
        SigninRequest::RateLimited => notice(
            &headers,
            t,
            StatusCode::TOO_MANY_REQUESTS,
            "console-limited-title",
            t.t("console-limited"),
            None,
        ),
    }
}

fn expired(headers: &HeaderMap, t: Lang) -> Result<Response, ApiError> {
    notice(
        headers,
        t,
        StatusCode::GONE,
        "console-expired-title",
        t.t("console-expired"),
        None,
    )
}

/// Opening the link shows a button: mail scanners that fetch links do not use it up.
async fn confirm(
    State(app): State<Insigne>,
    Path(secret): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let secret: String = secret
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if !app.admin_link_is_live(&secret).await? {
        return expired(&headers, t);
    }
    notice(
        &headers,
        t,
        StatusCode::OK,
        "console-confirm-title",
        t.t("console-confirm"),
        Some(secret),
    )
}

async fn sign_in(
    State(app): State<Insigne>,
    Path(secret): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    match app.exchange_admin_signin(&secret).await? {
        Some(opened) => {
            tracing::info!("a console session was opened");
            let actor = crate::service::Actor::Console(opened.email.clone());
            app.audit(&actor, "console sign-in", None, None).await?;
            let dashboard = match q.lang {
                Some(_) => format!("/admin?lang={}", t.code()),
                None => "/admin".into(),
            };
            let mut response = Redirect::to(&dashboard).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                set_admin_cookie(&app, &opened.secret, ADMIN_SESSION_HOURS * 3600),
            );
            Ok(private(response))
        }
        None => expired(&headers, t),
    }
}

/// A form that carries nothing but the session's CSRF token (a button).
#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn sign_out(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !from_session(&session, form.csrf.as_deref()) {
        return refused(&headers);
    }
    if let Some(secret) = admin_cookie(&headers) {
        let actor = crate::service::Actor::Console(session.email.clone());
        let done = async {
            app.admin_sign_out(&secret).await?;
            app.audit(&actor, "console sign-out", None, None).await
        };
        if let Err(e) = done.await {
            return ApiError::from(e).into_response();
        }
    }
    let mut response = Redirect::to("/admin/connexion").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_admin_cookie(&app, "", 0));
    private(response)
}

async fn dashboard(
    State(app): State<Insigne>,
    ConsoleUser(session): ConsoleUser,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    if session.role != crate::auth::Role::Admin {
        // A tutor's console is the requests they review.
        let to = match q.lang {
            Some(_) => format!("/admin/demandes?lang={}", t.code()),
            None => "/admin/demandes".into(),
        };
        return Ok(private(Redirect::to(&to).into_response()));
    }
    let d = app.dashboard().await?;
    let count = |key: &str, n: i64| Figure {
        label: t.t(key),
        value: n.to_string(),
    };
    let failed = d.status.outbox.get("failed").copied().unwrap_or_default();
    let figures = vec![
        count("console-awards-week", d.awards_week),
        count("console-awards-total", d.awards_total),
        count("console-trainers", d.trainers),
        count("console-waiting", d.status.evaluations.waiting),
        count("console-requests-waiting", d.requests_waiting),
        count("console-notifications-failed", failed),
    ];
    let last_import = d.status.last_import.map(|i| {
        t.t_with(
            if i.source == crate::service::ATTENDANCE_SOURCE {
                "console-last-import-attendance"
            } else {
                "console-last-import"
            },
            &[
                ("source", &i.source),
                ("date", &i.started_at),
                ("completions", &i.completions_new.to_string()),
                ("awards", &i.awards_issued.to_string()),
            ],
        )
    });
    let syncs = d
        .syncs
        .iter()
        .map(|s| {
            t.t_with(
                "console-sync",
                &[("date", &s.started_at), ("status", s.status.as_str())],
            )
        })
        .collect();
    let page = DashboardPage {
        t,
        switch_url: switch("/admin", t),
        signed_in: t.t_with("console-signed-in", &[("email", &session.email)]),
        csrf: session.csrf,
        figures,
        last_import,
        syncs,
    };
    let mut response = html(&headers, page, "Accept-Language")?;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

#[derive(Debug, Default, Deserialize)]
struct JournalQuery {
    actor: Option<String>,
    action: Option<String>,
    lang: Option<String>,
}

impl JournalQuery {
    fn actor(&self) -> Option<&str> {
        self.actor
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn action(&self) -> Option<&str> {
        self.action
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The filters as a query string, for the CSV link.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("actor", self.actor().unwrap_or_default())
            .append_pair("action", self.action().unwrap_or_default())
            .finish()
    }
}

#[derive(Template)]
#[template(path = "console_journal.html")]
struct JournalPage {
    t: Lang,
    switch_url: String,
    actor: String,
    action: String,
    csv_url: String,
    entries: Vec<crate::service::AuditView>,
}

/// The audit log: who did what and when, the latest first, filtered by actor and action.
async fn journal(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<JournalQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let entries = app.audit_log(q.actor(), q.action()).await?;
    let page = JournalPage {
        t,
        switch_url: switch("/admin/journal", t),
        actor: q.actor().unwrap_or_default().to_string(),
        action: q.action().unwrap_or_default().to_string(),
        csv_url: format!("/admin/journal.csv?{}", q.query()),
        entries,
    };
    let mut response = html(&headers, page, "Accept-Language")?;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

async fn journal_csv(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<JournalQuery>,
) -> Result<Response, ApiError> {
    let csv = app.audit_csv(q.actor(), q.action()).await?;
    Ok(private(
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"journal-insigne.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
    ))
}
