//! The Open Badges 3.0 API, driven as a platform drives it: a real OAuth 2.0 client library
//! (`oauth2`) against a real listening server, the trainer's part played with a browser's
//! requests (sign-in by emailed link, consent page), every answer checked against the
//! official JSON Schemas (`schemas/json/`, copied from `shared/spec/schema-json/`).
//!
//! The service's public URL is https, as behind the reverse proxy that terminates TLS in
//! production; `Proxy` stands in for it, sending each https request to the loopback server.

mod badges;
mod browser;
mod refusals;
mod story;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use insigne::domain::Clock;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RedirectUrl, RevocationUrl,
    TokenUrl,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestApp};
use crate::interop_ob2::Served;

pub const CREDENTIALS_SCOPE: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
pub const PROFILE_SCOPE: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly";
/// Where the platform wants the trainer back (never served: the redirect is read, not followed).
pub const REDIRECT: &str = "http://127.0.0.1:8765/ob3/callback";

/// A clock the test moves forward; the served app reads it too.
pub struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl MovableClock {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

/// The https front of the loopback server, as the OAuth client library sees it.
pub struct Proxy {
    public: String,
    origin: String,
    http: reqwest::Client,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Proxy {
    type Error = reqwest::Error;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = parts
                .uri
                .to_string()
                .replacen(&self.public, &self.origin, 1);
            let mut sent = self.http.request(parts.method, url).body(body);
            for (name, value) in &parts.headers {
                sent = sent.header(name, value);
            }
            let answer = sent.send().await?;
            let mut out = oauth2::http::Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                out = out.header(name, value);
            }
            Ok(out.body(answer.bytes().await?.to_vec()).unwrap())
        })
    }
}

/// The client as a platform configures it from the discovery document and its registration.
pub type Platform =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet>;

/// A served insigne, its clock, and a browser-like HTTP client that follows no redirect.
pub struct Api {
    pub t: TestApp,
    /// The public base URL (https).
    pub base: String,
    /// Where the server really listens.
    pub origin: String,
    pub clock: Arc<MovableClock>,
    pub http: reqwest::Client,
    pub proxy: Proxy,
    _server: Served,
}

impl Api {
    pub async fn start(backend: Backend) -> Option<Api> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("https://localhost:{port}");
        let origin = format!("http://127.0.0.1:{port}");
        let clock = Arc::new(MovableClock(Mutex::new(
            "2026-11-28T12:00:00Z".parse().unwrap(),
        )));
        let t = TestApp::with(backend, &base, clock.clone()).await?;
        let server = Served::start(listener, t.app.clone());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let proxy = Proxy {
            public: base.clone(),
            origin: origin.clone(),
            http: http.clone(),
        };
        Some(Api {
            t,
            base,
            origin,
            clock,
            http,
            proxy,
            _server: server,
        })
    }

    /// `path` (or a public URL) on the real server.
    pub fn url(&self, path_or_url: &str) -> String {
        match path_or_url.strip_prefix(&self.base) {
            Some(path) => format!("{}{path}", self.origin),
            None if path_or_url.starts_with('/') => format!("{}{path_or_url}", self.origin),
            None => path_or_url.to_string(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .get(self.url(path))
            .header("Accept", "text/html")
            .header("Accept-Language", "fr");
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().await.unwrap()
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("Accept-Language", "fr")
            .form(form);
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send().await.unwrap()
    }

    /// A bearer call to a resource endpoint: status, headers, JSON body.
    pub async fn resource(
        &self,
        path: &str,
        token: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let answer = self
            .http
            .get(self.url(&format!("/ims/ob/v3p0{path}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let (status, headers) = (answer.status(), answer.headers().clone());
        let body = json_of(answer).await;
        (status, headers, body)
    }

    /// An issuer, a badge class, and awards of it to each `(email, name)`, a minute apart.
    pub async fn awards(&self, to: &[(&str, &str)]) -> Vec<String> {
        let issuer = self.t.issuer().await;
        let class = self.t.badge_class(&issuer, None).await;
        let mut ids = Vec::new();
        for (email, name) in to {
            self.clock.advance(chrono::Duration::minutes(1));
            let award = self
                .t
                .award(json!({"badge_class": class, "recipient": {"email": email, "name": name}}))
                .await;
            ids.push(award["id"].as_str().unwrap().to_string());
        }
        ids
    }

    /// Registers a platform (RFC 7591; the client library has no registration).
    pub async fn register(&self, metadata: Value) -> (StatusCode, Value) {
        let answer = self
            .http
            .post(self.url("/ims/ob/v3p0/auth/register"))
            .header("Content-Type", "application/json")
            .body(metadata.to_string())
            .send()
            .await
            .unwrap();
        (answer.status(), json_of(answer).await)
    }

    /// A platform registered for both scopes and both grants, configured from discovery.
    pub async fn platform(&self, name: &str) -> (Platform, Value) {
        let (status, registered) = self.register(registration(name)).await;
        assert_eq!(status, StatusCode::CREATED, "{registered}");
        (self.client(&registered), registered)
    }

    pub fn client(&self, registered: &Value) -> Platform {
        let api = format!("{}/ims/ob/v3p0", self.base);
        BasicClient::new(ClientId::new(
            registered["client_id"].as_str().unwrap().into(),
        ))
        .set_client_secret(ClientSecret::new(
            registered["client_secret"].as_str().unwrap().into(),
        ))
        .set_auth_uri(AuthUrl::new(format!("{api}/auth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(format!("{api}/auth/token")).unwrap())
        .set_revocation_url(RevocationUrl::new(format!("{api}/auth/revoke")).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
    }

    /// Signs `email` in through a fresh link (no return path); the cookie to send.
    pub async fn sign_in(&self, email: &str) -> String {
        let asked = self
            .post_form(
                "/mes-badges/connexion",
                None,
                &[("email", email), ("lang", "fr")],
            )
            .await;
        assert_eq!(asked.status(), StatusCode::OK);
        let link = self.sign_in_links(email).await.pop().unwrap();
        let path = link.strip_prefix(&self.base).unwrap().to_string();
        self.use_link(&path).await.1
    }

    /// The sign-in links sent to `email`, as written in the messages.
    pub async fn sign_in_links(&self, email: &str) -> Vec<String> {
        let messages = self.t.app.store.messages_to(email).await.unwrap();
        messages
            .iter()
            .filter(|m| m.kind == "signin")
            .filter_map(|m| {
                m.body
                    .split_whitespace()
                    .find(|w| w.contains("/mes-badges/connexion/"))
                    .map(str::to_string)
            })
            .collect()
    }

    /// Opens a sign-in link and presses its button: where it leads, and the session cookie.
    pub async fn use_link(&self, path: &str) -> (String, String) {
        let page = self.get(path, None).await.text().await.unwrap();
        let action = attribute(&page, "<form method=\"post\" action=\"")
            .unwrap()
            .replace("&#x2F;", "/")
            .replace("&amp;", "&");
        let answer = self.post_form(&action, None, &[]).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let location = answer.headers()["location"].to_str().unwrap().to_string();
        let cookie = answer.headers()["set-cookie"].to_str().unwrap();
        (location, cookie.split(';').next().unwrap().to_string())
    }
}

/// A response's body as JSON (`Null` when it is not).
pub async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null)
}

/// The value after `prefix` up to the next quote, in a page.
pub fn attribute(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    Some(html[start..start + html[start..].find('"')?].to_string())
}

/// A registration request as the specification's example makes it.
pub fn registration(name: &str) -> Value {
    json!({
        "client_name": name,
        "client_uri": "https://platform.example/",
        "logo_uri": "https://platform.example/logo.png",
        "tos_uri": "https://platform.example/terms",
        "policy_uri": "https://platform.example/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": format!("{CREDENTIALS_SCOPE} https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert {PROFILE_SCOPE} offline_access"),
    })
}

/// The query parameters of a redirect's `Location`.
pub fn location_query(response: &reqwest::Response) -> std::collections::BTreeMap<String, String> {
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Checks `instance` against an official schema of `schemas/json/`.
pub fn assert_valid(schema: &str, instance: &Value) {
    let text = match schema {
        "getopenbadgecredentialsresponse" => {
            include_str!("../../schemas/json/ob_v3p0_getopenbadgecredentialsresponse_schema.json")
        }
        "achievementcredential" => {
            include_str!("../../schemas/json/ob_v3p0_achievementcredential_schema.json")
        }
        "profile" => include_str!("../../schemas/json/ob_v3p0_profile_schema.json"),
        "imsx_statusinfo" => include_str!("../../schemas/json/ob_v3p0_imsx_statusinfo_schema.json"),
        other => panic!("no schema {other}"),
    };
    let schema: Value = serde_json::from_str(text).unwrap();
    let validator = jsonschema::draft201909::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

/// The trainer (signed in with `cookie`) answers the authorization request at `auth_url`:
/// the answer's redirect back to the platform.
pub async fn answer(
    api: &Api,
    auth_url: &url::Url,
    cookie: &str,
    decision: &str,
) -> reqwest::Response {
    let started = api.get(auth_url.as_str(), None).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let consent = started.headers()["location"].to_str().unwrap().to_string();
    assert!(
        consent.starts_with("/mes-badges/autorisations/"),
        "{consent}"
    );
    let page = api.get(&consent, Some(cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = attribute(&page, "name=\"csrf\" value=\"").unwrap();
    let answered = api
        .post_form(
            &consent,
            Some(cookie),
            &[("csrf", &csrf), ("decision", decision)],
        )
        .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    answered
}

/// The whole flow for a signed-in trainer: tokens of `scopes` through the library.
pub async fn tokens(
    api: &Api,
    platform: &Platform,
    cookie: &str,
    scopes: &[&str],
) -> oauth2::basic::BasicTokenResponse {
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let mut request = platform
        .authorize_url(oauth2::CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for scope in scopes {
        request = request.add_scope(oauth2::Scope::new(scope.to_string()));
    }
    let (url, state) = request.url();
    let back = answer(api, &url, cookie, "autoriser").await;
    let query = location_query(&back);
    assert_eq!(query.get("state"), Some(state.secret()));
    platform
        .exchange_code(oauth2::AuthorizationCode::new(query["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&api.proxy)
        .await
        .unwrap()
}
