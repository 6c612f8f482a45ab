//! Reading badges out of images: the HTTP endpoint and the command line, with bad input.

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use insigne::bake::{self, Generation};
use serde_json::Value;

use crate::common::{tiny_png, Backend, TestApp};

async fn post_unbake(t: &TestApp, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post("/api/v1/unbake")
        .body(Body::from(body))
        .expect("request");
    let (status, _, bytes) = t.raw(req).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_unbake_endpoint_reads_badges_and_refuses_bad_images() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let png = bake::png::bake(&tiny_png(), Generation::Ob2, "a.b.c").expect("bake");
    let (status, body) = post_unbake(&t, png.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["badges"][0]["payload"], "a.b.c");
    assert_eq!(body["badges"][0]["generation"], "ob2");
    let dual = bake::png::bake(&png, Generation::Ob3, "{\"type\":\"x\"}").expect("bake");
    let (_, body) = post_unbake(&t, dual).await;
    assert_eq!(body["badges"].as_array().map(Vec::len), Some(2));

    let mut lying = png.clone();
    lying[8..12].copy_from_slice(&0x7fff_fff0u32.to_be_bytes());
    let doctype = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>"#;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not an image",
            b"%PDF-1.7 not an image".to_vec(),
            "neither a PNG nor an SVG",
        ),
        ("truncated", png[..png.len() - 7].to_vec(), "truncated"),
        ("lying length", lying, "declares"),
        ("no badge", tiny_png(), "no baked badge"),
        ("doctype", doctype.to_vec(), "DOCTYPE"),
    ];
    for (what, bytes, expected) in cases {
        let (status, body) = post_unbake(&t, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(expected), "{what}: {message}");
    }
    // No Content-Length the edge could refuse first: the route's own limit, in the API's words.
    let (status, body) = post_unbake(&t, vec![0u8; bake::MAX_IMAGE_BYTES + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "too_large", "{body}");
}

fn insigne(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_insigne"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run insigne")
}

#[test]
fn bake_and_unbake_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("badge.png"), tiny_png()).expect("write");
    std::fs::write(
        d.join("badge.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#,
    )
    .expect("write");
    std::fs::write(
        d.join("assertion.jws"),
        "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2ln\n",
    )
    .expect("write");
    std::fs::write(
        d.join("assertion.json"),
        r#"{"id":"https://b.test/assertions/1","type":"Assertion"}"#,
    )
    .expect("write");

    for (image, payload, expected) in [
        (
            "badge.png",
            "assertion.jws",
            "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2ln",
        ),
        (
            "badge.svg",
            "assertion.jws",
            "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.c2ln",
        ),
        (
            "badge.svg",
            "assertion.json",
            r#"{"id":"https://b.test/assertions/1","type":"Assertion"}"#,
        ),
    ] {
        let out_name = format!("baked-{image}");
        let out = insigne(&["bake", image, payload, "-o", &out_name], d);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = insigne(&["unbake", &out_name], d);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected);
    }
    let baked = std::fs::read(d.join("baked-badge.svg")).expect("read");
    let text = String::from_utf8(baked).expect("utf8");
    assert!(
        text.contains(r#"<openbadges:assertion verify="https://b.test/assertions/1"><![CDATA["#),
        "{text}"
    );

    // Bad input: exit 2 with a message, never a panic.
    std::fs::write(d.join("notes.txt"), "hello").expect("write");
    let png = std::fs::read(d.join("baked-badge.png")).expect("read");
    std::fs::write(d.join("truncated.png"), &png[..png.len() - 9]).expect("write");
    for (args, message) in [
        (vec!["unbake", "notes.txt"], "neither a PNG nor an SVG"),
        (vec!["unbake", "truncated.png"], "truncated"),
        (vec!["unbake", "badge.png"], "no baked badge"),
        (vec!["unbake", "missing.png"], "cannot read"),
        (
            vec!["bake", "notes.txt", "assertion.jws", "-o", "x.png"],
            "neither a PNG nor an SVG",
        ),
    ] {
        let out = insigne(&args, d);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
