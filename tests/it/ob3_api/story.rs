//! The story a platform lives: discovery, registration, the trainer's sign-in and consent,
//! the code for tokens, paging through the credentials, the profile, refresh, revocation.

use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, RefreshToken, Scope, StandardRevocableToken,
    TokenResponse,
};
use reqwest::StatusCode;
use serde_json::Value;

use super::{
    assert_valid, attribute, location_query, Api, CREDENTIALS_SCOPE, PROFILE_SCOPE, REDIRECT,
};
use crate::common::Backend;

crate::on_both_backends!(a_platform_reads_a_trainers_badges_with_their_consent);

async fn a_platform_reads_a_trainers_badges_with_their_consent(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    let marie = "marie@ac-versailles.fr";
    let ids = api
        .awards(&[
            (marie, "Marie Curie"),
            ("pierre@ac-versailles.fr", "Pierre Curie"),
            (marie, "Marie Curie"),
            (marie, "Marie Curie"),
        ])
        .await;

    // Discovery: where to register, authorize and get tokens, and the scopes offered.
    let discovery: Value = api
        .http
        .get(api.url("/ims/ob/v3p0/discovery"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
        .unwrap();
    let scheme = &discovery["components"]["securitySchemes"]["OAuth2ACG"];
    let flow = &scheme["flows"]["authorizationCode"];
    let api_base = format!("{}/ims/ob/v3p0", api.base);
    assert_eq!(discovery["openapi"], "3.0.1");
    assert_eq!(
        discovery["info"]["x-imssf-privacyPolicyUrl"],
        format!("{}/api-open-badges#donnees", api.base)
    );
    assert_eq!(
        discovery["info"]["termsOfService"],
        format!("{}/api-open-badges#conditions", api.base)
    );
    for (lang, title) in [
        ("fr", "L&#x27;API Open Badges 3.0 d&#x27;insigne"),
        ("en", "insigne&#x27;s Open Badges 3.0 API"),
    ] {
        let terms = api
            .get(&format!("/api-open-badges?lang={lang}"), None)
            .await;
        assert_eq!(terms.status(), StatusCode::OK);
        let page = terms.text().await.unwrap();
        assert!(
            page.contains(title) && page.contains("id=\"donnees\""),
            "{page}"
        );
    }
    assert_eq!(
        scheme["x-imssf-registrationUrl"],
        format!("{api_base}/auth/register")
    );
    assert_eq!(
        flow["authorizationUrl"],
        format!("{api_base}/auth/authorize")
    );
    assert_eq!(flow["tokenUrl"], format!("{api_base}/auth/token"));
    assert_eq!(flow["refreshUrl"], flow["tokenUrl"]);
    let scopes: Vec<&String> = flow["scopes"].as_object().unwrap().keys().collect();
    assert_eq!(scopes, [CREDENTIALS_SCOPE, PROFILE_SCOPE]);

    // Registration: the secret once, the metadata kept, the scopes offered among those asked.
    let (platform, registered) = api.platform("Portfolio des formateurs").await;
    assert_eq!(registered["client_secret_expires_at"], 0);
    assert_eq!(registered["redirect_uris"][0], REDIRECT);
    assert_eq!(
        registered["scope"],
        format!("{CREDENTIALS_SCOPE} {PROFILE_SCOPE}")
    );
    assert!(registered["client_id_issued_at"].is_i64());

    // The library builds the authorization request with PKCE S256.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = platform
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(CREDENTIALS_SCOPE.into()))
        .add_scope(Scope::new(PROFILE_SCOPE.into()))
        .set_pkce_challenge(challenge)
        .url();
    let started = api.get(auth_url.as_str(), None).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let consent = started.headers()["location"].to_str().unwrap().to_string();

    // Not signed in: the sign-in form, saying who waits, carrying the way back.
    let page = api.get(&consent, None).await.text().await.unwrap();
    assert!(page.contains("Portfolio des formateurs"), "{page}");
    assert_eq!(
        attribute(&page, "name=\"retour\" value=\"").as_deref(),
        Some(consent.as_str())
    );
    let asked = api
        .post_form(
            "/mes-badges/connexion",
            None,
            &[("email", marie), ("lang", "fr"), ("retour", &consent)],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let link = api.sign_in_links(marie).await.pop().unwrap();
    assert!(
        link.contains("?retour=%2Fmes-badges%2Fautorisations%2F"),
        "{link}"
    );
    let (landed, cookie) = api.use_link(link.strip_prefix(&api.base).unwrap()).await;
    assert_eq!(landed, consent);

    // The consent page: the platform, its links as text, the scopes in words.
    let shown = api.get(&consent, Some(&cookie)).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let policy = shown.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("form-action 'self' http://127.0.0.1:8765"),
        "{policy}"
    );
    let page = shown.text().await.unwrap();
    for words in [
        "Autoriser l&#x27;accès à vos badges",
        "Portfolio des formateurs",
        "https://platform.example/logo.png",
        "lire vos badges",
        "lire votre profil",
        "Autoriser",
        "Refuser",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(!page.contains("<img src=\"https://platform.example"));
    let csrf = attribute(&page, "name=\"csrf\" value=\"").unwrap();
    let allowed = api
        .post_form(
            &consent,
            Some(&cookie),
            &[("csrf", &csrf), ("decision", "autoriser")],
        )
        .await;
    assert_eq!(allowed.status(), StatusCode::SEE_OTHER);
    assert!(allowed.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(REDIRECT));
    let query = location_query(&allowed);
    assert_eq!(query.get("state"), Some(state.secret()));

    // The code for tokens, through the library.
    let tokens = platform
        .exchange_code(AuthorizationCode::new(query["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&api.proxy)
        .await
        .unwrap();
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(3600))
    );
    let access = tokens.access_token().secret().clone();
    let refresh = tokens.refresh_token().unwrap().clone();

    // getCredentials, two per page: Marie's three badges, never Pierre's.
    let (status, headers, first) = api.resource("/credentials?limit=2", &access).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(headers["x-total-count"], "3");
    let link = headers["link"].to_str().unwrap();
    let next = format!("<{api_base}/credentials?limit=2&offset=2>; rel=\"next\"");
    assert!(link.contains(&next), "{link}");
    assert!(link.contains(&format!(
        "<{api_base}/credentials?limit=2&offset=2>; rel=\"last\""
    )));
    assert!(link.contains(&format!(
        "<{api_base}/credentials?limit=2&offset=0>; rel=\"first\""
    )));
    assert!(!link.contains("prev"));
    assert_valid("getopenbadgecredentialsresponse", &first);
    assert_eq!(first["credential"].as_array().unwrap().len(), 2);
    assert_eq!(first["compactJwsString"].as_array().unwrap().len(), 2);
    let (_, headers, second) = api.resource("/credentials?limit=2&offset=2", &access).await;
    assert_valid("getopenbadgecredentialsresponse", &second);
    assert_eq!(second["credential"].as_array().unwrap().len(), 1);
    assert!(headers["link"]
        .to_str()
        .unwrap()
        .contains("offset=0>; rel=\"prev\""));
    let mut all: Vec<Value> = first["credential"].as_array().unwrap().clone();
    all.extend(second["credential"].as_array().unwrap().iter().cloned());
    for credential in &all {
        assert_valid("achievementcredential", credential);
    }
    // Each one is the credential served at its own URL, signed once.
    let own = api
        .http
        .get(api.url(all[0]["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
        .unwrap();
    assert_eq!(own, all[0]);
    let everything = serde_json::to_string(&all).unwrap();
    assert!(
        !everything.contains(&ids[1]),
        "Pierre's badge is not Marie's"
    );
    for marie_badge in [&ids[0], &ids[2], &ids[3]] {
        assert!(everything.contains(marie_badge.as_str()));
    }
    assert!(all
        .iter()
        .all(|c| c["credentialSubject"]["identifier"][0]["hashed"] == true));

    // `since`: those issued after the first.
    let first_issued = all.last().unwrap()["validFrom"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, headers, later) = api
        .resource(&format!("/credentials?since={first_issued}"), &access)
        .await;
    assert_eq!(headers["x-total-count"], "2");
    assert_eq!(later["credential"].as_array().unwrap().len(), 2);

    // getProfile: what insigne knows of her, nothing more.
    let (status, _, profile) = api.resource("/profile", &access).await;
    assert_eq!(status, StatusCode::OK);
    assert_valid("profile", &profile);
    assert_eq!(profile["email"], marie);
    assert_eq!(profile["name"], "Marie Curie");
    assert_eq!(profile["id"], format!("mailto:{marie}"));

    // "Mes badges" lists the platform.
    let mine = api
        .get("/mes-badges", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("Plateformes autorisées"), "{mine}");
    assert!(mine.contains("Portfolio des formateurs"));
    assert!(mine.contains("Retirer l&#x27;accès"));

    // Refresh through the library: new tokens; the old refresh token stops working.
    let refreshed = platform
        .exchange_refresh_token(&refresh)
        .request_async(&api.proxy)
        .await
        .unwrap();
    let again = platform
        .exchange_refresh_token(&refresh)
        .request_async(&api.proxy)
        .await;
    assert_invalid_grant(again);
    let new_access = refreshed.access_token().secret().clone();
    let new_refresh: RefreshToken = refreshed.refresh_token().unwrap().clone();
    let (status, _, _) = api.resource("/credentials", &new_access).await;
    assert_eq!(status, StatusCode::OK);

    // Revocation through the library (RFC 7009): the refresh token and every access token of
    // its family stop working.
    platform
        .revoke_token(StandardRevocableToken::RefreshToken(new_refresh.clone()))
        .unwrap()
        .request_async(&api.proxy)
        .await
        .unwrap();
    for token in [&new_access, &access] {
        let (status, headers, body) = api.resource("/credentials", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            headers["www-authenticate"],
            "Bearer realm=\"insigne\", error=\"invalid_token\""
        );
        assert_valid("imsx_statusinfo", &body);
    }
    assert_invalid_grant(
        platform
            .exchange_refresh_token(&new_refresh)
            .request_async(&api.proxy)
            .await,
    );

    // Her export names the platform; nobody's tokens are in it.
    let export = api.get("/mes-badges/donnees.json", Some(&cookie)).await;
    let export = super::json_of(export).await;
    assert_eq!(
        export["platforms"][0]["client_name"],
        "Portfolio des formateurs"
    );
    assert_eq!(export["platforms"][0]["live_tokens"], 0);
    assert!(!export.to_string().contains(&access));

    // The audit log has the registration and the consent, without the trainer's address.
    let log = api.t.app.audit_log(None, Some("ob3")).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"ob3 client registered"), "{actions:?}");
    assert!(actions.contains(&"ob3 access granted"), "{actions:?}");
    assert!(!format!("{log:?}").contains(marie));
}

pub fn assert_invalid_grant<T: std::fmt::Debug>(
    result: Result<
        T,
        oauth2::RequestTokenError<
            reqwest::Error,
            oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
        >,
    >,
) {
    match result {
        Err(oauth2::RequestTokenError::ServerResponse(e)) => assert_eq!(
            *e.error(),
            oauth2::basic::BasicErrorResponseType::InvalidGrant,
            "{e:?}"
        ),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}
