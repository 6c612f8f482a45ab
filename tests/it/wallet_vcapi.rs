//! A badge delivered to a wallet through a VC-API exchange, by a stand-in that takes the steps
//! the Learner Credential Wallet takes (GET the interaction URL with `iuv=1`, `POST {}`, sign
//! the DIDAuth presentation with its did:key, POST it, read the credential), and by the older
//! deep link. Replayed, expired, foreign and wrongly signed exchanges get nothing.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::Utc;
use ed25519_dalek::{Signer, SigningKey};
use http_body_util::BodyExt;
use insigne::http::resolve::LocalResolver;
use insigne::proof::di;
use insigne::service::Insigne;
use insigne::verify::{self, Options, Verdict};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{Backend, TestApp, BASE};
use crate::mine::{award, later, send, sign_in};

const MARIE: &str = "marie@ac-versailles.fr";

/// A wallet's key and DID.
pub(crate) struct Holder {
    key: SigningKey,
    pub did: String,
}

impl Holder {
    pub(crate) fn new(seed: u8) -> Self {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let did = format!("did:key:{}", di::ed25519_multibase(&key.verifying_key()));
        Holder { key, did }
    }

    /// The DIDAuth presentation for `challenge` and `domain`, signed with `suite`
    /// (`Ed25519Signature2020` under the VCDM 1.1 context, as the Learner Credential Wallet
    /// signs it, or `eddsa-rdfc-2022` under 2.0).
    pub(crate) fn did_auth(&self, challenge: &str, domain: Option<&str>, suite: &str) -> Value {
        let multibase = self.did.trim_start_matches("did:key:");
        let (context, mut proof) = match suite {
            "Ed25519Signature2020" => (
                json!([
                    "https://www.w3.org/2018/credentials/v1",
                    "https://w3id.org/security/suites/ed25519-2020/v1"
                ]),
                json!({"type": "Ed25519Signature2020"}),
            ),
            _ => (
                json!(["https://www.w3.org/ns/credentials/v2"]),
                json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}),
            ),
        };
        let vp = json!({
            "@context": context,
            "type": ["VerifiablePresentation"],
            "holder": self.did,
        });
        let p = proof.as_object_mut().expect("object");
        p.insert(
            "created".into(),
            json!(Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        );
        p.insert(
            "verificationMethod".into(),
            json!(format!("{}#{multibase}", self.did)),
        );
        p.insert("proofPurpose".into(), json!("authentication"));
        p.insert("challenge".into(), json!(challenge));
        if let Some(d) = domain {
            p.insert("domain".into(), json!(d));
        }
        let config = di::proof_config(vp.as_object().expect("object"), p);
        let data = di::hash_data(&vp, &config).expect("canonical form");
        let signature = self.key.sign(&data);
        p.insert(
            "proofValue".into(),
            json!(format!(
                "z{}",
                bs58::encode(signature.to_bytes()).into_string()
            )),
        );
        let mut signed = vp;
        signed["proof"] = proof;
        signed
    }
}

/// A request as a wallet sends it: JSON, no cookie.
pub(crate) async fn wallet_call(
    app: &Insigne,
    method: Method,
    url: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let path = url.strip_prefix(BASE).expect("an URL of the service");
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, "application/json");
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = insigne::http::router(app.clone())
        .oneshot(req)
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({"text": String::from_utf8_lossy(&bytes)}));
    (status, value)
}

/// The trainer presses "Ajouter à mon portefeuille": the exchange's page (its path and HTML).
pub(crate) async fn start(app: &Insigne, cookie: &str, award: &str) -> (String, String) {
    let (status, headers, _) = send(
        app,
        Method::POST,
        &format!("/mes-badges/badges/{award}/portefeuille"),
        Some(cookie),
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    assert!(page.starts_with("/mes-badges/portefeuille/"), "{page}");
    let (status, headers, html) = send(app, Method::GET, &page, Some(cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    (page, html)
}

/// The text of the first element of `class` in `html`.
fn text_of(html: &str, class: &str) -> String {
    let start = html
        .find(&format!("class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no {class} in {html}"))
        + class.len()
        + 9;
    html[start..start + html[start..].find('<').expect("end")]
        .replace("&amp;", "&")
        .to_string()
}

/// `href` of the link whose text is `label`.
fn href_before(html: &str, label: &str) -> String {
    let end = html.find(label).unwrap_or_else(|| panic!("no {label}"));
    let start = html[..end].rfind("href=\"").expect("href") + 6;
    html[start..start + html[start..].find('"').expect("end")]
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

async fn check(app: &Insigne, credential: &Value, email: &str) -> verify::Report {
    let options = Options {
        recipient_email: Some(email.to_string()),
        ..Options::at(app.clock.now())
    };
    verify::verify_bytes(
        credential.to_string().as_bytes(),
        &LocalResolver::new(app.clone()),
        &options,
    )
    .await
}

crate::on_both_backends!(a_wallet_receives_the_badge_issued_to_its_did_once);

async fn a_wallet_receives_the_badge_issued_to_its_did_once(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let id = award(&t, &class, MARIE, "Marie Curie").await;
    let cookie = sign_in(&t, MARIE).await;

    // "Mes badges" and the badge page (to its trainer, signed in) offer the button.
    let (_, _, mine) = send(&t.app, Method::GET, "/mes-badges", Some(&cookie), None).await;
    assert!(mine.contains(&format!("action=\"/mes-badges/badges/{id}/portefeuille\"")));
    assert!(mine.contains("Ajouter à mon portefeuille"));
    let (_, headers, page) = send(
        &t.app,
        Method::GET,
        &format!("/badges/{id}"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.contains(&format!("action=\"/mes-badges/badges/{id}/portefeuille\"")));
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let (_, _, anonymous) = send(&t.app, Method::GET, &format!("/badges/{id}"), None, None).await;
    assert!(
        !anonymous.contains("portefeuille"),
        "only its trainer sees it"
    );

    let (page, html) = start(&t.app, &cookie, &id).await;
    assert!(html.contains(&format!("src=\"{page}/vcapi.svg\"")));
    assert!(html.contains(&format!("src=\"{page}/oid4vci.svg\"")));
    let (status, headers, qr) = send(
        &t.app,
        Method::GET,
        &format!("{page}/vcapi.svg"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(qr.starts_with("<svg"));
    let interaction = text_of(&html, "wallet-link");
    assert!(interaction.starts_with(&format!("{BASE}/wallet/exchanges/")));
    assert!(interaction.ends_with("?iuv=1"));

    // The wallet: which protocols, then what the exchange wants.
    let (status, protocols) = wallet_call(&t.app, Method::GET, &interaction, None).await;
    assert_eq!(status, StatusCode::OK, "{protocols}");
    let exchange = protocols["protocols"]["vcapi"]
        .as_str()
        .expect("vcapi")
        .to_string();
    assert_eq!(exchange, interaction.trim_end_matches("?iuv=1"));
    let (status, answer) = wallet_call(&t.app, Method::POST, &exchange, Some(&json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let vpr = &answer["verifiablePresentationRequest"];
    assert_eq!(vpr["query"][0]["type"], "DIDAuthentication");
    assert_eq!(vpr["domain"], "badges.test");
    let challenge = vpr["challenge"].as_str().expect("challenge").to_string();
    assert!(challenge.len() >= 32);
    let endpoint = vpr["interact"]["service"][0]["serviceEndpoint"]
        .as_str()
        .unwrap_or(&exchange)
        .to_string();

    // A presentation for another challenge, or signed by a key that is not its holder's,
    // gets nothing and uses nothing up.
    let holder = Holder::new(41);
    let stranger = Holder::new(42);
    let wrong = holder.did_auth(
        "not-the-challenge",
        Some("badges.test"),
        "Ed25519Signature2020",
    );
    let (status, refused) = wallet_call(
        &t.app,
        Method::POST,
        &endpoint,
        Some(&json!({"verifiablePresentation": wrong})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("challenge"), "{refused}");
    let mut forged = stranger.did_auth(&challenge, Some("badges.test"), "Ed25519Signature2020");
    forged["holder"] = json!(holder.did);
    let (status, _) = wallet_call(
        &t.app,
        Method::POST,
        &endpoint,
        Some(&json!({"verifiablePresentation": forged})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut tampered = holder.did_auth(&challenge, Some("badges.test"), "Ed25519Signature2020");
    tampered["proof"]["created"] = json!("2020-01-01T00:00:00Z");
    let (status, _) = wallet_call(
        &t.app,
        Method::POST,
        &endpoint,
        Some(&json!({"verifiablePresentation": tampered})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The right one: the credential, issued to the holder's DID.
    let vp = holder.did_auth(&challenge, Some("badges.test"), "Ed25519Signature2020");
    let (status, delivered) = wallet_call(
        &t.app,
        Method::POST,
        &endpoint,
        Some(&json!({"verifiablePresentation": vp})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{delivered}");
    let credential = &delivered["verifiablePresentation"]["verifiableCredential"][0];
    assert_eq!(credential["credentialSubject"]["id"], holder.did);
    assert!(credential["id"]
        .as_str()
        .expect("id")
        .starts_with("urn:uuid:"));
    let own: Value = serde_json::from_str(
        &t.app
            .ob3_credential(id.parse().expect("id"))
            .await
            .expect("own"),
    )
    .expect("json");
    assert_eq!(credential["credentialStatus"], own["credentialStatus"]);
    assert_eq!(
        credential["credentialSubject"]["achievement"],
        own["credentialSubject"]["achievement"]
    );
    assert_eq!(
        credential["credentialSubject"]["identifier"],
        own["credentialSubject"]["identifier"]
    );
    let report = check(&t.app, credential, MARIE).await;
    assert_eq!(report.verdict(), Verdict::Valid, "{report:#?}");

    // Single use: the same presentation again, or another wallet, gets nothing.
    let (status, again) = wallet_call(
        &t.app,
        Method::POST,
        &endpoint,
        Some(&json!({"verifiablePresentation": vp})),
    )
    .await;
    assert_eq!(status, StatusCode::GONE, "{again}");
    let (status, _) = wallet_call(&t.app, Method::POST, &exchange, Some(&json!({}))).await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _) = wallet_call(&t.app, Method::GET, &interaction, None).await;
    assert_eq!(status, StatusCode::GONE);

    // The trainer's page says where it went; their export lists the delivery.
    let (_, _, html) = send(&t.app, Method::GET, &page, Some(&cookie), None).await;
    assert!(html.contains(&holder.did), "{html}");
    let (_, _, export) = send(
        &t.app,
        Method::GET,
        "/mes-badges/donnees.json",
        Some(&cookie),
        None,
    )
    .await;
    let export: Value = serde_json::from_str(&export).expect("json");
    let deliveries = export["wallet_deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["holder"], holder.did);
    assert_eq!(deliveries[0]["protocol"], "vcapi");
    assert_eq!(deliveries[0]["credential_id"], credential["id"]);
    assert!(
        !export.to_string().contains(&challenge),
        "no capability exported"
    );

    // Revoked: the delivered credential says so too (same status entry).
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{id}/revoke"),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = check(&t.app, credential, MARIE).await;
    assert_eq!(report.verdict(), Verdict::Invalid, "{report:#?}");
    // And a revoked badge starts no exchange.
    let (status, _, refused) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{id}/portefeuille"),
        Some(&cookie),
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(refused.contains("a été révoqué ou a expiré"), "{refused}");
}

crate::on_both_backends!(exchanges_are_the_trainers_short_lived_and_erased_with_them);

async fn exchanges_are_the_trainers_short_lived_and_erased_with_them(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let mine = award(&t, &class, MARIE, "Marie Curie").await;
    let paul = award(&t, &class, "paul@ac-versailles.fr", "Paul Langevin").await;
    let cookie = sign_in(&t, MARIE).await;
    let paul_cookie = sign_in(&t, "paul@ac-versailles.fr").await;

    // Nobody starts an exchange for someone else's badge, nor sees another's exchange.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{paul}/portefeuille"),
        Some(&cookie),
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, headers, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{mine}/portefeuille"),
        None,
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: to the sign-in");
    assert_eq!(headers[header::LOCATION], "/mes-badges");
    let (page, html) = start(&t.app, &cookie, &mine).await;
    for path in [page.clone(), format!("{page}/vcapi.svg")] {
        let (status, _, _) = send(&t.app, Method::GET, &path, Some(&paul_cookie), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let interaction = text_of(&html, "wallet-link");
    let exchange = interaction.trim_end_matches("?iuv=1").to_string();

    // A browser that opens the interaction URL is told what it is for.
    let (status, _, browser) = send(
        &t.app,
        Method::GET,
        &interaction.replace(BASE, ""),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(browser.contains("portefeuille"), "{browser}");
    // Not JSON, not an object, or far too large: refused, nothing used up.
    let path = exchange.replace(BASE, "");
    for (body, kind, expected) in [
        ("{}", "text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("[1]", "application/json", StatusCode::BAD_REQUEST),
        ("{", "application/json", StatusCode::BAD_REQUEST),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::CONTENT_TYPE, kind)
            .body(Body::from(body))
            .expect("request");
        let res = insigne::http::router(t.app.clone())
            .oneshot(req)
            .await
            .expect("response");
        assert_eq!(res.status(), expected, "{body} as {kind}");
    }
    let huge = json!({"verifiablePresentation": {"padding": "x".repeat(200_000)}});
    let (status, _) = wallet_call(&t.app, Method::POST, &exchange, Some(&huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Fifteen minutes later it is over.
    let (_, answer) = wallet_call(&t.app, Method::POST, &exchange, Some(&json!({}))).await;
    let challenge = answer["verifiablePresentationRequest"]["challenge"]
        .as_str()
        .expect("challenge")
        .to_string();
    let holder = Holder::new(43);
    let late = later(&t.app, 16);
    let vp = holder.did_auth(&challenge, Some("badges.test"), "eddsa-rdfc-2022");
    let (status, _) = wallet_call(
        &late,
        Method::POST,
        &exchange,
        Some(&json!({"verifiablePresentation": vp})),
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    let (_, _, expired) = send(&late, Method::GET, &page, Some(&cookie), None).await;
    assert!(expired.contains("expiré"), "{expired}");
    // Within them, the 2.0 presentation (eddsa-rdfc-2022) does as well as the 1.1 one.
    let (status, delivered) = wallet_call(
        &later(&t.app, 14),
        Method::POST,
        &exchange,
        Some(&json!({"verifiablePresentation": vp})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{delivered}");

    // Erasure takes the trainer's exchanges with it.
    let (_, again) = start(&t.app, &cookie, &mine).await;
    assert!(again.contains("wallet-link"));
    // A few retries, not a flood: twenty in a quarter of an hour.
    let action = format!("/mes-badges/badges/{mine}/portefeuille");
    let press = || send(&t.app, Method::POST, &action, Some(&cookie), Some(""));
    for _ in 2..20 {
        assert_eq!(press().await.0, StatusCode::SEE_OTHER);
    }
    let (status, _, refused) = press().await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.contains("Réessayez dans un quart"), "{refused}");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/trainers/{MARIE}/erase"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(t
        .app
        .store
        .wallet_exchanges_of(MARIE)
        .await
        .expect("exchanges")
        .is_empty());
    let (status, _) = wallet_call(&t.app, Method::POST, &exchange, Some(&json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

crate::on_both_backends!(the_older_deep_link_posts_the_bare_presentation);

/// `https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…`: the
/// wallet posts its presentation, with that challenge, straight to `vc_request_url`.
async fn the_older_deep_link_posts_the_bare_presentation(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let id = award(&t, &class, MARIE, "Marie Curie").await;
    let cookie = sign_in(&t, MARIE).await;
    let (_, html) = start(&t.app, &cookie, &id).await;
    let link = href_before(&html, "Ouvrir dans Learner Credential Wallet");
    let url = url::Url::parse(&link).expect("deep link");
    assert_eq!(url.host_str(), Some("lcw.app"));
    assert_eq!(url.path(), "/request.html");
    let q: std::collections::BTreeMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["auth_type"], "bearer");
    assert_eq!(q["issuer"], BASE);
    let holder = Holder::new(44);
    let vp = holder.did_auth(&q["challenge"], None, "Ed25519Signature2020");
    let (status, answer) = wallet_call(&t.app, Method::POST, &q["vc_request_url"], Some(&vp)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["type"][0], "VerifiablePresentation");
    let credential = &answer["verifiableCredential"][0];
    assert_eq!(credential["credentialSubject"]["id"], holder.did);
    let report = check(&t.app, credential, MARIE).await;
    assert_eq!(report.verdict(), Verdict::Valid, "{report:#?}");
}

/// The exchange taken by the Learner Credential Wallet's own signing libraries against a
/// listening server; what it receives passes the independent OB 3.0 verifiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallets_libraries_take_the_exchange_and_independent_verifiers_accept_the_credential() {
    let Some(dir) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let home = crate::interop_ob2::conformance_home().expect("conformance home");
    let crate::interop_ob2::Live { t, server, .. } = crate::interop_ob2::live_now().await;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let id = award(&t, &class, MARIE, "Marie Curie").await;
    let cookie = sign_in(&t, MARIE).await;
    let (_, html) = start(&t.app, &cookie, &id).await;
    let interaction = text_of(&html, "wallet-link");

    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wallet/lcw-exchange.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .arg(&interaction)
        .arg(home.join("ob3"))
        .output()
        .await
        .expect("run node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).expect("json");
    let credential = &result["answer"]["verifiablePresentation"]["verifiableCredential"][0];
    assert_eq!(credential["credentialSubject"]["id"], result["holder"]);

    let files = tempfile::tempdir().expect("tempdir");
    let path = files.path().join("delivered.json");
    std::fs::write(&path, credential.to_string()).expect("write");
    let (code, report) = crate::interop_ob3::verify(&dir, &path.display().to_string()).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    let report = check(&t.app, credential, MARIE).await;
    assert_eq!(report.verdict(), Verdict::Valid, "{report:#?}");
    server.stop().await;
}
