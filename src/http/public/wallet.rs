//! The wallet side of a delivery: a VC-API exchange as the Learner Credential Wallet follows it.
//! `GET <exchange>?iuv=1` (JSON) names the protocols; `POST {}` answers a DIDAuthentication
//! request; `POST {"verifiablePresentation": …}` answers the credential issued to the proven
//! holder. The older deep link posts the bare presentation: it is answered the same way.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::pages::wallet::wallet_error;
use super::pages::{html, private, wants_html, SigninNotice};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::Insigne;

/// A DIDAuth presentation is a few kilobytes; anything far larger is not one.
pub const EXCHANGE_BODY_MAX_BYTES: usize = 64 * 1024;

pub fn router() -> Router<Insigne> {
    Router::new().route("/wallet/exchanges/{id}", get(interaction).post(exchange))
}

#[derive(Deserialize)]
struct Interaction {
    iuv: Option<String>,
    lang: Option<String>,
}

/// The interaction URL. A wallet (JSON) learns that the exchange speaks VC-API; a person who
/// opened it in a browser is told to scan it with their wallet instead.
async fn interaction(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    Query(q): Query<Interaction>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let open = app.open_wallet_exchange(&id).await;
    if wants_html(&headers) {
        let t = Lang::negotiate(q.lang.as_deref(), &headers);
        let (title, text) = match open {
            Ok(_) => ("wallet-interaction-title", "wallet-interaction-text"),
            Err(_) => ("wallet-interaction-title", "wallet-interaction-closed"),
        };
        let page = html(
            &headers,
            SigninNotice {
                t,
                switch_url: format!("?iuv=1&lang={}", t.other().code()),
                title: t.t(title),
                text: t.t(text),
                confirm_action: None,
                confirm_label: String::new(),
                back_url: "/mes-badges".into(),
                back_label: t.t("mine-title"),
            },
            "Accept, Accept-Language",
        )?;
        return Ok(private(page));
    }
    let exchange = open.map_err(wallet_error)?;
    if q.iuv.as_deref() != Some("1") {
        return Err(ApiError::BadField {
            field: "iuv".into(),
            message: "a wallet asks for the interaction with ?iuv=1".into(),
        });
    }
    let body = json!({"protocols": {"vcapi": app.urls.wallet_exchange(&exchange.id)}});
    Ok(private(Json(body).into_response()))
}

/// A step of the exchange.
async fn exchange(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
    if !json_type {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    if body.len() > EXCHANGE_BODY_MAX_BYTES {
        return Err(ApiError::TooLarge(1));
    }
    let request: Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadJson(e.to_string()))?;
    let Value::Object(fields) = &request else {
        return Err(ApiError::BadField {
            field: "body".into(),
            message: "an exchange step is a JSON object".into(),
        });
    };
    let is_presentation = |v: &Value| match &v["type"] {
        Value::String(t) => t == "VerifiablePresentation",
        Value::Array(ts) => ts.iter().any(|t| t == "VerifiablePresentation"),
        _ => false,
    };
    let (presentation, wrapped) = match fields.get("verifiablePresentation") {
        Some(vp) => (vp.clone(), true),
        None if is_presentation(&request) => (request.clone(), false),
        None => {
            // The first step: what the exchange needs from the wallet.
            let exchange = app.open_wallet_exchange(&id).await.map_err(wallet_error)?;
            let vpr = app.did_auth_request(&exchange);
            return Ok(private(Json(vpr).into_response()));
        }
    };
    let delivered = app
        .complete_vcapi_exchange(&id, presentation)
        .await
        .map_err(wallet_error)?;
    let answer = json!({
        "@context": [crate::formats::contexts::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [delivered.credential],
    });
    let body = if wrapped {
        json!({"verifiablePresentation": answer})
    } else {
        answer
    };
    Ok(private(Json(body).into_response()))
}
