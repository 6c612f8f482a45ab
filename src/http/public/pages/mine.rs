//! "Mes badges": a trainer signs in with a link sent by email and sees all their badges, makes
//! each public or private, downloads their data or has it erased. Plain forms, no JavaScript;
//! the session cookie is HttpOnly and SameSite=Lax, so no other site can post these forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{content_lang, html, private, LangQuery, SigninNotice};
use crate::auth::extract::{signed_in, Trainer};
use crate::auth::session::{session_cookie, set_cookie};
use crate::domain::{AwardId, EmailAddress};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::{Insigne, SigninRequest, SESSION_HOURS, SIGNIN_MINUTES};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/mes-badges", get(mine))
        .route("/mes-badges/connexion", post(ask_link))
        .route("/mes-badges/connexion/{secret}", get(confirm).post(sign_in))
        .route("/mes-badges/deconnexion", post(sign_out))
        .route("/mes-badges/badges/{id}/visibilite", post(visibility))
        .route("/mes-badges/donnees.json", get(export))
        .route("/mes-badges/effacement", post(erase))
        .merge(super::consent::router())
}

#[derive(Template)]
#[template(path = "mine_signin.html")]
pub(super) struct SigninPage {
    pub t: Lang,
    pub switch_url: String,
    /// Where the link leads once used (a consent page waiting), carried by the form.
    pub retour: Option<String>,
    /// What is waiting for the trainer, said above the form.
    pub waiting: Option<String>,
}

/// A platform the trainer authorised, for the page.
struct PlatformRow {
    id: String,
    name: String,
    uri: Option<String>,
    scopes: Vec<String>,
    granted_on: String,
    last_used: String,
}

struct BadgeRow {
    id: String,
    name: String,
    image: String,
    issuer: String,
    issued_on: String,
    status: String,
    status_class: &'static str,
    private: bool,
    visibility: String,
    page: String,
    png: String,
    svg: String,
    credential: String,
    /// Neither revoked nor expired: a wallet may receive it.
    deliverable: bool,
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    signed_in: String,
    badges: Vec<BadgeRow>,
    progress: Vec<ProgressRow>,
    platforms: Vec<PlatformRow>,
    on_request: Vec<RequestableRow>,
}

/// A badge earned by evidence, and where the trainer stands with it.
struct RequestableRow {
    code: String,
    name: String,
    criteria: String,
    /// Held already: nothing to ask.
    held: bool,
    /// The request under way (or the last one): its page and status in words.
    request: Option<(String, String)>,
    /// Whether a new request may start (none under way, what it needs first done).
    can_start: bool,
    /// What it needs first is not done yet.
    not_ready: bool,
}

/// A badge being earned, for the page.
struct ProgressRow {
    badge: String,
    done: Vec<String>,
    remaining: Vec<String>,
    /// "2 more of these" for an "at least" rule, empty when all remain to do.
    needed: Option<String>,
}

fn switch(t: Lang) -> String {
    format!("/mes-badges?lang={}", t.other().code())
}

pub(super) fn notice(
    headers: &HeaderMap,
    t: Lang,
    status: StatusCode,
    title: &str,
    text: String,
    confirm: Option<String>,
) -> Result<Response, ApiError> {
    let mut response = html(
        headers,
        SigninNotice {
            t,
            switch_url: switch(t),
            title: t.t(title),
            text,
            confirm_action: confirm.map(|secret| format!("/mes-badges/connexion/{secret}")),
            confirm_label: t.t("mine-confirm-button"),
            back_url: format!("/mes-badges?lang={}", t.code()),
            back_label: t.t("mine-title"),
        },
        "Accept-Language",
    )?;
    *response.status_mut() = status;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

fn back_to_list() -> Response {
    private(Redirect::to("/mes-badges").into_response())
}

async fn mine(
    State(app): State<Insigne>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let Some(email) = signed_in(&app, &headers).await? else {
        let page = html(
            &headers,
            SigninPage {
                t,
                switch_url: switch(t),
                retour: None,
                waiting: None,
            },
            "Accept-Language",
        )?;
        return Ok(private(page));
    };
    let now = app.clock.now();
    let mut badges = Vec::new();
    for owned in app.my_badges(&email).await? {
        let a = &owned.stored.award;
        let class = app.badge_class(a.badge_class).await?;
        let issuer = app.issuer(class.issuer).await?;
        let (status_class, status) = super::status_words(a, now, t);
        badges.push(BadgeRow {
            id: a.id.to_string(),
            name: class.name,
            image: app.urls.badge_class_image(class.id),
            issuer: issuer.name,
            issued_on: t.date(a.issued_on),
            status,
            status_class,
            private: owned.private,
            visibility: t.t(if owned.private {
                "mine-private"
            } else {
                "mine-public"
            }),
            page: app.urls.badge_page(a.id),
            png: app.urls.baked_png(a.id),
            svg: app.urls.baked_svg(a.id),
            credential: app.urls.credential(a.id),
            deliverable: a.is_current(now),
        });
    }
    let address = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    let progress = app
        .progress(&address)
        .await?
        .into_iter()
        .map(|p| ProgressRow {
            needed: (p.needed < p.remaining.len())
                .then(|| t.t_count("mine-progress-needed", "count", p.needed as i64)),
            badge: p.badge,
            done: p.done,
            remaining: p.remaining,
        })
        .collect();
    let on_request = app
        .requestable_badges(&address)
        .await?
        .into_iter()
        .map(|b| {
            let open = b
                .request
                .as_ref()
                .filter(|r| r.status != crate::storage::RequestStatus::Refused);
            RequestableRow {
                request: b.request.as_ref().map(|r| {
                    (
                        format!("/mes-badges/demandes/{}?lang={}", r.id, t.code()),
                        super::requests::status_words(r.status, t).1,
                    )
                }),
                can_start: !b.held && open.is_none() && b.ready,
                not_ready: !b.held && open.is_none() && !b.ready,
                held: b.held,
                code: b.code,
                name: b.name,
                criteria: b.criteria,
            }
        })
        .collect();
    let platforms = app
        .platforms_of(&email)
        .await?
        .into_iter()
        .map(|p| PlatformRow {
            id: p.id,
            name: p.client_name,
            uri: p.client_uri,
            scopes: super::consent::scope_words(p.scopes, t),
            granted_on: t.date(p.granted_at),
            last_used: match p.last_used_at {
                Some(at) => t.date(at),
                None => t.t("mine-platform-never-used"),
            },
        })
        .collect();
    let page = html(
        &headers,
        MinePage {
            on_request,
            platforms,
            t,
            switch_url: switch(t),
            content_lang: content_lang(t),
            signed_in: t.t_with("mine-signed-in", &[("email", &email)]),
            badges,
            progress,
        },
        "Accept-Language, Cookie",
    )?;
    Ok(private(page))
}

#[derive(Deserialize)]
struct AskLink {
    email: Option<String>,
    lang: Option<String>,
    /// A local path of "mes badges" to land on once signed in; anything else is ignored.
    retour: Option<String>,
}

/// `?retour=` on the sign-in link, kept only when it is a local path of "mes badges".
#[derive(Debug, Default, Deserialize)]
struct ReturnQuery {
    lang: Option<String>,
    retour: Option<String>,
}

impl ReturnQuery {
    fn target(&self) -> Option<&str> {
        self.retour
            .as_deref()
            .and_then(crate::service::local_return)
    }
}

/// The same answer whatever the address: known, unknown or malformed.
async fn ask_link(
    State(app): State<Insigne>,
    client: Option<axum::Extension<crate::http::edge::ClientAddr>>,
    headers: HeaderMap,
    Form(form): Form<AskLink>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(form.lang.as_deref(), &headers);
    let client = crate::http::edge::ClientAddr::label(client);
    let address = form.email.unwrap_or_default();
    let retour = form
        .retour
        .as_deref()
        .and_then(crate::service::local_return);
    match app.request_signin(&address, &client, t, retour).await? {
        SigninRequest::Accepted => notice(
            &headers,
            t,
            StatusCode::OK,
            "mine-sent-title",
            t.t_count("mine-sent", "minutes", SIGNIN_MINUTES),
            None,
        ),
        SigninRequest::RateLimited => notice(
            &headers,
            t,
            StatusCode::TOO_MANY_REQUESTS,
            "mine-limited-title",
            t.t("mine-limited"),
            None,
        ),
    }
}

/// Opening the link shows a button: mail scanners that fetch links do not use it up.
async fn confirm(
    Path(secret): Path<String>,
    Query(q): Query<ReturnQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let mut secret: String = secret
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if let Some(target) = q.target() {
        secret.push_str("?retour=");
        secret.extend(url::form_urlencoded::byte_serialize(target.as_bytes()));
    }
    notice(
        &headers,
        t,
        StatusCode::OK,
        "mine-confirm-title",
        t.t("mine-confirm"),
        Some(secret),
    )
}

async fn sign_in(
    State(app): State<Insigne>,
    Path(secret): Path<String>,
    Query(q): Query<ReturnQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(None, &headers);
    match app.exchange_signin(&secret).await? {
        Some(session) => {
            let mut response = match q.target() {
                Some(target) => private(Redirect::to(target).into_response()),
                None => back_to_list(),
            };
            response.headers_mut().insert(
                header::SET_COOKIE,
                set_cookie(&app, &session, SESSION_HOURS * 3600),
            );
            Ok(response)
        }
        None => notice(
            &headers,
            t,
            StatusCode::GONE,
            "mine-expired-title",
            t.t("mine-expired"),
            None,
        ),
    }
}

async fn sign_out(State(app): State<Insigne>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        app.sign_out(&secret).await?;
    }
    let mut response = back_to_list();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&app, "", 0));
    Ok(response)
}

#[derive(Deserialize)]
struct Visibility {
    private: Option<String>,
}

async fn visibility(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Visibility>,
) -> Result<Response, ApiError> {
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let id: AwardId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no badge with id {raw}")))?;
    let private = form.private.as_deref() == Some("1");
    app.set_badge_private(&email, id, private).await?;
    Ok(back_to_list())
}

async fn export(State(app): State<Insigne>, Trainer(email): Trainer) -> Result<Response, ApiError> {
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    let data = app.export_trainer(&email).await?;
    let body = serde_json::to_string_pretty(&data).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(private(
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"mes-donnees-insigne.json\"",
                ),
            ],
            body,
        )
            .into_response(),
    ))
}

#[derive(Deserialize)]
struct Erase {
    confirm: Option<String>,
}

async fn erase(
    State(app): State<Insigne>,
    headers: HeaderMap,
    Form(form): Form<Erase>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(None, &headers);
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    if form.confirm.as_deref() != Some("oui") {
        return notice(
            &headers,
            t,
            StatusCode::UNPROCESSABLE_ENTITY,
            "mine-erase-title",
            t.t("mine-erase-unconfirmed"),
            None,
        );
    }
    let email = EmailAddress::parse(&email).map_err(ApiError::internal)?;
    let count = app.erase_trainer(&email).await?.badges_revoked;
    let mut response = notice(
        &headers,
        t,
        StatusCode::OK,
        "mine-erased-title",
        t.t_count("mine-erased", "count", count as i64),
        None,
    )?;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&app, "", 0));
    Ok(response)
}
