//! API tokens in the console: the list (never a token or its hash), a new token shown once on
//! the answer to its form, and revocation after a confirmation. Each change goes to the audit
//! log, never with the token.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{from_session, page_response, refused, switch, CsrfForm};
use crate::auth::{ConsoleAdmin, Scope};
use crate::domain::clock::rfc3339;
use crate::domain::{FieldError, TokenId};
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::{token_audit_detail, Actor, Insigne, TokenRevocation, TOKEN_LABEL_MAX};
use crate::storage::StoredToken;

struct Row {
    id: String,
    /// As typed (in French, most likely); none: the page says so in its own language.
    label: Option<String>,
    label_words: String,
    scope: String,
    created: String,
    created_at: String,
    /// When it was revoked, in words and as a machine date.
    revoked: Option<(String, String)>,
    revoke_url: String,
}

#[derive(Template)]
#[template(path = "console_tokens.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    rows: Vec<Row>,
    /// The form's values, as entered after a refusal.
    label: String,
    scope: String,
    errors: Vec<FieldError>,
    notice: Option<String>,
    label_max: usize,
}

impl ListPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.problem.as_str())
    }
}

#[derive(Template)]
#[template(path = "console_tokens_created.html")]
struct CreatedPage {
    t: Lang,
    switch_url: String,
    token: String,
    created_for: String,
    back_url: String,
}

#[derive(Template)]
#[template(path = "console_tokens_revoke.html")]
struct RevokePage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    back_url: String,
    id: String,
    label: Option<String>,
    label_words: String,
    scope: String,
    created: String,
    created_at: String,
    revoked: bool,
}

fn scope_words(t: Lang, scope: Scope) -> String {
    t.t(match scope {
        Scope::Admin => "console-tokens-scope-admin",
        Scope::Ingest => "console-tokens-scope-ingest",
    })
}

fn label_of(t: Lang, token: &StoredToken) -> String {
    token
        .label
        .clone()
        .unwrap_or_else(|| t.t("console-tokens-no-label"))
}

fn row(t: Lang, token: &StoredToken) -> Row {
    Row {
        id: token.id.to_string(),
        label: token.label.clone(),
        label_words: label_of(t, token),
        scope: scope_words(t, token.scope),
        created: t.date(token.created_at),
        created_at: rfc3339(token.created_at),
        revoked: token.revoked_at.map(|at| (t.date(at), rfc3339(at))),
        revoke_url: format!("/admin/jetons/{}/revoquer?lang={}", token.id, t.code()),
    }
}

async fn list_page(
    app: &Insigne,
    t: Lang,
    csrf: String,
    form: TokenForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<ListPage, ApiError> {
    let rows = app.tokens().await?.iter().map(|k| row(t, k)).collect();
    Ok(ListPage {
        t,
        switch_url: switch("/admin/jetons", t),
        csrf,
        action: format!("/admin/jetons?lang={}", t.code()),
        rows,
        label: form.label.unwrap_or_default(),
        scope: form.scope.unwrap_or_else(|| Scope::Ingest.as_str().into()),
        errors,
        notice,
        label_max: TOKEN_LABEL_MAX,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    lang: Option<String>,
    /// Set by the redirect that follows a revocation.
    revoque: Option<String>,
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let notice = q.revoque.map(|_| t.t("console-tokens-revoked-notice"));
    let page = list_page(
        &app,
        t,
        session.csrf,
        TokenForm::default(),
        Vec::new(),
        notice,
    )
    .await?;
    page_response(&headers, page, StatusCode::OK)
}

#[derive(Default, Deserialize)]
pub(super) struct TokenForm {
    csrf: Option<String>,
    label: Option<String>,
    scope: Option<String>,
}

/// The form's own Debug: nothing in it is secret, but the CSRF token is the session's.
impl std::fmt::Debug for TokenForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenForm")
            .field("label", &self.label)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Makes a token and shows it, on this answer only: it is not stored, so no page shows it again.
pub(super) async fn create(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let label = form.label.as_deref().map(str::trim).unwrap_or_default();
    let scope = form.scope.as_deref().and_then(Scope::parse);
    let mut errors = Vec::new();
    if label.is_empty() {
        errors.push(FieldError::new(
            "label",
            t.t("console-tokens-label-missing"),
        ));
    } else if label.chars().count() > TOKEN_LABEL_MAX {
        errors.push(FieldError::new(
            "label",
            t.t_with(
                "console-tokens-label-long",
                &[("max", &TOKEN_LABEL_MAX.to_string())],
            ),
        ));
    }
    if scope.is_none() {
        errors.push(FieldError::new(
            "scope",
            t.t("console-tokens-scope-missing"),
        ));
    }
    let (Some(scope), true) = (scope, errors.is_empty()) else {
        let page = list_page(&app, t, session.csrf, form, errors, None).await?;
        return page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let token = app.issue_token(scope, Some(label)).await?;
    let actor = Actor::Console(session.email.clone());
    app.audit(
        &actor,
        "tokens create",
        Some(&token.id.to_string()),
        Some(&token_audit_detail(scope, Some(label))),
    )
    .await?;
    let page = CreatedPage {
        t,
        // The switch opens the list in the other language: the token is not shown again.
        switch_url: switch("/admin/jetons", t),
        token: token.secret,
        created_for: t.t_with(
            "console-tokens-created-for",
            &[("label", label), ("scope", &scope_words(t, scope))],
        ),
        back_url: format!("/admin/jetons?lang={}", t.code()),
    };
    page_response(&headers, page, StatusCode::CREATED)
}

fn token_id(raw: &str) -> Result<TokenId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no token with id {raw}")))
}

/// What revoking the token does, said before it is done.
pub(super) async fn confirm_revoke(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let token = app.token(token_id(&raw)?).await?;
    let page = RevokePage {
        t,
        switch_url: switch(&format!("/admin/jetons/{}/revoquer", token.id), t),
        csrf: session.csrf,
        action: format!("/admin/jetons/{}/revoquer?lang={}", token.id, t.code()),
        back_url: format!("/admin/jetons?lang={}", t.code()),
        id: token.id.to_string(),
        label: token.label.clone(),
        label_words: label_of(t, &token),
        scope: scope_words(t, token.scope),
        created: t.date(token.created_at),
        created_at: rfc3339(token.created_at),
        revoked: token.revoked_at.is_some(),
    };
    page_response(&headers, page, StatusCode::OK)
}

pub(super) async fn revoke(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = token_id(&raw)?;
    if app.revoke_token(id).await? == TokenRevocation::Revoked {
        let actor = Actor::Console(session.email.clone());
        app.audit(&actor, "tokens revoke", Some(&id.to_string()), None)
            .await?;
    }
    Ok(private(
        Redirect::to(&format!("/admin/jetons?lang={}&revoque=1", t.code())).into_response(),
    ))
}
