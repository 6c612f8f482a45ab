//! Revoked, private and erased badges, and withdrawn platforms, behave as the README says and
//! as on the trainer's pages: a revoked badge is listed (its status list says revoked), a
//! private one is not, an erased trainer's tokens are gone, a withdrawn platform's too.

use oauth2::TokenResponse;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::story::assert_invalid_grant;
use super::{attribute, tokens, Api, CREDENTIALS_SCOPE, PROFILE_SCOPE};
use crate::common::Backend;

const MARIE: &str = "marie@ac-versailles.fr";

fn ids(page: &Value) -> Vec<String> {
    page["credential"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

crate::on_both_backends!(revoked_private_and_erased_badges_behave_as_on_the_trainers_pages);

async fn revoked_private_and_erased_badges_behave_as_on_the_trainers_pages(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    let awards = api
        .awards(&[
            (MARIE, "Marie Curie"),
            (MARIE, "Marie Curie"),
            (MARIE, "Marie Curie"),
        ])
        .await;
    let (platform, _) = api.platform("Portfolio").await;
    let cookie = api.sign_in(MARIE).await;
    let issued = tokens(
        &api,
        &platform,
        &cookie,
        &[CREDENTIALS_SCOPE, PROFILE_SCOPE],
    )
    .await;
    let access = issued.access_token().secret().clone();

    // Revoked: still listed, as on "mes badges"; its status list says it is revoked.
    let (status, _) = api
        .t
        .admin(
            axum::http::Method::POST,
            &format!("/api/v1/awards/{}/revoke", awards[0]),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let (_, headers, page) = api.resource("/credentials", &access).await;
    assert_eq!(headers["x-total-count"], "3");
    assert!(ids(&page).iter().any(|id| id.ends_with(&awards[0])));
    let mine = api
        .get("/mes-badges", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("Révoqué le"), "{mine}");

    // Private: left out, as its page is hidden from everyone but her.
    let made_private = api
        .post_form(
            &format!("/mes-badges/badges/{}/visibilite", awards[1]),
            Some(&cookie),
            &[("private", "1")],
        )
        .await;
    assert_eq!(made_private.status(), StatusCode::SEE_OTHER);
    let (_, headers, page) = api.resource("/credentials", &access).await;
    assert_eq!(headers["x-total-count"], "2");
    assert!(!ids(&page).iter().any(|id| id.ends_with(&awards[1])));
    assert_eq!(page["compactJwsString"].as_array().unwrap().len(), 2);

    // "Retirer l'accès" on "mes badges": every token of the grant stops working.
    let mine = api
        .get("/mes-badges", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    let withdraw = attribute(
        &mine,
        "<form method=\"post\" action=\"/mes-badges/plateformes/",
    )
    .map(|rest| format!("/mes-badges/plateformes/{rest}"))
    .unwrap();
    let withdrawn = api.post_form(&withdraw, Some(&cookie), &[]).await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api.resource("/credentials", &access).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_invalid_grant(
        platform
            .exchange_refresh_token(issued.refresh_token().unwrap())
            .request_async(&api.proxy)
            .await,
    );
    let mine = api
        .get("/mes-badges", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        mine.contains("Aucune plateforme n&#x27;a accès à vos badges."),
        "{mine}"
    );
    let log = api.t.app.audit_log(None, Some("withdrawn")).await.unwrap();
    assert_eq!(log.len(), 1);

    // Authorised again, then erased: her tokens go with her data (401), her grants too.
    let issued = tokens(&api, &platform, &cookie, &[CREDENTIALS_SCOPE]).await;
    let access = issued.access_token().secret().clone();
    assert_eq!(
        api.resource("/credentials", &access).await.0,
        StatusCode::OK
    );
    let erased = api
        .post_form(
            "/mes-badges/effacement",
            Some(&cookie),
            &[("confirm", "oui")],
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let (status, _, body) = api.resource("/credentials", &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    super::assert_valid("imsx_statusinfo", &body);
    assert_invalid_grant(
        platform
            .exchange_refresh_token(issued.refresh_token().unwrap())
            .request_async(&api.proxy)
            .await,
    );
    assert!(api.t.app.platforms_of(MARIE).await.unwrap().is_empty());
    let export = api
        .t
        .app
        .export_trainer(&insigne::domain::EmailAddress::parse(MARIE).unwrap())
        .await
        .unwrap();
    assert!(export.platforms.is_empty() && export.authorization_requests.is_empty());
}
