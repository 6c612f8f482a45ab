//! What the API refuses: bad registrations and too many of them, authorization requests
//! without PKCE S256 or with a wrong client, redirection endpoint or scope, forged or repeated
//! answers, wrong secrets, verifiers and redirect URIs at the token endpoint, replayed and
//! expired codes, expired tokens, scopes not granted, and foreign return paths at sign-in.

use oauth2::basic::BasicErrorResponseType;
use oauth2::{
    AuthorizationCode, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::story::assert_invalid_grant;
use super::{
    answer, assert_valid, location_query, registration, tokens, Api, CREDENTIALS_SCOPE,
    PROFILE_SCOPE, REDIRECT,
};
use crate::common::Backend;

const MARIE: &str = "marie@ac-versailles.fr";

crate::on_both_backends!(registrations_are_checked_and_capped);

async fn registrations_are_checked_and_capped(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    let with = |field: &str, value: Value| {
        let mut r = registration("P");
        r[field] = value;
        r
    };
    for (request, error) in [
        (
            with("redirect_uris", json!(["http://platform.example/cb"])),
            "invalid_redirect_uri",
        ),
        (
            with("redirect_uris", json!(["https://platform.example/cb#here"])),
            "invalid_redirect_uri",
        ),
        (with("redirect_uris", json!([])), "invalid_redirect_uri"),
        (with("client_name", json!("  ")), "invalid_client_metadata"),
        (
            with("token_endpoint_auth_method", json!("none")),
            "invalid_client_metadata",
        ),
        (
            with("grant_types", json!(["implicit"])),
            "invalid_client_metadata",
        ),
        (
            with("response_types", json!(["token"])),
            "invalid_client_metadata",
        ),
        (
            with(
                "scope",
                json!("https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"),
            ),
            "invalid_client_metadata",
        ),
        (
            with("logo_uri", json!("javascript:alert(1)")),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ] {
        let (status, body) = api.register(request.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}: {body}");
        assert_eq!(body["error"], error, "{request}: {body}");
        assert!(body["error_description"].is_string());
    }
    // Loopback http is a native application's redirection endpoint: accepted.
    let (status, _) = api
        .register(with(
            "redirect_uris",
            json!(["http://[::1]:8765/cb", "http://localhost/cb"]),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // An anonymous caller cannot fill the database: ten an hour from one address.
    for _ in 1..10 {
        assert_eq!(api.register(registration("P")).await.0, StatusCode::CREATED);
    }
    let (status, body) = api.register(registration("P")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    api.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(api.register(registration("P")).await.0, StatusCode::CREATED);
}

/// An authorization URL written by hand, for what the library would never send.
fn by_hand(api: &Api, client_id: &str, extra: &[(&str, &str)]) -> url::Url {
    let mut url = url::Url::parse(&format!("{}/ims/ob/v3p0/auth/authorize", api.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("state", "xyz");
    for (k, v) in extra {
        url.query_pairs_mut().append_pair(k, v);
    }
    url
}

crate::on_both_backends!(authorization_requests_are_refused_safely);

async fn authorization_requests_are_refused_safely(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    api.awards(&[
        (MARIE, "Marie Curie"),
        ("pierre@ac-versailles.fr", "Pierre Curie"),
    ])
    .await;
    let (platform, registered) = api.platform("Portfolio").await;
    let id = registered["client_id"].as_str().unwrap();
    let challenge = PkceCodeChallenge::new_random_sha256().0;
    let s256 = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];

    // A wrong client or redirection endpoint is said on a page, never redirected.
    for url in [
        by_hand(
            &api,
            "nobody",
            &[("redirect_uri", REDIRECT), s256[0], s256[1]],
        ),
        by_hand(
            &api,
            id,
            &[
                ("redirect_uri", "https://evil.example/cb"),
                s256[0],
                s256[1],
            ],
        ),
        by_hand(&api, id, &[s256[0], s256[1]]),
    ] {
        let answer = api.get(url.as_str(), None).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(answer.headers().get("location").is_none());
        let page = answer.text().await.unwrap();
        assert!(page.contains("Demande d&#x27;accès invalide"), "{page}");
    }

    // Anything else goes back to the platform, with the state.
    for (extra, error) in [
        (vec![("redirect_uri", REDIRECT)], "invalid_request"),
        (
            vec![
                ("redirect_uri", REDIRECT),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("redirect_uri", REDIRECT),
                ("code_challenge", challenge.as_str()),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("redirect_uri", REDIRECT),
                s256[0],
                s256[1],
                (
                    "scope",
                    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
                ),
            ],
            "invalid_scope",
        ),
    ] {
        let answer = api.get(by_hand(&api, id, &extra).as_str(), None).await;
        assert_eq!(answer.status(), StatusCode::FOUND, "{extra:?}");
        let query = location_query(&answer);
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "xyz");
    }

    // "Refuser": access_denied, with the state; the request is then gone.
    let cookie = api.sign_in(MARIE).await;
    let (url, state) = platform
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(CREDENTIALS_SCOPE.into()))
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    let denied = answer(&api, &url, &cookie, "refuser").await;
    let query = location_query(&denied);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query.get("state"), Some(state.secret()));
    assert!(!query.contains_key("code"));
    assert!(api.t.app.platforms_of(MARIE).await.unwrap().is_empty());

    // A forged answer (no or another anti-CSRF value) is refused; a pending request is
    // Marie's once she saw it, not Pierre's; an answered one is gone.
    let started = api.get(url.as_str(), None).await;
    let consent = started.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        api.get(&consent, Some(&cookie)).await.status(),
        StatusCode::OK
    );
    let forged = api
        .post_form(
            &consent,
            Some(&cookie),
            &[("csrf", "guess"), ("decision", "autoriser")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let pierre = api.sign_in("pierre@ac-versailles.fr").await;
    assert_eq!(
        api.get(&consent, Some(&pierre)).await.status(),
        StatusCode::GONE
    );
    let page = api.get(&consent, Some(&cookie)).await.text().await.unwrap();
    let csrf = super::attribute(&page, "name=\"csrf\" value=\"").unwrap();
    let ok = api
        .post_form(
            &consent,
            Some(&cookie),
            &[("csrf", &csrf), ("decision", "refuser")],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let again = api
        .post_form(
            &consent,
            Some(&cookie),
            &[("csrf", &csrf), ("decision", "autoriser")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    // An unknown request, signed in or not.
    assert_eq!(
        api.get("/mes-badges/autorisations/nothing", None)
            .await
            .status(),
        StatusCode::GONE
    );
}

fn error_of<T: std::fmt::Debug>(
    result: Result<
        T,
        RequestTokenError<reqwest::Error, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
    >,
) -> BasicErrorResponseType {
    match result {
        Err(RequestTokenError::ServerResponse(e)) => e.error().clone(),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

/// A code for Marie (signed in with `cookie`), and its verifier.
async fn code(api: &Api, platform: &super::Platform, cookie: &str) -> (String, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = platform
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(CREDENTIALS_SCOPE.into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = answer(api, &url, cookie, "autoriser").await;
    (location_query(&back)["code"].clone(), verifier)
}

crate::on_both_backends!(codes_and_tokens_are_refused_when_they_should_be);

async fn codes_and_tokens_are_refused_when_they_should_be(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    api.awards(&[(MARIE, "Marie Curie")]).await;
    let (platform, registered) = api.platform("Portfolio").await;
    let cookie = api.sign_in(MARIE).await;

    // A wrong client secret: invalid_client, 401, WWW-Authenticate.
    let (c, verifier) = code(&api, &platform, &cookie).await;
    let wrong = platform
        .clone()
        .set_client_secret(ClientSecret::new("not-the-secret".into()));
    let refused = wrong
        .exchange_code(AuthorizationCode::new(c.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&api.proxy)
        .await;
    assert_eq!(error_of(refused), BasicErrorResponseType::InvalidClient);
    let raw = api
        .http
        .post(api.url("/ims/ob/v3p0/auth/token"))
        .basic_auth(registered["client_id"].as_str().unwrap(), Some("wrong"))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(raw.headers()["www-authenticate"], "Basic realm=\"insigne\"");
    assert_eq!(raw.headers()["cache-control"], "no-store");

    // A wrong verifier, a wrong redirect URI: invalid_grant (and the code is used up).
    let (c, _) = code(&api, &platform, &cookie).await;
    let other = PkceCodeChallenge::new_random_sha256().1;
    assert_invalid_grant(
        platform
            .exchange_code(AuthorizationCode::new(c))
            .set_pkce_verifier(other)
            .request_async(&api.proxy)
            .await,
    );
    let (c, verifier) = code(&api, &platform, &cookie).await;
    let elsewhere = platform
        .clone()
        .set_redirect_uri(RedirectUrl::new("http://127.0.0.1:8765/elsewhere".into()).unwrap());
    assert_invalid_grant(
        elsewhere
            .exchange_code(AuthorizationCode::new(c))
            .set_pkce_verifier(verifier)
            .request_async(&api.proxy)
            .await,
    );

    // A code used twice: refused, and the tokens it gave are revoked.
    let (c, verifier) = code(&api, &platform, &cookie).await;
    let verifier_again = PkceCodeVerifier::new(verifier.secret().clone());
    let first = platform
        .exchange_code(AuthorizationCode::new(c.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&api.proxy)
        .await
        .unwrap();
    let access = first.access_token().secret().clone();
    assert_eq!(
        api.resource("/credentials", &access).await.0,
        StatusCode::OK
    );
    assert_invalid_grant(
        platform
            .exchange_code(AuthorizationCode::new(c))
            .set_pkce_verifier(verifier_again)
            .request_async(&api.proxy)
            .await,
    );
    assert_eq!(
        api.resource("/credentials", &access).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_invalid_grant(
        platform
            .exchange_refresh_token(first.refresh_token().unwrap())
            .request_async(&api.proxy)
            .await,
    );

    // A code past its ten minutes.
    let (c, verifier) = code(&api, &platform, &cookie).await;
    api.clock.advance(chrono::Duration::minutes(10));
    assert_invalid_grant(
        platform
            .exchange_code(AuthorizationCode::new(c))
            .set_pkce_verifier(verifier)
            .request_async(&api.proxy)
            .await,
    );

    // An access token past its hour: 401; its refresh token still gives a new one.
    let issued = tokens(&api, &platform, &cookie, &[CREDENTIALS_SCOPE]).await;
    let access = issued.access_token().secret().clone();
    api.clock.advance(chrono::Duration::seconds(3599));
    assert_eq!(
        api.resource("/credentials", &access).await.0,
        StatusCode::OK
    );
    api.clock.advance(chrono::Duration::seconds(1));
    let (status, headers, body) = api.resource("/credentials", &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));
    assert_valid("imsx_statusinfo", &body);
    let renewed = platform
        .exchange_refresh_token(issued.refresh_token().unwrap())
        .request_async(&api.proxy)
        .await
        .unwrap();
    let access = renewed.access_token().secret().clone();

    // A scope not granted: 403 insufficient_scope.
    let (status, headers, body) = api.resource("/profile", &access).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .contains(&format!(
            "error=\"insufficient_scope\", scope=\"{PROFILE_SCOPE}\""
        )));
    assert_valid("imsx_statusinfo", &body);
    assert_eq!(
        body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"],
        "forbidden"
    );
    // Asking for more at refresh: invalid_scope.
    let wider = platform
        .exchange_refresh_token(renewed.refresh_token().unwrap())
        .add_scope(Scope::new(PROFILE_SCOPE.into()))
        .request_async(&api.proxy)
        .await;
    assert_eq!(error_of(wider), BasicErrorResponseType::InvalidScope);

    // Bad parameters, no token, another method, no such endpoint: Imsx_StatusInfo each.
    for (query, status) in [
        ("?limit=0", StatusCode::BAD_REQUEST),
        ("?limit=abc", StatusCode::BAD_REQUEST),
        ("?offset=-2", StatusCode::BAD_REQUEST),
        ("?since=hier", StatusCode::BAD_REQUEST),
    ] {
        let (got, _, body) = api.resource(&format!("/credentials{query}"), &access).await;
        assert_eq!(got, status, "{query}");
        assert_valid("imsx_statusinfo", &body);
        assert_eq!(
            body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"],
            "invalid_query_parameter"
        );
    }
    let none = api
        .http
        .get(api.url("/ims/ob/v3p0/credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.headers()["www-authenticate"],
        "Bearer realm=\"insigne\""
    );
    let posted = api
        .http
        .post(api.url("/ims/ob/v3p0/credentials"))
        .bearer_auth(&access)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_valid("imsx_statusinfo", &super::json_of(posted).await);
    let (status, _, body) = api.resource("/nothing-here", &access).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_valid("imsx_statusinfo", &body);

    // A grant type that is not offered.
    let raw = api
        .http
        .post(api.url("/ims/ob/v3p0/auth/token"))
        .basic_auth(
            registered["client_id"].as_str().unwrap(),
            registered["client_secret"].as_str(),
        )
        .form(&[
            ("grant_type", "password"),
            ("username", "x"),
            ("password", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    assert_eq!(super::json_of(raw).await["error"], "unsupported_grant_type");
}

crate::on_both_backends!(a_sign_in_only_returns_to_a_local_path);

async fn a_sign_in_only_returns_to_a_local_path(backend: Backend) {
    let Some(api) = Api::start(backend).await else {
        return;
    };
    api.awards(&[(MARIE, "Marie Curie")]).await;
    let asked = api
        .post_form(
            "/mes-badges/connexion",
            None,
            &[
                ("email", MARIE),
                ("lang", "fr"),
                ("retour", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let link = api.sign_in_links(MARIE).await.pop().unwrap();
    assert!(!link.contains("retour"), "{link}");
    // A link whose return path was changed on the way is not followed there either.
    let path = link.strip_prefix(&api.base).unwrap();
    for foreign in [
        "//evil.example",
        "https://evil.example/",
        "/mes-badges/..%2F..%2Fadmin",
    ] {
        let tampered = format!(
            "{path}?retour={}",
            url::form_urlencoded::byte_serialize(foreign.as_bytes()).collect::<String>()
        );
        let page = api.get(&tampered, None).await.text().await.unwrap();
        assert!(
            !page.contains("evil.example") && !page.contains("admin"),
            "{page}"
        );
    }
    let tampered = format!("{path}?retour=%2F%2Fevil.example");
    let used = api.post_form(&tampered, None, &[]).await;
    assert_eq!(used.status(), StatusCode::SEE_OTHER);
    assert_eq!(used.headers()["location"], "/mes-badges");
}
