//! What insigne issues as Open Badges 3.0, checked by independent verifiers
//! (../shared/conformance/ob3-verify.sh: @digitalbazaar/vc and verifier-core for Data Integrity,
//! jose for VC-JWT, ajv for the JSON Schema, jsonld.js safe mode) against a real server that
//! serves the DID documents and status lists.

use std::path::Path;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::interop_ob2::{award, conformance_dir, download, live, live_now, Live};

/// Runs `ob3-verify.sh` with the 1EdTech certification options; returns exit code and report.
pub(crate) async fn verify(dir: &Path, input: &str) -> (i32, Value) {
    let out = tokio::process::Command::new("bash")
        .arg(dir.join("ob3-verify.sh"))
        .args([
            input,
            "--no-fragment-keys",
            "--jwt-algs",
            "RS256,ES256",
            "--quiet",
        ])
        .output()
        .await
        .expect("run ob3-verify.sh");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "verifier output is not JSON:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

struct Downloads {
    credential: String,
    jwt: String,
    png: String,
    svg: String,
}

async fn downloads(t: &TestApp, base: &str, award: &Value, dir: &Path) -> Downloads {
    let link = |k: &str| award["links"][k].as_str().expect("link").to_string();
    Downloads {
        credential: download(t, base, &link("ob3_credential"), dir, "credential.json").await,
        jwt: download(t, base, &link("ob3_jwt"), dir, "credential.jwt").await,
        png: download(t, base, &link("png"), dir, "badge.png").await,
        svg: download(t, base, &link("svg"), dir, "badge.svg").await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_verifiers_accept_credentials_until_revoked() {
    let Some(dir) = conformance_dir() else { return };
    let Live {
        t, base, server, ..
    } = live_now().await;
    let files = tempfile::tempdir().expect("tempdir");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let award = award(&t, &class, "marie.curie@ac-versailles.fr").await;
    let d = downloads(&t, &base, &award, files.path()).await;

    for input in [&d.credential, &d.jwt, &d.png, &d.svg] {
        let (code, report) = verify(&dir, input).await;
        assert_eq!(code, 0, "{input}: {report:#}");
        assert_eq!(report["valid"], true, "{input}: {report:#}");
    }
    let credential: Value =
        serde_json::from_str(&std::fs::read_to_string(&d.credential).expect("read")).expect("json");
    assert!(credential["issuer"]["id"]
        .as_str()
        .expect("issuer")
        .starts_with("did:web:localhost%3A"));
    assert_eq!(
        credential["credentialSubject"]["identifier"][0]["hashed"],
        true
    );

    // One changed character: refused by both engines.
    let tampered = files.path().join("tampered.json");
    let text = std::fs::read_to_string(&d.credential).expect("read");
    std::fs::write(&tampered, text.replacen("e-CAP1", "e-CAP9", 1)).expect("write");
    let (code, report) = verify(&dir, &tampered.display().to_string()).await;
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["errors"].to_string().contains("signature"),
        "{report:#}"
    );
    let jwt = std::fs::read_to_string(&d.jwt).expect("read");
    let mut bytes = jwt.trim().as_bytes().to_vec();
    let i = bytes.len() - 12;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered_jwt = files.path().join("tampered.jwt");
    std::fs::write(&tampered_jwt, bytes).expect("write");
    let (code, report) = verify(&dir, &tampered_jwt.display().to_string()).await;
    assert_eq!(code, 1, "{report:#}");

    // Revoked: the status list says so, to every form.
    let id = award["id"].as_str().expect("id");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{id}/revoke"),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for input in [&d.credential, &d.jwt, &d.png] {
        let (code, report) = verify(&dir, input).await;
        assert_eq!(code, 1, "{input} is revoked: {report:#}");
        assert!(
            report["errors"].to_string().contains("revoked"),
            "{report:#}"
        );
    }
    // Another award of the same issuer is untouched by that revocation.
    let other = crate::interop_ob2::award(&t, &class, "ada.lovelace@ac-versailles.fr").await;
    let other_cred = download(
        &t,
        &base,
        other["links"]["ob3_credential"].as_str().expect("link"),
        files.path(),
        "other.json",
    )
    .await;
    let (code, report) = verify(&dir, &other_cred).await;
    assert_eq!(code, 0, "{report:#}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_signed_before_a_key_rotation_still_verify() {
    let Some(dir) = conformance_dir() else { return };
    let Live {
        t,
        base,
        port,
        server,
    } = live_now().await;
    let files = tempfile::tempdir().expect("tempdir");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let before = award(&t, &class, "marie.curie@ac-versailles.fr").await;
    let old = downloads(&t, &base, &before, files.path()).await;
    server.stop().await;

    let (app, server) = crate::interop_ob2::restart_with_rotated_keys(&t, port).await;

    for input in [&old.credential, &old.jwt] {
        let (code, report) = verify(&dir, input).await;
        assert_eq!(code, 0, "signed before the rotation: {input}: {report:#}");
    }
    // Revoking it after the rotation: its own list, signed by its own (retired) key, says so.
    let id = before["id"].as_str().expect("id").parse().expect("id");
    app.revoke_award(
        id,
        &insigne::service::inputs::RevokeInput {
            reason: Some("erreur".into()),
        },
    )
    .await
    .expect("revoke");
    let (code, report) = verify(&dir, &old.credential).await;
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["errors"].to_string().contains("revoked"),
        "{report:#}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_key_issuers_verify_too() {
    let Some(dir) = conformance_dir() else { return };
    let Live {
        t, base, server, ..
    } = live(
        std::sync::Arc::new(insigne::domain::SystemClock),
        insigne::formats::ob3::identity::DidMethod::Key,
    )
    .await;
    let files = tempfile::tempdir().expect("tempdir");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let award = award(&t, &class, "marie.curie@ac-versailles.fr").await;
    let d = downloads(&t, &base, &award, files.path()).await;
    let credential: Value =
        serde_json::from_str(&std::fs::read_to_string(&d.credential).expect("read")).expect("json");
    let did = credential["issuer"]["id"].as_str().expect("issuer");
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    assert_eq!(
        credential["proof"][0]["verificationMethod"],
        format!("{did}#{}", &did["did:key:".len()..])
    );
    for input in [&d.credential, &d.jwt, &d.png] {
        let (code, report) = verify(&dir, input).await;
        assert_eq!(code, 0, "{input}: {report:#}");
    }
    server.stop().await;
}

/// Text with line breaks, quotes, C0 controls, DEL, U+FFFE, combining marks and astral
/// characters in a credential of insigne's own shape: the fast path (compiled mapping and
/// insigne's RDFC-1.0) gives the bytes jsonld.js gives (`ob3-canon.sh`), escapes included.
#[tokio::test]
async fn the_canonical_form_of_unusual_text_is_the_one_of_jsonld_js() {
    let Some(dir) = conformance_dir() else { return };
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ob3/ecap-credential.json"),
    )
    .expect("fixture");
    let mut fixture: Value = serde_json::from_str(&fixture).expect("json");
    fixture.as_object_mut().expect("object").remove("proof");
    let work = tempfile::tempdir().expect("tempdir");
    for (i, text) in [
        "ligne 1\nligne 2\r\n\t« guillemets » \"cités\" \\ fin",
        "\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}\u{80}\u{9f}",
        "\u{fffe}\u{ffff}\u{2028}\u{2029}\u{feff}",
        "e\u{301}cole 🎓 𝄞 ﷽",
        "",
    ]
    .iter()
    .enumerate()
    {
        let mut doc = fixture.clone();
        doc["name"] = json!(text);
        doc["credentialSubject"]["achievement"]["name"] = json!(text);
        doc["credentialSubject"]["achievement"]["description"] = json!(text);
        assert!(
            insigne::proof::compiled::quads(&doc).is_some(),
            "insigne's own shape takes the fast path"
        );
        let path = work.path().join(format!("c{i}.json"));
        std::fs::write(&path, doc.to_string()).expect("write");
        let out = tokio::process::Command::new("bash")
            .arg(dir.join("ob3-canon.sh"))
            .arg(&path)
            .args(["--part", "document"])
            .output()
            .await
            .expect("ob3-canon.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reference = String::from_utf8(out.stdout).expect("utf8");
        let ours = insigne::proof::canon::canonical_nquads(&doc).expect("canon");
        assert_eq!(ours, reference, "text {i}: {text:?}");
    }
}
