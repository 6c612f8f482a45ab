//! What insigne issues, checked by the official 1EdTech Open Badges 2.0 validator (openbadges
//! 1.1.2, installed by ../shared/conformance/setup.sh) against a real listening server.

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp};

/// The conformance folder, or `None` (with the reason printed) when it is not installed here.
/// With `INSIGNE_REQUIRE_CONFORMANCE=1` (set by CI) a missing validator fails instead.
/// Where `setup.sh` installed the conformance toolchains.
pub fn conformance_home() -> Option<PathBuf> {
    std::env::var_os("INSIGNE_CONFORMANCE_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/insigne-conformance"))
        })
}

pub fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("INSIGNE_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    let home = conformance_home();
    let installed = dir.join("ob2-validate.sh").exists()
        && home.is_some_and(|h| {
            h.join("ob2/venv/bin/python").exists()
                && h.join("ob3/node_modules/@digitalbazaar/vc").exists()
        });
    if installed {
        return Some(dir);
    }
    let message = format!(
        "the Open Badges validators are not installed (run: bash {}/setup.sh)",
        dir.display()
    );
    if std::env::var("INSIGNE_REQUIRE_CONFORMANCE").is_ok_and(|v| v == "1") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// Runs `ob2-validate.sh` on `input`; returns its exit code and JSON report.
pub(crate) async fn validate(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
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

/// A real server for `app` on `listener`, stopped when dropped or by `stop()`.
pub struct Served {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Served {
    pub fn start(listener: tokio::net::TcpListener, app: insigne::service::Insigne) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(insigne::http::serve(
            listener,
            app,
            async {
                let _ = stopped.await;
            },
            std::time::Duration::from_secs(5),
        ));
        Self {
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("join").expect("server");
        }
    }
}

/// A test app served on a free loopback port, as the validators see it.
pub struct Live {
    pub t: TestApp,
    pub base: String,
    pub port: u16,
    pub server: Served,
}

/// Serves a fresh app (SQLite, the given clock and DID method) on a loopback port; its public
/// URL spells the host `localhost`, as the OB 2.0 validator wants.
pub async fn live(
    clock: std::sync::Arc<dyn insigne::domain::Clock>,
    did: insigne::formats::ob3::identity::DidMethod,
) -> Live {
    let (listener, base) = loopback().await;
    let port = listener.local_addr().expect("addr").port();
    let mut t = TestApp::with(Backend::Sqlite, &base, clock)
        .await
        .expect("app");
    t.app.did_method = did;
    let server = Served::start(listener, t.app.clone());
    Live {
        t,
        base,
        port,
        server,
    }
}

/// The system clock and did:web: what most interop tests serve with.
pub async fn live_now() -> Live {
    live(
        std::sync::Arc::new(insigne::domain::SystemClock),
        Default::default(),
    )
    .await
}

/// `insigne keys rotate`, then the service starts again on `port` with the new key ring.
pub async fn restart_with_rotated_keys(
    t: &TestApp,
    port: u16,
) -> (insigne::service::Insigne, Served) {
    let mut ring = insigne::proof::KeyRing::load(t.keys_dir.path()).expect("load");
    ring.rotate(chrono::Utc::now()).expect("rotate");
    let mut app = t.app.clone();
    app.keys = insigne::proof::KeyRing::load(t.keys_dir.path())
        .expect("reload")
        .into();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind");
    let server = Served::start(listener, app.clone());
    (app, server)
}

/// A listener on a free loopback port, and the public base URL the validator will see for it
/// (the validator wants the issuer's and the assertion's hosts spelled the same).
pub async fn loopback() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    (listener, format!("http://localhost:{port}"))
}

pub async fn award(t: &TestApp, class: &str, email: &str) -> Value {
    t.award(json!({
        "badge_class": class,
        "recipient": {"email": email, "name": "Marie Curie"},
        "evidence": [{"name": "E1-M2", "narrative": "Parcours hybride scénarisé"}],
    }))
    .await
}

/// Downloads a link of the award into `dir`; returns the file path.
pub async fn download(
    t: &TestApp,
    base: &str,
    url: &str,
    dir: &std::path::Path,
    name: &str,
) -> String {
    let (status, _, bytes) = t.get(url.strip_prefix(base).expect("local url")).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_validator_accepts_a_hosted_assertion() {
    let Some(dir) = conformance_dir() else { return };
    let Live { t, server, .. } = live_now().await;

    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let award = award(&t, &class, "marie.curie@ac-versailles.fr").await;
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

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_validator_accepts_signed_and_baked_badges_until_revoked() {
    let Some(dir) = conformance_dir() else { return };
    let Live {
        t, base, server, ..
    } = live_now().await;
    let files = tempfile::tempdir().expect("tempdir");

    let issuer = t.issuer().await;
    // One badge class with a PNG image, one with an SVG image: each download is baked into a
    // converted image for the other kind.
    let png_class = t.badge_class(&issuer, Some(365)).await;
    let mut svg_body = crate::common::badge_class_body(&issuer);
    svg_body["image"] = json!(crate::common::svg_data_uri());
    let (_, svg_class) = t
        .admin(Method::POST, "/api/v1/badge-classes", Some(svg_body))
        .await;
    let svg_class = svg_class["id"].as_str().expect("id").to_string();
    let recipient = json!({"email": "marie.curie@ac-versailles.fr"}).to_string();

    for class in [&png_class, &svg_class] {
        let award = award(&t, class, "marie.curie@ac-versailles.fr").await;
        let links = &award["links"];
        let jws = download(
            &t,
            &base,
            links["ob2_signed"].as_str().expect("link"),
            files.path(),
            "signed.jws",
        )
        .await;
        let png = download(
            &t,
            &base,
            links["png"].as_str().expect("link"),
            files.path(),
            "badge.png",
        )
        .await;
        let svg = download(
            &t,
            &base,
            links["svg"].as_str().expect("link"),
            files.path(),
            "badge.svg",
        )
        .await;
        let hosted_png = format!("{}?form=hosted", links["png"].as_str().expect("link"));
        let hosted_png = download(&t, &base, &hosted_png, files.path(), "hosted.png").await;
        for input in [&jws, &png, &svg, &hosted_png] {
            let (code, report) =
                validate(&dir, &[input, "--recipient", &recipient, "--report-only"]).await;
            assert_eq!(code, 0, "{input}: {report:#}");
            assert_eq!(report["valid"], true, "{input}: {report:#}");
        }

        // One byte changed in the JWS: invalid.
        let original = std::fs::read_to_string(&jws).expect("jws");
        let mut bytes = original.clone().into_bytes();
        let i = bytes.len() - 10;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = files.path().join("tampered.jws");
        std::fs::write(&tampered, bytes).expect("write");
        let (code, report) =
            validate(&dir, &[&tampered.display().to_string(), "--report-only"]).await;
        assert_eq!(code, 1, "a changed signature must fail: {report:#}");

        // Revoked: the signed form and the baked image fail, the hosted URL answers 410.
        let id = award["id"].as_str().expect("id");
        let (status, _) = t
            .admin(
                Method::POST,
                &format!("/api/v1/awards/{id}/revoke"),
                Some(json!({"reason": "Attribué par erreur"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        for input in [&jws, &png] {
            let (code, report) = validate(&dir, &[input, "--report-only"]).await;
            assert_eq!(code, 1, "{input} must be invalid once revoked: {report:#}");
            let text = report.to_string();
            assert!(
                text.contains("has been revoked") && text.contains("Attribué par erreur"),
                "{report:#}"
            );
        }
        let (status, _, _) = t.get(&format!("/assertions/{id}")).await;
        assert_eq!(status, StatusCode::GONE);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_badge_signed_before_key_rotation_still_validates() {
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
    let old_jws = download(
        &t,
        &base,
        before["links"]["ob2_signed"].as_str().expect("link"),
        files.path(),
        "old.jws",
    )
    .await;
    server.stop().await;

    // `insigne keys rotate`, then the service restarts with the new key ring.
    let old_kid = t
        .app
        .keys()
        .active_kid(insigne::proof::KeyAlgorithm::RS256)
        .expect("kid")
        .to_string();
    let (app, server) = restart_with_rotated_keys(&t, port).await;

    let (code, report) = validate(&dir, &[&old_jws, "--report-only"]).await;
    assert_eq!(code, 0, "signed with the retired key {old_kid}: {report:#}");
    let new_jws = app.keys().sign_rs256(b"{}", None).expect("sign").0;
    assert_ne!(new_jws, old_kid, "the new key signs now");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_validator_sees_an_expired_badge() {
    let Some(dir) = conformance_dir() else { return };
    // Issued on 1 March 2024 for 30 days: long expired today.
    let issued: chrono::DateTime<chrono::Utc> = "2024-03-01T09:00:00Z".parse().expect("date");
    let clock = std::sync::Arc::new(insigne::domain::FixedClock(issued));
    let Live {
        t, base, server, ..
    } = live(clock, Default::default()).await;
    let files = tempfile::tempdir().expect("tempdir");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(30)).await;
    let award = award(&t, &class, "marie.curie@ac-versailles.fr").await;
    assert_eq!(award["expires"], "2024-03-31T09:00:00Z");
    let jws = download(
        &t,
        &base,
        award["links"]["ob2_signed"].as_str().expect("link"),
        files.path(),
        "old.jws",
    )
    .await;
    for input in [
        award["links"]["ob2_assertion"]
            .as_str()
            .expect("url")
            .to_string(),
        jws,
    ] {
        let (code, report) = validate(&dir, &[&input, "--report-only"]).await;
        assert_eq!(code, 1, "{input} has expired: {report:#}");
        assert!(report.to_string().contains("expired"), "{report:#}");
    }
    server.stop().await;
}

/// The award `id`, as a live server serves it, passes the official OB 2.0 validator (hosted,
/// for `email`) and the independent OB 3.0 verifiers (its credential and its VC-JWT).
pub async fn official_validators_accept(
    dir: &std::path::Path,
    t: &TestApp,
    base: &str,
    id: &str,
    email: &str,
) {
    let (status, award) = t
        .admin(
            axum::http::Method::GET,
            &format!("/api/v1/awards/{id}"),
            None,
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let url = award["links"]["ob2_assertion"]
        .as_str()
        .expect("url")
        .to_string();
    let recipient = serde_json::json!({ "email": email }).to_string();
    let (code, report) = validate(dir, &[&url, "--recipient", &recipient, "--report-only"]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    let files = tempfile::tempdir().expect("tempdir");
    for (link, name) in [
        ("ob3_credential", "credential.json"),
        ("ob3_jwt", "credential.jwt"),
    ] {
        let path = download(
            t,
            base,
            award["links"][link].as_str().expect("link"),
            files.path(),
            name,
        )
        .await;
        let (code, report) = crate::interop_ob3::verify(dir, &path).await;
        assert_eq!(code, 0, "{name}: {report:#}");
        assert_eq!(report["valid"], true, "{report:#}");
    }
}
