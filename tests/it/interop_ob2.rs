//! What insigne issues, checked by the official 1EdTech Open Badges 2.0 validator (openbadges
//! 1.1.2, installed by ../shared/conformance/setup.sh) against a real listening server.

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp};

/// The conformance folder, or `None` (with the reason printed) when it is not installed here.
/// With `INSIGNE_REQUIRE_CONFORMANCE=1` (set by CI) a missing validator fails instead.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("INSIGNE_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    let home = std::env::var_os("INSIGNE_CONFORMANCE_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/insigne-conformance"))
        });
    let installed = dir.join("ob2-validate.sh").exists()
        && home.is_some_and(|h| h.join("ob2/venv/bin/python").exists());
    if installed {
        return Some(dir);
    }
    let message = format!(
        "the OB 2.0 validator is not installed (run: bash {}/setup.sh)",
        dir.display()
    );
    if std::env::var("INSIGNE_REQUIRE_CONFORMANCE").is_ok_and(|v| v == "1") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// Runs `ob2-validate.sh` on `input`; returns its exit code and JSON report.
async fn validate(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let out = tokio::process::Command::new("bash")
        .arg(dir.join("ob2-validate.sh"))
        .args(args)
        .output()
        .await
        .expect("run ob2-validate.sh");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "validator output is not JSON:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_validator_accepts_a_hosted_assertion() {
    let Some(dir) = conformance_dir() else { return };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // The validator wants the issuer's and the assertion's hosts spelled the same.
    let base = format!("http://localhost:{port}");
    let t = TestApp::with_system_clock(Backend::Sqlite, &base)
        .await
        .expect("app");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(insigne::http::serve(listener, t.app.clone(), async {
        let _ = stopped.await;
    }));

    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let (status, award) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({
                "badge_class": class,
                "recipient": {"email": "marie.curie@ac-versailles.fr", "name": "Marie Curie"},
                "evidence": [{"name": "E1-M2", "narrative": "Parcours hybride scénarisé"}],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let url = award["links"]["ob2_assertion"]
        .as_str()
        .expect("url")
        .to_string();

    let recipient = json!({"email": "marie.curie@ac-versailles.fr"}).to_string();
    let (code, report) = validate(&dir, &[&url, "--recipient", &recipient, "--report-only"]).await;
    assert_eq!(code, 0, "validator report: {report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["errorCount"], 0, "{report:#}");

    // The same validator, told another recipient, must refuse: the hash really binds the email.
    let other = json!({"email": "someone.else@ac-versailles.fr"}).to_string();
    let (code, report) = validate(&dir, &[&url, "--recipient", &other, "--report-only"]).await;
    assert_eq!(code, 1, "a wrong recipient must be invalid: {report:#}");

    let _ = stop.send(());
    server.await.expect("join").expect("server");
}
