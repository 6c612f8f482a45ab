//! The signing keys in the console: what the key ring holds (ids, algorithms, dates, status,
//! what each key signs; never anything private), and the replacement of the active keys after
//! a confirmation, through the same rotation as `insigne keys rotate`, recorded in the audit log.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::{from_session, page_response, refused, switch, CsrfForm};
use crate::auth::ConsoleAdmin;
use crate::domain::clock::rfc3339;
use crate::formats::ob3::identity::DidMethod;
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::proof::{di, KeyAlgorithm, KeyInfo, KeyStatus};
use crate::service::{Actor, Insigne};

/// One key as the list shows it: public facts only.
struct KeyRow {
    algorithm: String,
    kid: String,
    /// Where a verifier finds the key: for which proof, and under which identifier.
    methods: Vec<(String, String)>,
    created: String,
    created_at: String,
    active: bool,
    status: String,
    signs: Vec<String>,
}

#[derive(Template)]
#[template(path = "console_keys.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    rows: Vec<KeyRow>,
    jwks_url: String,
    rotate_url: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console_keys_rotate.html")]
struct ConfirmPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    action: String,
    back_url: String,
    active: Vec<KeyRow>,
    /// Why the previous attempt failed, when it did.
    error: Option<String>,
}

fn row(app: &Insigne, t: Lang, key: &KeyInfo) -> KeyRow {
    let issuer_did = t.t("console-keys-issuer-did");
    let (algorithm, methods, signs) = match key.algorithm {
        KeyAlgorithm::Ed25519 => {
            let method = match app.did_method {
                DidMethod::Web => format!("{issuer_did}#{}", key.kid),
                DidMethod::Key => app
                    .keys()
                    .ed25519_public(&key.kid)
                    .map(|public| {
                        let multibase = di::ed25519_multibase(&public);
                        format!("did:key:{multibase}#{multibase}")
                    })
                    .unwrap_or_else(|| key.kid.clone()),
            };
            (
                t.t("console-keys-ed25519"),
                vec![("Data Integrity".to_string(), method)],
                vec![
                    t.t("console-keys-signs-ob3-di"),
                    t.t("console-keys-signs-status"),
                ],
            )
        }
        KeyAlgorithm::RS256 => {
            let jwt = match app.did_method {
                DidMethod::Web => format!("{issuer_did}#{}", key.kid),
                DidMethod::Key => format!("{}#{}", app.urls.jwks(), key.kid),
            };
            let ob2 = format!(
                "{}/issuers/{}/keys/{}",
                app.urls.base(),
                t.t("console-keys-issuer-id"),
                key.kid
            );
            (
                t.t("console-keys-rs256"),
                vec![
                    ("Open Badges 2.0".to_string(), ob2),
                    ("VC-JWT".to_string(), jwt),
                ],
                vec![
                    t.t("console-keys-signs-ob2"),
                    t.t("console-keys-signs-ob3-jwt"),
                ],
            )
        }
    };
    let active = key.status == KeyStatus::Active;
    KeyRow {
        algorithm,
        kid: key.kid.clone(),
        methods,
        created: t.date(key.created),
        created_at: rfc3339(key.created),
        active,
        status: t.t(if active {
            "console-keys-active"
        } else {
            "console-keys-retired"
        }),
        signs,
    }
}

/// The keys, active ones first, then the retired ones from the newest.
fn rows(app: &Insigne, t: Lang) -> Vec<KeyRow> {
    let mut keys = app.signing_keys();
    keys.reverse();
    keys.sort_by_key(|k| k.status != KeyStatus::Active);
    keys.iter().map(|k| row(app, t, k)).collect()
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    lang: Option<String>,
    /// Set by the redirect that follows a rotation.
    remplacees: Option<String>,
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = ListPage {
        t,
        switch_url: switch("/admin/cles", t),
        rows: rows(&app, t),
        jwks_url: app.urls.jwks(),
        rotate_url: format!("/admin/cles/remplacer?lang={}", t.code()),
        notice: q.remplacees.map(|_| t.t("console-keys-rotated")),
    };
    page_response(&headers, page, StatusCode::OK)
}

fn confirm_page(app: &Insigne, t: Lang, csrf: String, error: Option<String>) -> ConfirmPage {
    ConfirmPage {
        t,
        switch_url: switch("/admin/cles/remplacer", t),
        csrf,
        action: format!("/admin/cles/remplacer?lang={}", t.code()),
        back_url: format!("/admin/cles?lang={}", t.code()),
        active: rows(app, t).into_iter().filter(|r| r.active).collect(),
        error,
    }
}

/// What replacing the keys does, said before it is done.
pub(super) async fn confirm(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    page_response(
        &headers,
        confirm_page(&app, t, session.csrf, None),
        StatusCode::OK,
    )
}

pub(super) async fn rotate(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    match app.rotate_keys().await {
        Ok(made) => {
            tracing::info!(kids = %crate::service::key_ids(&made), "the active keys were replaced from the console");
            let actor = Actor::Console(session.email.clone());
            app.audit(
                &actor,
                "keys rotate",
                Some(&crate::service::key_ids(&made)),
                None,
            )
            .await?;
            Ok(private(
                Redirect::to(&format!("/admin/cles?lang={}&remplacees=1", t.code()))
                    .into_response(),
            ))
        }
        Err(e) => {
            // The cause (a folder that cannot be written, say) is for the operator's log; the
            // page says that nothing changed.
            tracing::error!(error = %chain(&e), "the active keys could not be replaced");
            let page = confirm_page(
                &app,
                t,
                session.csrf,
                Some(t.t("console-keys-rotate-failed")),
            );
            page_response(&headers, page, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// An error with every cause of its chain.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
