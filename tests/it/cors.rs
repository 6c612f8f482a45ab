//! Browser verifiers may fetch what a verifier needs (CORS `*` on the OB 2.0 and OB 3.0
//! documents, DID documents, status lists, keys), and nothing else: the admin API, the
//! trainer's pages and the console answer without CORS headers, so no other site's script can
//! read them. The badge page links VerifierPlus with the credential's URL.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp, BASE};

fn relative(url: &str) -> String {
    url.strip_prefix(BASE)
        .expect("a URL of the service")
        .to_string()
}

async fn from_origin(t: &TestApp, method: Method, path: &str) -> axum::http::HeaderMap {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, "https://verifierplus.org")
        .header(header::ACCEPT, "application/ld+json, application/json")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = t.raw(req).await;
    assert!(status.is_success(), "{path}: {status}");
    headers
}

crate::on_both_backends!(verifiers_in_a_browser_read_the_documents_and_nothing_else);

async fn verifiers_in_a_browser_read_the_documents_and_nothing_else(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let award = t
        .award(json!({"badge_class": class, "recipient": {"email": "marie.curie@ac-versailles.fr", "name": "Marie Curie"}}))
        .await;
    let links: &Value = &award["links"];
    let credential: Value = {
        let (_, _, body) = t
            .get(&relative(links["ob3_credential"].as_str().expect("url")))
            .await;
        serde_json::from_slice(&body).expect("credential")
    };
    let status_list = credential["credentialStatus"]["statusListCredential"]
        .as_str()
        .expect("status list")
        .to_string();
    let mut documents: Vec<String> = ["ob2_assertion", "ob2_signed", "ob3_credential", "ob3_jwt"]
        .iter()
        .map(|k| relative(links[k].as_str().expect("link")))
        .collect();
    documents.extend([
        format!("/issuers/{issuer}"),
        format!("/issuers/{issuer}/did.json"),
        format!("/issuers/{issuer}/revocations"),
        format!("/badge-classes/{class}"),
        relative(&status_list),
        "/.well-known/jwks.json".to_string(),
    ]);
    for path in &documents {
        let headers = from_origin(&t, Method::GET, path).await;
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
        // A verifier sending its own headers asks first: the preflight is answered.
        let req = Request::builder()
            .method(Method::OPTIONS)
            .uri(path.as_str())
            .header(header::ORIGIN, "https://verifierplus.org")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "x-verifier")
            .body(Body::empty())
            .expect("request");
        let (status, headers, _) = t.raw(req).await;
        assert!(status.is_success(), "{path}: {status}");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
        assert!(
            headers[header::ACCESS_CONTROL_ALLOW_METHODS]
                .to_str()
                .expect("methods")
                .contains("GET"),
            "{path}"
        );
    }

    // Never on the admin API, the trainer's pages or the console.
    let req = Request::get("/api/v1/issuers")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token))
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = t.raw(req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    for path in ["/mes-badges", "/admin/connexion", "/verify"] {
        let req = Request::get(path)
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::empty())
            .expect("request");
        let (_, headers, _) = t.raw(req).await;
        assert!(
            headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{path}"
        );
    }

    // The badge page sends the employer to VerifierPlus with the credential's URL.
    let page_path = relative(links["page"].as_str().expect("page"));
    let req = Request::get(page_path.as_str())
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .expect("request");
    let (_, _, page) = t.raw(req).await;
    let page = String::from_utf8(page).expect("html");
    let encoded: String = url::form_urlencoded::byte_serialize(
        links["ob3_credential"].as_str().expect("url").as_bytes(),
    )
    .collect();
    assert!(
        page.contains(&format!("href=\"https://verifierplus.org?url={encoded}\"")),
        "{page}"
    );
    assert!(page.contains("Vérifier avec VerifierPlus"), "{page}");
}
