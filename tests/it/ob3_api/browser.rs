//! The consent page in a real headless browser (see `e2e/consent.mjs`): no serious or critical
//! axe-core violation, "Autoriser" reached with the keyboard alone, and the page's own content
//! security policy letting the answer go to the platform, whose code then gives tokens.

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, Scope, TokenResponse};
use reqwest::StatusCode;

use super::{Api, CREDENTIALS_SCOPE, PROFILE_SCOPE, REDIRECT};
use crate::common::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_page_in_a_real_browser() {
    let Some(e2e) = crate::e2e::browser_ready() else {
        return;
    };
    let api = Api::start(Backend::Sqlite).await.unwrap();
    let marie = "marie@ac-versailles.fr";
    api.awards(&[(marie, "Marie Curie")]).await;
    let (platform, _) = api.platform("Portfolio des formateurs").await;
    let cookie = api.sign_in(marie).await;
    for lang in ["fr", "en"] {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = platform
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new(CREDENTIALS_SCOPE.into()))
            .add_scope(Scope::new(PROFILE_SCOPE.into()))
            .set_pkce_challenge(challenge)
            .url();
        let started = api.get(url.as_str(), None).await;
        assert_eq!(started.status(), StatusCode::SEE_OTHER);
        let consent = started.headers()["location"].to_str().unwrap().to_string();
        let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("e2e-consent-{lang}"));
        std::fs::create_dir_all(&shots).unwrap();
        let seen = crate::e2e::node(
            &e2e.join("consent.mjs"),
            &[
                &api.url(&format!("{consent}?lang={lang}")),
                &cookie,
                "http://127.0.0.1:8765",
                shots.to_str().unwrap(),
            ],
        )
        .await;
        crate::e2e::no_serious_violation(&seen);
        let h1 = if lang == "fr" {
            "Autoriser l'accès à vos badges"
        } else {
            "Allow access to your badges"
        };
        assert_eq!(seen["pages"][0]["h1"], h1, "{seen}");
        assert_eq!(seen["refused"], serde_json::json!([]), "{seen}");
        let landed = url::Url::parse(seen["landed"].as_str().unwrap()).unwrap();
        assert!(landed.as_str().starts_with(REDIRECT), "{seen}");
        let query: std::collections::BTreeMap<_, _> = landed.query_pairs().into_owned().collect();
        assert_eq!(query.get("state"), Some(state.secret()), "{seen}");
        let tokens = platform
            .exchange_code(AuthorizationCode::new(query["code"].clone()))
            .set_pkce_verifier(verifier)
            .request_async(&api.proxy)
            .await
            .unwrap();
        let (status, _, _) = api
            .resource("/profile", tokens.access_token().secret())
            .await;
        assert_eq!(status, StatusCode::OK);
        eprintln!("screenshot: {}", shots.join("consent.png").display());
    }
}
