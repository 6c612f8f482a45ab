//! The consent page of the Open Badges 3.0 API, under "mes badges" (where the trainer's session
//! cookie is sent): the platform, what it asks for in words, "Autoriser" and "Refuser". A
//! trainer not signed in gets the sign-in form, whose link brings them back here. The form
//! carries an anti-CSRF value bound to the pending request and the trainer, on top of the
//! session cookie's SameSite=Lax. Withdrawing a platform's access is here too.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::mine::SigninPage;
use super::{html, private, LangQuery, SigninNotice, PAGE_POLICY};
use crate::auth::extract::signed_in;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::ob3_api::{ConsentAnswer, Scopes};
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route(
            "/mes-badges/autorisations/{id}",
            get(consent_page).post(answer),
        )
        .route("/mes-badges/plateformes/{id}/retrait", post(withdraw))
        .route(TERMS_PATH, get(terms))
}

/// The API's terms of use (`#conditions`) and what it does with the trainer's data
/// (`#donnees`), which the discovery document points at.
pub(crate) const TERMS_PATH: &str = "/api-open-badges";

#[derive(Template)]
#[template(path = "ob3_terms.html")]
struct TermsPage {
    t: Lang,
    switch_url: String,
}

async fn terms(Query(q): Query<LangQuery>, headers: HeaderMap) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    html(
        &headers,
        TermsPage {
            t,
            switch_url: format!("{TERMS_PATH}?lang={}", t.other().code()),
        },
        "Accept-Language",
    )
}

/// Where the authorization endpoint sends the trainer's browser for the request `id`.
pub(crate) fn consent_path(id: &str) -> String {
    format!("/mes-badges/autorisations/{id}")
}

/// What each scope allows, in words.
pub(crate) fn scope_words(scopes: Scopes, t: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if scopes.credentials {
        out.push(t.t("consent-scope-credentials"));
    }
    if scopes.profile {
        out.push(t.t("consent-scope-profile"));
    }
    out
}

#[derive(Template)]
#[template(path = "ob3_consent.html")]
struct ConsentPage {
    t: Lang,
    switch_url: String,
    asks: String,
    name: String,
    client_uri: Option<String>,
    logo_uri: Option<String>,
    policy_uri: Option<String>,
    tos_uri: Option<String>,
    redirect_host: String,
    scopes: Vec<String>,
    signed_in: String,
    action: String,
    csrf: String,
}

/// A page that says why nothing happened, with a way back.
pub(crate) fn refusal_page(
    headers: &HeaderMap,
    t: Lang,
    status: StatusCode,
    title: &str,
    text: &str,
    back: (String, String),
) -> Result<Response, ApiError> {
    let mut response = html(
        headers,
        SigninNotice {
            t,
            switch_url: format!("/mes-badges?lang={}", t.other().code()),
            title: t.t(title),
            text: t.t(text),
            confirm_action: None,
            confirm_label: String::new(),
            back_url: back.0,
            back_label: back.1,
        },
        "Accept-Language, Cookie",
    )?;
    *response.status_mut() = status;
    response.headers_mut().remove(header::ETAG);
    Ok(private(response))
}

fn to_mine(t: Lang) -> (String, String) {
    (format!("/mes-badges?lang={}", t.code()), t.t("mine-title"))
}

/// The page's policy, its form allowed to lead to the platform's redirection endpoint (browsers
/// apply `form-action` to the redirect that follows the POST).
fn consent_policy(redirect_uri: &str) -> Option<HeaderValue> {
    let origin = url::Url::parse(redirect_uri).ok()?.origin();
    if !origin.is_tuple() {
        return None;
    }
    let origin = origin.ascii_serialization();
    HeaderValue::from_str(&PAGE_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    ))
    .ok()
}

async fn consent_page(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let path = consent_path(&id);
    let Some(email) = signed_in(&app, &headers).await? else {
        let Some(platform) = app.pending_client_name(&id).await? else {
            return gone(&headers, t);
        };
        let page = html(
            &headers,
            SigninPage {
                t,
                switch_url: format!("{path}?lang={}", t.other().code()),
                retour: crate::service::local_return(&path).map(str::to_string),
                waiting: Some(t.t_with("consent-waiting", &[("platform", &platform)])),
            },
            "Accept-Language, Cookie",
        )?;
        return Ok(private(page));
    };
    let Some(view) = app.consent_view(&id, &email).await? else {
        return gone(&headers, t);
    };
    let redirect_host = url::Url::parse(&view.redirect_uri)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let policy = consent_policy(&view.redirect_uri);
    let client = view.client;
    let mut response = html(
        &headers,
        ConsentPage {
            t,
            switch_url: format!("{path}?lang={}", t.other().code()),
            asks: t.t_with("consent-asks", &[("platform", &client.client_name)]),
            name: client.client_name,
            client_uri: client.client_uri,
            logo_uri: client.logo_uri,
            policy_uri: client.policy_uri,
            tos_uri: client.tos_uri,
            redirect_host,
            scopes: scope_words(view.scopes, t),
            signed_in: t.t_with("mine-signed-in", &[("email", &email)]),
            action: path,
            csrf: view.csrf,
        },
        "Accept-Language, Cookie",
    )?;
    response.headers_mut().remove(header::ETAG);
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(private(response))
}

fn gone(headers: &HeaderMap, t: Lang) -> Result<Response, ApiError> {
    refusal_page(
        headers,
        t,
        StatusCode::GONE,
        "consent-gone-title",
        "consent-gone",
        to_mine(t),
    )
}

#[derive(Deserialize)]
struct Answer {
    csrf: Option<String>,
    decision: Option<String>,
}

async fn answer(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Answer>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(None, &headers);
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    let allow = match form.decision.as_deref() {
        Some("autoriser") => true,
        Some("refuser") => false,
        _ => {
            return Err(ApiError::BadField {
                field: "decision".into(),
                message: "decision must be autoriser or refuser".into(),
            })
        }
    };
    let csrf = form.csrf.unwrap_or_default();
    match app.answer_consent(&id, &email, &csrf, allow).await? {
        ConsentAnswer::Redirect(to) => {
            let mut response = (StatusCode::SEE_OTHER, ()).into_response();
            let location = HeaderValue::from_str(&to).map_err(ApiError::internal)?;
            response.headers_mut().insert(header::LOCATION, location);
            Ok(private(response))
        }
        ConsentAnswer::Gone => gone(&headers, t),
        ConsentAnswer::Forged => refusal_page(
            &headers,
            t,
            StatusCode::FORBIDDEN,
            "consent-forged-title",
            "consent-forged",
            to_mine(t),
        ),
    }
}

async fn withdraw(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(email) = signed_in(&app, &headers).await? else {
        return Err(ApiError::Unauthorized("sign in to \"mes badges\" first"));
    };
    app.withdraw_platform(&email, &id).await?;
    Ok(private(Redirect::to("/mes-badges").into_response()))
}
