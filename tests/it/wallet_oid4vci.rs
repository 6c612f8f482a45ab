//! A wallet stand-in speaking OpenID4VCI (pre-authorized code flow) as wallets do: it reads the
//! `openid-credential-offer://` link of the trainer's wallet page, resolves the offer, reads the
//! issuer's and the authorization server's metadata, trades the code for a token, signs a key
//! proof (Ed25519 did:key, or ES256 with its jwk) and receives the badge bound to that key, in
//! the 1.0 and the draft 13 shapes. Then everything a wallet must not get away with.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use http_body_util::BodyExt;
use insigne::http::resolve::LocalResolver;
use insigne::proof::di;
use insigne::service::Insigne;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{Backend, TestApp, BASE};
use crate::mine::{later, send, sign_in};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
const EMAIL: &str = "marie@ac-versailles.fr";

/// One request to `app`; the status, headers and body as JSON (Null when not JSON).
async fn call(app: &Insigne, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let res = insigne::http::router(app.clone())
        .oneshot(req)
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The path of one of this service's URLs.
fn local(base: &str, url: &str) -> String {
    url.strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"))
        .to_string()
}

async fn get_json(app: &Insigne, path: &str) -> (StatusCode, HeaderMap, Value) {
    call(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// A trainer with a badge, signed in: the app, the award id and the session cookie.
async fn trainer_with_badge(t: &TestApp) -> (String, String) {
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let award = crate::mine::award(t, &class, EMAIL, "Marie Curie").await;
    let cookie = sign_in(t, EMAIL).await;
    (award, cookie)
}

/// "Ajouter à mon portefeuille", then the wallet page: the exchange id and the offer link.
async fn offer_link(app: &Insigne, award: &str, cookie: &str) -> (String, String) {
    let (status, headers, _) = send(
        app,
        Method::POST,
        &format!("/mes-badges/badges/{award}/portefeuille"),
        Some(cookie),
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = headers[header::LOCATION].to_str().unwrap().to_string();
    let exchange = page
        .strip_prefix("/mes-badges/portefeuille/")
        .expect("the wallet page")
        .to_string();
    let (status, _, html) = send(app, Method::GET, &page, Some(cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    let start = html
        .find("openid-credential-offer://")
        .expect("an OpenID4VCI link");
    let end = start + html[start..].find('"').expect("end of the link");
    let link = html[start..end]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/");
    (exchange, link)
}

/// What a wallet learns before it asks for a token.
struct Discovered {
    issuer: String,
    code: String,
    configurations: Vec<String>,
    token_endpoint: String,
    credential_endpoint: String,
    nonce_endpoint: String,
}

/// The offer by reference, then the metadata, as a wallet resolves them.
async fn discover(app: &Insigne, base: &str, link: &str) -> Discovered {
    let query = link
        .strip_prefix("openid-credential-offer://?")
        .expect("an offer link");
    let (name, uri) = url::form_urlencoded::parse(query.as_bytes())
        .next()
        .expect("a parameter");
    assert_eq!(name, "credential_offer_uri");
    let (status, headers, offer) = get_json(app, &local(base, &uri)).await;
    assert_eq!(status, StatusCode::OK, "{offer}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let issuer = offer["credential_issuer"].as_str().unwrap().to_string();
    assert_eq!(issuer, base);
    assert!(
        offer["grants"][GRANT].get("tx_code").is_none(),
        "no transaction code: {offer}"
    );
    let code = offer["grants"][GRANT]["pre-authorized_code"]
        .as_str()
        .unwrap()
        .to_string();

    // As a wallet running in a browser asks for it.
    let req = Request::get("/.well-known/openid-credential-issuer")
        .header(header::ORIGIN, "https://wallet.example")
        .body(Body::empty())
        .unwrap();
    let (status, headers, metadata) = call(app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(metadata["credential_issuer"], issuer);
    let configurations: Vec<String> = offer["credential_configuration_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    for id in &configurations {
        assert!(
            metadata["credential_configurations_supported"][id].is_object(),
            "{id} is offered but not described"
        );
    }
    let (status, _, server) = get_json(app, "/.well-known/oauth-authorization-server").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(server["issuer"], issuer);
    assert_eq!(server["grant_types_supported"], json!([GRANT]));
    assert_eq!(
        server["pre-authorized_grant_anonymous_access_supported"],
        true
    );
    Discovered {
        issuer,
        code,
        configurations,
        token_endpoint: local(base, server["token_endpoint"].as_str().unwrap()),
        credential_endpoint: local(base, metadata["credential_endpoint"].as_str().unwrap()),
        nonce_endpoint: local(base, metadata["nonce_endpoint"].as_str().unwrap()),
    }
}

async fn token(app: &Insigne, endpoint: &str, code: &str) -> (StatusCode, HeaderMap, Value) {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", GRANT)
        .append_pair("pre-authorized_code", code)
        .finish();
    let req = Request::post(endpoint)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    call(app, req).await
}

async fn nonce(app: &Insigne, endpoint: &str) -> String {
    let (status, headers, body) =
        call(app, Request::post(endpoint).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    body["c_nonce"].as_str().unwrap().to_string()
}

async fn credential(
    app: &Insigne,
    endpoint: &str,
    access_token: &str,
    request: Value,
) -> (StatusCode, HeaderMap, Value) {
    let req = Request::post(endpoint)
        .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(request.to_string()))
        .unwrap();
    call(app, req).await
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A holder key and how the proof's header names it.
enum Holder {
    /// Ed25519, named by its did:key URL.
    DidKey(SigningKey),
    /// P-256, its public JWK in the header.
    Jwk(josekit::jwk::alg::ec::EcKeyPair),
}

impl Holder {
    fn ed25519(seed: u8) -> Self {
        Holder::DidKey(SigningKey::from_bytes(&[seed; 32]))
    }

    fn p256() -> Self {
        Holder::Jwk(josekit::jws::ES256.generate_key_pair().unwrap())
    }

    /// The DID the credential must be issued to.
    fn did(&self) -> String {
        match self {
            Holder::DidKey(key) => {
                format!("did:key:{}", di::ed25519_multibase(&key.verifying_key()))
            }
            Holder::Jwk(pair) => {
                let jwk = pair.to_jwk_public_key();
                let minimal = json!({
                    "crv": "P-256",
                    "kty": "EC",
                    "x": jwk.parameter("x").unwrap(),
                    "y": jwk.parameter("y").unwrap(),
                });
                format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(minimal.to_string()))
            }
        }
    }

    /// The header a wallet puts on its proof.
    fn header(&self) -> Value {
        match self {
            Holder::DidKey(key) => {
                let mb = di::ed25519_multibase(&key.verifying_key());
                json!({"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": format!("did:key:{mb}#{mb}")})
            }
            Holder::Jwk(pair) => {
                let jwk: serde_json::Map<String, Value> = pair.to_jwk_public_key().as_ref().clone();
                json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": jwk})
            }
        }
    }

    /// Signs `header` and `claims` with this holder's key.
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let signature = match self {
            Holder::DidKey(key) => key.sign(input.as_bytes()).to_bytes().to_vec(),
            Holder::Jwk(pair) => {
                use josekit::jws::JwsSigner;
                let signer = josekit::jws::ES256
                    .signer_from_der(pair.to_der_private_key())
                    .unwrap();
                signer.sign(input.as_bytes()).unwrap()
            }
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The key proof a wallet sends: for `aud`, now, over `nonce`.
    fn proof(&self, aud: &str, now: chrono::DateTime<chrono::Utc>, nonce: &str) -> String {
        let claims = json!({"aud": aud, "iat": now.timestamp(), "nonce": nonce});
        self.sign(&self.header(), &claims)
    }
}

/// A 1.0 credential request.
fn request_final(configuration: &str, proof: &str) -> Value {
    json!({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}})
}

/// A draft 13 credential request.
fn request_draft13(format: &str, proof: &str) -> Value {
    let mut definition = json!({"type": ["VerifiableCredential", "OpenBadgeCredential"]});
    if format == "ldp_vc" {
        definition["@context"] = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ]);
    }
    json!({
        "format": format,
        "credential_definition": definition,
        "proof": {"proof_type": "jwt", "jwt": proof},
    })
}

async fn verified(app: &Insigne, input: &[u8]) -> insigne::verify::Report {
    let options = insigne::verify::Options::at(app.clock.now());
    insigne::verify::verify_bytes(input, &LocalResolver::new(app.clone()), &options).await
}

/// The flow from the page to the credential, for one holder and one request shape; returns
/// the credential as received (a JWT string or the Data Integrity JSON).
async fn take_badge(
    app: &Insigne,
    base: &str,
    award: &str,
    cookie: &str,
    holder: &Holder,
    shape: &str,
) -> Value {
    let (_, link) = offer_link(app, award, cookie).await;
    let d = discover(app, base, &link).await;
    let (status, headers, grant) = token(app, &d.token_endpoint, &d.code).await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(grant["token_type"], "Bearer");
    let expires_in = grant["expires_in"].as_i64().unwrap();
    assert!((1..=15 * 60).contains(&expires_in), "{grant}");
    let access_token = grant["access_token"].as_str().unwrap();
    let now = app.clock.now();
    let (status, _, answer) = match shape {
        // 1.0: the nonce endpoint's nonce, proofs.jwt[].
        "1.0 ldp_vc" | "1.0 jwt_vc_json" => {
            let c_nonce = nonce(app, &d.nonce_endpoint).await;
            let configuration = if shape.ends_with("ldp_vc") {
                "OpenBadgeCredential_ldp_vc"
            } else {
                "OpenBadgeCredential_jwt_vc_json"
            };
            assert!(d.configurations.iter().any(|c| c == configuration));
            let proof = holder.proof(&d.issuer, now, &c_nonce);
            credential(
                app,
                &d.credential_endpoint,
                access_token,
                request_final(configuration, &proof),
            )
            .await
        }
        // Draft 13: the token response's c_nonce, format and credential_definition, proof.
        _ => {
            let c_nonce = grant["c_nonce"].as_str().unwrap();
            assert!(grant["c_nonce_expires_in"].as_i64().unwrap() > 0);
            let format = shape.trim_start_matches("draft13 ");
            let proof = holder.proof(&d.issuer, now, c_nonce);
            credential(
                app,
                &d.credential_endpoint,
                access_token,
                request_draft13(format, &proof),
            )
            .await
        }
    };
    assert_eq!(status, StatusCode::OK, "{shape}: {answer}");
    if shape.starts_with("1.0") {
        let list = answer["credentials"].as_array().expect("credentials");
        assert_eq!(list.len(), 1);
        list[0]["credential"].clone()
    } else {
        assert_eq!(answer["format"], shape.trim_start_matches("draft13 "));
        assert!(answer["c_nonce"].is_string());
        answer["credential"].clone()
    }
}

/// What a received credential must be: issued to the holder, and valid to insigne's verifier.
async fn check_received(app: &Insigne, received: &Value, holder: &Holder) {
    let (subject, bytes) = match received {
        Value::String(jwt) => {
            let claims = insigne::proof::jws::unverified_payload(jwt).expect("a JWT");
            assert_eq!(claims["sub"], holder.did(), "{claims}");
            (
                claims["credentialSubject"]["id"].clone(),
                jwt.as_bytes().to_vec(),
            )
        }
        credential => {
            assert!(credential["proof"].is_array(), "{credential}");
            (
                credential["credentialSubject"]["id"].clone(),
                credential.to_string().into_bytes(),
            )
        }
    };
    assert_eq!(subject, holder.did());
    let report = verified(app, &bytes).await;
    assert!(report.valid, "{:#?}", report.errors);
}

crate::on_both_backends!(a_wallet_takes_a_badge_with_the_pre_authorized_code);

async fn a_wallet_takes_a_badge_with_the_pre_authorized_code(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let (award, cookie) = trainer_with_badge(&t).await;

    // The metadata both versions read.
    let (_, _, metadata) = get_json(&t.app, "/.well-known/openid-credential-issuer").await;
    let jwt = &metadata["credential_configurations_supported"]["OpenBadgeCredential_jwt_vc_json"];
    assert_eq!(jwt["format"], "jwt_vc_json");
    assert_eq!(
        jwt["credential_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        jwt["credential_definition"]["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(
        jwt["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"],
        json!(["EdDSA", "ES256"])
    );
    let ldp = &metadata["credential_configurations_supported"]["OpenBadgeCredential_ldp_vc"];
    assert_eq!(ldp["format"], "ldp_vc");
    assert_eq!(
        ldp["credential_definition"]["@context"][0],
        "https://www.w3.org/ns/credentials/v2"
    );
    let locales: Vec<_> = metadata["display"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["locale"].as_str().unwrap())
        .collect();
    assert_eq!(locales, ["fr", "en"]);
    assert_eq!(metadata["token_endpoint"], format!("{BASE}/oid4vci/token"));

    // Four wallets, four exchanges: both forms, both versions, both kinds of key.
    let cases = [
        (Holder::ed25519(11), "1.0 ldp_vc"),
        (Holder::ed25519(12), "draft13 jwt_vc_json"),
        (Holder::p256(), "1.0 jwt_vc_json"),
        (Holder::p256(), "draft13 ldp_vc"),
    ];
    for (holder, shape) in &cases {
        let received = take_badge(&t.app, BASE, &award, &cookie, holder, shape).await;
        assert_eq!(
            received.is_string(),
            shape.ends_with("jwt_vc_json"),
            "{shape}"
        );
        check_received(&t.app, &received, holder).await;
    }

    // The trainer's page says where the badge went.
    let exchanges = t.app.store.wallet_exchanges_of(EMAIL).await.unwrap();
    assert_eq!(exchanges.len(), 4);
    assert!(exchanges
        .iter()
        .all(|e| e.protocol.as_deref() == Some("oid4vci") && e.completed_at.is_some()));
    let (_, _, html) = send(
        &t.app,
        Method::GET,
        &format!("/mes-badges/portefeuille/{}", exchanges[0].id),
        Some(&cookie),
        None,
    )
    .await;
    assert!(html.contains("did:"), "{html}");
}

crate::on_both_backends!(what_a_wallet_cannot_get_away_with);

async fn what_a_wallet_cannot_get_away_with(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let app = &t.app;
    let (award, cookie) = trainer_with_badge(&t).await;
    let now = app.clock.now();
    let holder = Holder::ed25519(21);
    let jwt_config = "OpenBadgeCredential_jwt_vc_json";

    // A code works once.
    let (_, link) = offer_link(app, &award, &cookie).await;
    let d = discover(app, BASE, &link).await;
    let (status, _, first) = token(app, &d.token_endpoint, &d.code).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, headers, again) = token(app, &d.token_endpoint, &d.code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant", "{again}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let (status, _, body) = token(app, &d.token_endpoint, "not-a-code").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let access_token = first["access_token"].as_str().unwrap().to_string();
    let c_nonce = first["c_nonce"].as_str().unwrap().to_string();
    let send_proof = |proof: String| {
        let endpoint = d.credential_endpoint.clone();
        let access_token = access_token.clone();
        async move {
            credential(
                app,
                &endpoint,
                &access_token,
                request_final(jwt_config, &proof),
            )
            .await
        }
    };

    // A wrong nonce: refused, with a fresh one that then works.
    let (status, _, body) = send_proof(holder.proof(BASE, now, "made-up")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_nonce")),
        "{body}"
    );
    let fresh = body["c_nonce"]
        .as_str()
        .expect("a fresh c_nonce")
        .to_string();
    assert_ne!(fresh, c_nonce);
    // The replaced nonce no longer works.
    let (_, _, body) = send_proof(holder.proof(BASE, now, &c_nonce)).await;
    assert_eq!(body["error"], "invalid_nonce", "{body}");
    let fresh = body["c_nonce"].as_str().unwrap().to_string();
    // A nonce of the nonce endpoint, expired.
    let old = nonce(&later(app, -10), &d.nonce_endpoint).await;
    let (_, _, body) = send_proof(holder.proof(BASE, now, &old)).await;
    assert_eq!(body["error"], "invalid_nonce", "{body}");
    assert_ne!(body["c_nonce"], fresh);
    // One that looks like the nonce endpoint's, not signed by this service.
    let forged = format!(
        "n1.{}.AAAAAAAAAAAAAAAAAAAAAA.{}",
        now.timestamp() + 60,
        URL_SAFE_NO_PAD.encode([7u8; 64])
    );
    let (_, _, body) = send_proof(holder.proof(BASE, now, &forged)).await;
    assert_eq!(body["error"], "invalid_nonce", "{body}");
    let fresh = body["c_nonce"].as_str().unwrap().to_string();

    // Wrong audience, stale, unsigned, HMAC, signed by another key than the one named, no typ.
    let claims = |aud: &str, iat: i64| json!({"aud": aud, "iat": iat, "nonce": fresh});
    let other = Holder::ed25519(22);
    let mut none_header = holder.header();
    none_header["alg"] = json!("none");
    let unsigned = format!(
        "{}.{}.",
        b64(&none_header),
        b64(&claims(BASE, now.timestamp()))
    );
    let mut hs_header = holder.header();
    hs_header["alg"] = json!("HS256");
    let mut untyped = holder.header();
    untyped["typ"] = json!("JWT");
    let refused = [
        (
            "wrong aud",
            holder.sign(
                &holder.header(),
                &claims("https://elsewhere.test", now.timestamp()),
            ),
        ),
        (
            "stale iat",
            holder.sign(&holder.header(), &claims(BASE, now.timestamp() - 3600)),
        ),
        ("alg none", unsigned),
        (
            "HS256",
            holder.sign(&hs_header, &claims(BASE, now.timestamp())),
        ),
        (
            "another key",
            other.sign(&holder.header(), &claims(BASE, now.timestamp())),
        ),
        (
            "typ JWT",
            holder.sign(&untyped, &claims(BASE, now.timestamp())),
        ),
    ];
    for (what, proof) in refused {
        let (status, _, body) = send_proof(proof).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(body["error"], "invalid_proof", "{what}: {body}");
    }
    // No proof at all: a draft 13 wallet learns the nonce to sign.
    let (_, _, body) = credential(
        app,
        &d.credential_endpoint,
        &access_token,
        json!({"format": "jwt_vc_json"}),
    )
    .await;
    assert_eq!(body["error"], "invalid_proof", "{body}");
    assert_eq!(body["c_nonce"], fresh);
    // Requests for what is not offered.
    let proof = holder.proof(BASE, now, &fresh);
    let (_, _, body) = credential(
        app,
        &d.credential_endpoint,
        &access_token,
        request_final("UniversityDegree", &proof),
    )
    .await;
    assert_eq!(body["error"], "unknown_credential_configuration", "{body}");
    let (_, _, body) = credential(
        app,
        &d.credential_endpoint,
        &access_token,
        request_draft13("vc+sd-jwt", &proof),
    )
    .await;
    assert_eq!(body["error"], "unsupported_credential_format", "{body}");
    let (_, _, body) = credential(
        app,
        &d.credential_endpoint,
        &access_token,
        json!({"proof": {"proof_type": "jwt", "jwt": proof}}),
    )
    .await;
    assert_eq!(body["error"], "invalid_credential_request", "{body}");
    // No token, a wrong one.
    let req = Request::post(&d.credential_endpoint)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(request_final(jwt_config, &proof).to_string()))
        .unwrap();
    let (status, headers, _) = call(app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    let (status, headers, body) = credential(
        app,
        &d.credential_endpoint,
        "forged",
        request_final(jwt_config, &proof),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );

    // After all that, the right proof gets the badge, once; the token gets nothing more.
    let (status, _, body) = send_proof(proof.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, headers, body) = send_proof(holder.proof(BASE, now, &fresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
    let (status, _, body) = get_json(app, &local(BASE, &link_uri(&link))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::GONE, Some("offer_used"))
    );

    // An offer left 16 minutes: gone, its code and its token refused.
    let (_, link) = offer_link(app, &award, &cookie).await;
    let d = discover(app, BASE, &link).await;
    let (_, _, grant) = token(app, &d.token_endpoint, &d.code).await;
    let late = later(app, 16);
    let (status, _, body) = get_json(&late, &local(BASE, &link_uri(&link))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::GONE, Some("offer_expired"))
    );
    let proof = holder.proof(BASE, late.clock.now(), grant["c_nonce"].as_str().unwrap());
    let (status, _, body) = credential(
        &late,
        &d.credential_endpoint,
        grant["access_token"].as_str().unwrap(),
        request_final(jwt_config, &proof),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token")),
        "{body}"
    );
    let (_, link) = offer_link(app, &award, &cookie).await;
    let d = discover(app, BASE, &link).await;
    let (status, _, body) = token(&late, &d.token_endpoint, &d.code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );

    // Delivered through VC-API first: the offer is gone and its code refused; delivered
    // through VC-API after the token was given: the token gets nothing.
    let (exchange, link) = offer_link(app, &award, &cookie).await;
    let d = discover(app, BASE, &link).await;
    deliver_by_vcapi(app, &exchange).await;
    let (status, _, _) = get_json(app, &local(BASE, &link_uri(&link))).await;
    assert_eq!(status, StatusCode::GONE);
    let (_, _, body) = token(app, &d.token_endpoint, &d.code).await;
    assert_eq!(body["error"], "invalid_grant", "{body}");
    let (exchange, link) = offer_link(app, &award, &cookie).await;
    let d = discover(app, BASE, &link).await;
    let (_, _, grant) = token(app, &d.token_endpoint, &d.code).await;
    deliver_by_vcapi(app, &exchange).await;
    let proof = holder.proof(BASE, now, grant["c_nonce"].as_str().unwrap());
    let (status, _, body) = credential(
        app,
        &d.credential_endpoint,
        grant["access_token"].as_str().unwrap(),
        request_final(jwt_config, &proof),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token")),
        "{body}"
    );

    // Revoked after the offer was made (one exchange with its token, one without).
    let (_, link_a) = offer_link(app, &award, &cookie).await;
    let a = discover(app, BASE, &link_a).await;
    let (_, _, grant) = token(app, &a.token_endpoint, &a.code).await;
    let (_, link_b) = offer_link(app, &award, &cookie).await;
    let b = discover(app, BASE, &link_b).await;
    let (status, body) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{award}/revoke"),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let proof = holder.proof(BASE, now, grant["c_nonce"].as_str().unwrap());
    let (status, _, body) = credential(
        app,
        &a.credential_endpoint,
        grant["access_token"].as_str().unwrap(),
        request_final(jwt_config, &proof),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("credential_request_denied")),
        "{body}"
    );
    let (status, _, body) = token(app, &b.token_endpoint, &b.code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{body}"
    );
    let (status, _, _) = get_json(app, &local(BASE, &link_uri(&link_b))).await;
    assert_eq!(status, StatusCode::GONE);
    // Neither was delivered.
    let delivered = app.store.wallet_exchanges_of(EMAIL).await.unwrap();
    assert_eq!(
        delivered
            .iter()
            .filter(|e| e.protocol.as_deref() == Some("oid4vci"))
            .count(),
        1
    );
}

/// The `credential_offer_uri` of an offer link.
fn link_uri(link: &str) -> String {
    let query = link.strip_prefix("openid-credential-offer://?").unwrap();
    url::form_urlencoded::parse(query.as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

/// Completes exchange `id` the way the Learner Credential Wallet does: `POST {}`, then a DIDAuth
/// presentation signed by a did:key holder.
async fn deliver_by_vcapi(app: &Insigne, id: &str) {
    let path = format!("/wallet/exchanges/{id}");
    let post = |body: Value| {
        Request::post(&path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, _, request) = call(app, post(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{request}");
    let vpr = &request["verifiablePresentationRequest"];
    let key = SigningKey::from_bytes(&[31; 32]);
    let mb = di::ed25519_multibase(&key.verifying_key());
    let did = format!("did:key:{mb}");
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
    });
    let mut proof = serde_json::Map::new();
    proof.insert("type".into(), json!("DataIntegrityProof"));
    proof.insert("cryptosuite".into(), json!("eddsa-rdfc-2022"));
    proof.insert("created".into(), json!("2026-11-28T12:00:00Z"));
    proof.insert("verificationMethod".into(), json!(format!("{did}#{mb}")));
    proof.insert("proofPurpose".into(), json!("authentication"));
    proof.insert("challenge".into(), vpr["challenge"].clone());
    proof.insert("domain".into(), vpr["domain"].clone());
    let config = di::proof_config(vp.as_object().unwrap(), &proof);
    let data = di::hash_data(&vp, &config).unwrap();
    proof.insert(
        "proofValue".into(),
        json!(format!(
            "z{}",
            bs58::encode(key.sign(&data).to_bytes()).into_string()
        )),
    );
    let mut signed = vp;
    signed["proof"] = Value::Object(proof);
    let (status, _, answer) = call(app, post(json!({"verifiablePresentation": signed}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_verifiers_accept_what_a_wallet_receives() {
    let Some(dir) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let crate::interop_ob2::Live {
        t, base, server, ..
    } = crate::interop_ob2::live_now().await;
    let (award, cookie) = trainer_with_badge(&t).await;
    let files = tempfile::tempdir().unwrap();
    let cases = [
        (Holder::ed25519(41), "1.0 ldp_vc", "ed25519.json"),
        (Holder::ed25519(42), "draft13 jwt_vc_json", "ed25519.jwt"),
        (Holder::p256(), "1.0 jwt_vc_json", "p256.jwt"),
        (Holder::p256(), "draft13 ldp_vc", "p256.json"),
    ];
    for (holder, shape, name) in &cases {
        let received = take_badge(&t.app, &base, &award, &cookie, holder, shape).await;
        check_received(&t.app, &received, holder).await;
        let path = files.path().join(name);
        match &received {
            Value::String(jwt) => std::fs::write(&path, jwt).unwrap(),
            credential => std::fs::write(&path, credential.to_string()).unwrap(),
        }
        let (code, report) = crate::interop_ob3::verify(&dir, &path.display().to_string()).await;
        assert_eq!(code, 0, "{shape}: {report:#}");
        assert_eq!(report["valid"], true, "{shape}: {report:#}");
    }
    server.stop().await;
}
