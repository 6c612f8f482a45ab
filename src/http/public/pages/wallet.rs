//! "Ajouter à mon portefeuille": the signed-in trainer starts a delivery of one of their badges
//! and sees how to take it into a wallet (a QR code and a link for the Learner Credential
//! Wallet, another pair for wallets speaking OpenID4VCI). The protocols themselves are in
//! `http::public::wallet`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::{content_lang, html, private, LangQuery};
use crate::auth::extract::signed_in;
use crate::domain::{AwardId, EmailAddress};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::{Insigne, WalletError, EXCHANGE_MINUTES};
use crate::storage::WalletExchange;

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/mes-badges/badges/{id}/portefeuille", post(start))
        .route("/mes-badges/portefeuille/{exchange}", get(page))
        .route("/mes-badges/portefeuille/{exchange}/{code}", get(qr))
}

/// The older Learner Credential Wallet deep link: the wallet posts its signed presentation,
/// carrying `challenge`, straight to `vc_request_url`.
const LCW_REQUEST: &str = "https://lcw.app/request.html";

#[derive(Template)]
#[template(path = "mine_wallet.html")]
struct WalletPage {
    t: Lang,
    switch_url: String,
    content_lang: Option<&'static str>,
    badge: String,
    state: &'static str,
    delivered: String,
    lcw_qr: String,
    lcw_link: String,
    offer_qr: String,
    offer_link: String,
    valid_for: String,
    retry_action: String,
    here: String,
    interaction: String,
}

/// The signed-in trainer's address; `None` sends them to the sign-in page.
async fn trainer(app: &Insigne, headers: &HeaderMap) -> Result<Option<EmailAddress>, ApiError> {
    match signed_in(app, headers).await? {
        Some(email) => Ok(Some(
            EmailAddress::parse(&email).map_err(ApiError::internal)?,
        )),
        None => Ok(None),
    }
}

fn to_sign_in() -> Response {
    private(Redirect::to("/mes-badges").into_response())
}

pub(crate) fn wallet_error(e: WalletError) -> ApiError {
    match e {
        WalletError::Unknown => ApiError::NotFound("no such exchange".into()),
        WalletError::Used | WalletError::Expired | WalletError::NotDeliverable(_) => {
            ApiError::Gone(e.to_string())
        }
        WalletError::Refused(_) => ApiError::BadField {
            field: "verifiablePresentation".into(),
            message: e.to_string(),
        },
        WalletError::TooMany => ApiError::TooManyRequests(e.to_string()),
        WalletError::Service(e) => e.into(),
    }
}

/// POST (a form on "mes badges" and on the badge page): a new exchange, then its page.
async fn start(
    State(app): State<Insigne>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(email) = trainer(&app, &headers).await? else {
        return Ok(to_sign_in());
    };
    let award: AwardId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no badge with id {raw}")))?;
    let refusal = match app.start_wallet_exchange(&email, award).await {
        Ok(exchange) => {
            return Ok(private(
                Redirect::to(&format!("/mes-badges/portefeuille/{}", exchange.id)).into_response(),
            ))
        }
        Err(WalletError::NotDeliverable(_)) => (StatusCode::GONE, "wallet-not-deliverable"),
        Err(WalletError::TooMany) => (StatusCode::TOO_MANY_REQUESTS, "wallet-too-many"),
        Err(e) => return Err(wallet_error(e)),
    };
    // A person pressed the button: they get a page in their language, not a JSON error.
    let t = Lang::negotiate(None, &headers);
    super::mine::notice(&headers, t, refusal.0, "wallet-title", t.t(refusal.1), None)
}

fn lcw_deep_link(app: &Insigne, exchange: &WalletExchange) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("issuer", app.urls.base())
        .append_pair("auth_type", "bearer")
        .append_pair("challenge", &exchange.challenge)
        .append_pair("vc_request_url", &app.urls.wallet_exchange(&exchange.id))
        .finish();
    format!("{LCW_REQUEST}?{query}")
}

/// The `openid-credential-offer://` link of an exchange (the offer by reference).
pub(crate) fn offer_link(app: &Insigne, exchange: &str) -> String {
    let mut url = String::from("openid-credential-offer://?credential_offer_uri=");
    url.push_str(
        &url::form_urlencoded::byte_serialize(app.urls.credential_offer(exchange).as_bytes())
            .collect::<String>(),
    );
    url
}

async fn page(
    State(app): State<Insigne>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let Some(email) = trainer(&app, &headers).await? else {
        return Ok(to_sign_in());
    };
    let exchange = app
        .my_wallet_exchange(&email, &id)
        .await
        .map_err(wallet_error)?;
    let stored = app.award(exchange.award).await?;
    let class = app.badge_class(stored.award.badge_class).await?;
    let now = app.clock.now();
    let state = if exchange.completed_at.is_some() {
        "delivered"
    } else if exchange.expires_at <= now {
        "expired"
    } else {
        "open"
    };
    let delivered = match (&exchange.completed_at, &exchange.holder) {
        (Some(at), Some(holder)) => t.t_with(
            "wallet-delivered",
            &[("date", &t.date(*at)), ("holder", holder)],
        ),
        _ => String::new(),
    };
    let base = format!("/mes-badges/portefeuille/{}", exchange.id);
    let page = html(
        &headers,
        WalletPage {
            t,
            switch_url: format!("{base}?lang={}", t.other().code()),
            content_lang: content_lang(t),
            badge: class.name,
            state,
            delivered,
            lcw_qr: format!("{base}/vcapi.svg"),
            lcw_link: lcw_deep_link(&app, &exchange),
            offer_qr: format!("{base}/oid4vci.svg"),
            offer_link: offer_link(&app, &exchange.id),
            valid_for: t.t_count("wallet-valid-for", "minutes", EXCHANGE_MINUTES),
            retry_action: format!("/mes-badges/badges/{}/portefeuille", exchange.award),
            here: format!("{base}?lang={}", t.code()),
            interaction: app.urls.wallet_interaction(&exchange.id),
        },
        "Accept-Language, Cookie",
    )?;
    Ok(private(page))
}

/// The QR code of the exchange's interaction URL (`vcapi.svg`) or of its credential offer
/// (`oid4vci.svg`), for its trainer only.
async fn qr(
    State(app): State<Insigne>,
    Path((id, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(email) = trainer(&app, &headers).await? else {
        return Err(ApiError::NotFound("no such exchange".into()));
    };
    let exchange = app
        .my_wallet_exchange(&email, &id)
        .await
        .map_err(wallet_error)?;
    let target = match code.as_str() {
        "vcapi.svg" => app.urls.wallet_interaction(&exchange.id),
        "oid4vci.svg" => offer_link(&app, &exchange.id),
        _ => return Err(ApiError::NotFound(format!("no {code} here"))),
    };
    let svg = super::badge::qr_svg(&target)
        .ok_or_else(|| ApiError::internal("the exchange address does not fit a QR code"))?;
    Ok(private(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "image/svg+xml")],
            svg,
        )
            .into_response(),
    ))
}
