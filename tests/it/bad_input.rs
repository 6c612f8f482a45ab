//! Bad requests get a 4xx JSON error naming the field and the problem, and store nothing.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};

use crate::common::{badge_class_body, issuer_body, tiny_png, Backend, TestApp};
use crate::on_both_backends;

fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn counts(t: &TestApp) -> (usize, usize, i64) {
    (
        t.app.issuers().await.expect("issuers").len(),
        t.app.badge_classes().await.expect("classes").len(),
        t.app.store.count_awards().await.expect("awards"),
    )
}

on_both_backends!(bad_requests_are_refused_and_leave_nothing_behind);

async fn bad_requests_are_refused_and_leave_nothing_behind(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let before = counts(&t).await;

    // Not JSON at all.
    let req = Request::post("/api/v1/issuers")
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"name\": \"DANE\","))
        .expect("request");
    let (status, _, body) = t.raw(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).expect("json error");
    assert_eq!(body["error"]["code"], "bad_json");

    // Not declared as JSON.
    let req = Request::post("/api/v1/issuers")
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(issuer_body().to_string()))
        .expect("request");
    let (status, _, _) = t.raw(req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Missing fields: every one named.
    let (status, body) = t
        .admin(
            Method::POST,
            "/api/v1/issuers",
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["name", "url", "email"]);

    // A field of the wrong type, and an unknown field.
    let mut wrong = issuer_body();
    wrong["name"] = json!(5);
    let (status, body) = t.admin(Method::POST, "/api/v1/issuers", Some(wrong)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(fields(&body), ["name"]);
    let mut typo = issuer_body();
    typo["descripton"] = json!("typo");
    let (status, body) = t.admin(Method::POST, "/api/v1/issuers", Some(typo)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("descripton"),
        "{body}"
    );

    // Invalid emails.
    let mut bad_email = issuer_body();
    bad_email["email"] = json!("dane.ac-versailles.fr");
    let (status, body) = t
        .admin(Method::POST, "/api/v1/issuers", Some(bad_email))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["email"]);
    let award = json!({"badge_class": class, "recipient": {"email": "marie@", "name": "Marie"}});
    let (status, body) = t.admin(Method::POST, "/api/v1/awards", Some(award)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["recipient.email"]);

    // Images: judged by their bytes, and by their size.
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let cases = [
        format!("data:image/png;base64,{}", b64(b"GIF89a\x01\x00\x01\x00")),
        format!(
            "data:image/svg+xml;base64,{}",
            b64(b"<html><body>not svg</body></html>")
        ),
        format!("data:image/gif;base64,{}", b64(b"GIF89a")),
        "https://example.org/badge.png".to_string(),
        format!(
            "data:image/png;base64,{}",
            b64(&{
                let mut big = tiny_png();
                big.resize(2 * 1024 * 1024 + 1, 0);
                big
            })
        ),
    ];
    for image in cases {
        let mut body = badge_class_body(&issuer);
        body["image"] = json!(image);
        let (status, body) = t
            .admin(Method::POST, "/api/v1/badge-classes", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), ["image"], "{body}");
    }

    // A body over the limit.
    let mut huge = badge_class_body(&issuer);
    huge["description"] = json!("x".repeat(5 * 1024 * 1024));
    let (status, body) = t
        .admin(Method::POST, "/api/v1/badge-classes", Some(huge))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    // Unknown references in the body, unknown ids in the path.
    let (status, body) = t
        .admin(
            Method::POST,
            "/api/v1/badge-classes",
            Some(badge_class_body("7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["issuer"]);
    let award = json!({"badge_class": "7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11", "recipient": {"email": "m@ac-versailles.fr", "name": "M"}});
    let (status, body) = t.admin(Method::POST, "/api/v1/awards", Some(award)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["badge_class"]);
    for path in [
        "/api/v1/issuers/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
        "/api/v1/badge-classes/not-an-id",
        "/api/v1/awards/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
    ] {
        let (status, body) = t.admin(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, body) = t
        .admin(
            Method::PUT,
            "/api/v1/issuers/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
            Some(issuer_body()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    for path in [
        "/assertions/nope",
        "/badges/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
        "/issuers/x",
        "/nowhere",
    ] {
        let (status, _, _) = t.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    // A failed update changes nothing.
    let mut bad = issuer_body();
    bad["url"] = json!("javascript:alert(1)");
    let (status, body) = t
        .admin(Method::PUT, &format!("/api/v1/issuers/{issuer}"), Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["url"]);
    let (_, read) = t
        .admin(Method::GET, &format!("/api/v1/issuers/{issuer}"), None)
        .await;
    assert_eq!(read["url"], "https://www.ac-versailles.fr");

    assert_eq!(counts(&t).await, before, "no partial rows");
}
