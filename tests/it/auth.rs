//! Admin routes need an admin-scope bearer token.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use crate::common::{issuer_body, Backend, TestApp};

#[tokio::test]
async fn admin_routes_refuse_missing_unknown_and_wrong_scope_tokens() {
    let t = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    for path in ["/api/v1/issuers", "/api/v1/badge-classes"] {
        let (status, body) = t.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("Bearer"));

        let (status, body) = t
            .call(Method::GET, path, Some("insigne_not-a-real-token"), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"]["message"], "unknown or revoked token");

        let ingest = t.ingest_token.clone();
        let (status, body) = t.call(Method::GET, path, Some(&ingest), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "forbidden");

        let (status, _) = t.admin(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // Writes too, and a refused write stores nothing.
    let ingest = t.ingest_token.clone();
    let (status, _) = t
        .call(
            Method::POST,
            "/api/v1/issuers",
            Some(&ingest),
            Some(issuer_body()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(t.app.issuers().await.expect("list").is_empty());

    // A malformed header and the WWW-Authenticate challenge.
    let req = Request::get("/api/v1/issuers")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = t.raw(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let t = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    t.app.store.close().await;
    let path = t.db.url.strip_prefix("sqlite://").expect("path");
    let mut bytes = std::fs::read(path).expect("db file");
    for suffix in ["-wal"] {
        if let Ok(more) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(more);
        }
    }
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(
        !haystack.contains(&t.admin_token),
        "the token itself must never be stored"
    );
    assert!(haystack.contains(&insigne::auth::hash_secret(&t.admin_token)));
}

#[tokio::test]
async fn the_openapi_document_describes_the_json_api() {
    let t = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    let (status, headers, body) = t.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .starts_with("application/json"));
    let doc: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/issuers", "post"),
        ("/api/v1/issuers/{id}", "put"),
        ("/api/v1/badge-classes", "get"),
        ("/api/v1/awards", "post"),
        ("/api/v1/awards/{id}/revoke", "post"),
        ("/api/v1/catalogue", "put"),
        ("/api/v1/completions", "post"),
        ("/api/v1/completions/import", "post"),
        ("/api/v1/unbake", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    // Every documented admin route is one the router answers (401 without a token, not 404).
    for path in ["/api/v1/issuers", "/api/v1/badge-classes"] {
        let (status, _) = t.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["AwardInput"]["properties"]["recipient"].is_object());
    // Every answer of every operation says what its body is.
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                assert!(
                    response["content"].is_object(),
                    "{method} {path} {status}: no body declared"
                );
            }
        }
    }
    // Every documented operation is one the router answers: never its "no such route", never
    // 405; and a route that needs a token says so with 401 (whose body is the envelope).
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", "6f0c1d6e-6a43-4b8e-9c1f-2b1f0d3c9a77")
            .replace("{email}", "nobody@ac-versailles.fr");
        for (method, operation) in item.as_object().expect("item") {
            let method: Method = method.to_uppercase().parse().expect("method");
            let (status, body) = t.call(method.clone(), &concrete, None, None).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(
                body["error"]["message"], "no such route",
                "{method} {path} is documented but not routed"
            );
            if operation.get("security").is_some() {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
                assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
            }
        }
    }
    // The document as served, kept: a change to the contract shows in review.
    insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&doc).expect("json"));
}
