//! Badges insigne did not issue: made by the JavaScript stack (../shared/conformance) and served
//! from loopback, verified through the guarded fetcher (loopback allow-listed in tests).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use insigne::http::resolve::LocalResolver;
use insigne::verify::{self, Options, Verdict};

use crate::common::{Backend, TestApp};
use crate::interop_ob2::conformance_dir;

/// A loopback site serving conformance fixtures, stopped when dropped.
struct Site {
    child: Child,
    base: String,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes the `generation`'s foreign fixtures for a free loopback port and serves their
/// `served` subfolder there.
fn fixture_site(
    dir: &std::path::Path,
    generation: &str,
    served: &str,
) -> (tempfile::TempDir, Site) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let out = tempfile::tempdir().expect("tempdir");
    let made = Command::new("bash")
        .arg(dir.join("foreign-fixtures.sh"))
        .args([generation, out.path().to_str().expect("path"), &base])
        .stdout(Stdio::null())
        .status()
        .expect("foreign-fixtures.sh");
    assert!(made.success(), "{generation} fixtures not made");
    let child = Command::new("python3")
        .arg(dir.join("lib/serve.py"))
        .arg(out.path().join(served))
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve.py");
    let site = Site { child, base };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the fixture site did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (out, site)
}

/// An insigne verifying at the real time, resolving what it does not serve through its guarded
/// fetcher (loopback allowed in tests).
async fn verifier() -> (TestApp, LocalResolver, Options) {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let resolver = LocalResolver::new(t.app.clone());
    let options = Options {
        recipient_email: None,
        ..Options::at(chrono::Utc::now())
    };
    (t, resolver, options)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_ob3_badges_served_from_loopback() {
    let Some(dir) = conformance_dir() else { return };
    let (out, _site) = fixture_site(&dir, "ob3", "www");
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let options = Options {
        recipient_email: None,
        ..Options::at(chrono::Utc::now())
    };
    let resolver = LocalResolver::new(t.app.clone());
    for (file, expected, why) in [
        ("cred.json", Verdict::Valid, ""),
        ("cred-tampered.json", Verdict::Invalid, "proof"),
        ("www/credentials/didweb.json", Verdict::Valid, ""),
        ("www/credentials/http-issuer.json", Verdict::Valid, ""),
        ("www/credentials/kid.jwt", Verdict::Valid, ""),
        ("www/credentials/revoked.json", Verdict::Invalid, "revoked"),
        (
            "www/credentials/status-missing.json",
            Verdict::Invalid,
            "status",
        ),
    ] {
        let bytes = std::fs::read(out.path().join(file)).expect("fixture");
        let r = verify::verify_bytes(&bytes, &resolver, &options).await;
        assert_eq!(r.verdict(), expected, "{file}: {:#?}", r.checks);
        if !why.is_empty() {
            assert!(
                r.errors.iter().any(|e| e.contains(why)),
                "{file}: {:?}",
                r.errors
            );
        }
    }
    // The same credential checked with the recipient's email (the fixtures hash this one).
    let bytes = std::fs::read(out.path().join("cred.json")).expect("fixture");
    let with = Options {
        recipient_email: Some("conformance@imsglobal.org".into()),
        ..Options::at(chrono::Utc::now())
    };
    assert_eq!(
        verify::verify_bytes(&bytes, &resolver, &with)
            .await
            .verdict(),
        Verdict::Valid
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_ob2_badges_served_from_loopback() {
    let Some(dir) = conformance_dir() else { return };
    let (out, site) = fixture_site(&dir, "ob2", "");
    let base = site.base.clone();
    let (_t, resolver, options) = verifier().await;
    let url = |name: &str| format!("{base}/{name}").into_bytes();
    let file = |name: &str| std::fs::read(out.path().join(name)).expect("fixture");
    for (what, input, expected, why) in [
        ("hosted", url("assertion.json"), Verdict::Valid, ""),
        (
            "hosted, expired",
            url("assertion-expired.json"),
            Verdict::Invalid,
            "expir",
        ),
        (
            "hosted, issued in the future",
            url("assertion-future.json"),
            Verdict::Invalid,
            "future",
        ),
        (
            "hosted, 410 Gone",
            url("assertion-revokedflag.json"),
            Verdict::Invalid,
            "revoked",
        ),
        ("signed", file("assertion-signed.jws"), Verdict::Valid, ""),
        (
            "signed, revoked",
            file("assertion-signed-revoked.jws"),
            Verdict::Invalid,
            "revoked",
        ),
        (
            "signed, tampered",
            file("assertion-signed-tampered.jws"),
            Verdict::Invalid,
            "signature",
        ),
        (
            "signed by another key",
            file("assertion-signed-otherkey.jws"),
            Verdict::Invalid,
            "key",
        ),
        (
            "signed RS512",
            file("assertion-signed-rs512.jws"),
            Verdict::Invalid,
            "RS512",
        ),
        (
            "signed HS256",
            file("assertion-signed-hs256.jws"),
            Verdict::Invalid,
            "HS256",
        ),
        (
            "alg none",
            file("assertion-signed-none.jws"),
            Verdict::Invalid,
            "none",
        ),
    ] {
        let r = verify::verify_bytes(&input, &resolver, &options).await;
        assert_eq!(r.verdict(), expected, "{what}: {:#?}", r.checks);
        if !why.is_empty() {
            assert!(
                r.errors.iter().any(|e| e.contains(why)),
                "{what}: {:?}",
                r.errors
            );
        }
    }
}

/// The one-deviation OB 2.0 probes of `foreign-fixtures.sh ob2` (each a hosted assertion, its
/// badge class and issuer, one thing changed), with what the official validator says (its
/// self-test) and where insigne is stricter on purpose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_ob2_one_deviation_probes() {
    let Some(dir) = conformance_dir() else { return };
    let (_out, site) = fixture_site(&dir, "ob2", "");
    let base = site.base.clone();
    let (_t, resolver, options) = verifier().await;
    let mut wrong = Vec::new();
    let probes: &[(&str, Verdict, &str)] = &[
        // Valid for the official validator, and for insigne.
        ("startswith_ok", Verdict::Valid, ""),
        ("embedded", Verdict::Valid, ""),
        ("imgobj", Verdict::Valid, ""),
        ("imgdata", Verdict::Valid, ""),
        ("plainemail", Verdict::Valid, ""),
        ("verifname", Verdict::Valid, ""),
        ("ctxarr", Verdict::Valid, ""),
        // The image is not part of what makes a badge genuine: not fetched.
        ("img404", Verdict::Valid, ""),
        // Invalid for both.
        ("noimg", Verdict::Invalid, "image"),
        ("nocrit", Verdict::Invalid, "criteria"),
        ("nodesc", Verdict::Invalid, "description"),
        ("nourl", Verdict::Invalid, "url"),
        ("noname", Verdict::Invalid, "name"),
        ("notz", Verdict::Invalid, "issuedOn"),
        ("dateonly", Verdict::Invalid, "issuedOn"),
        ("hashfalse", Verdict::Invalid, "recipient"),
        ("noverif", Verdict::Invalid, "verification"),
        ("norecipient", Verdict::Invalid, "recipient"),
        ("ao_port", Verdict::Invalid, "allowedOrigins"),
        ("startswith_bad", Verdict::Invalid, "startsWith"),
        ("noctx", Verdict::Invalid, "@context"),
        ("typearr", Verdict::Invalid, "type"),
        ("badgeurn", Verdict::Invalid, "badge"),
        // The validator lets these through; insigne does not. An assertion whose id names
        // another document is not "the same when fetched from its id" (a warning for the
        // validator); an issuer that is not a Profile, an unknown verification type and an
        // issuer without the email OB 2.0 requires are refused.
        ("idmismatch", Verdict::Invalid, "id"),
        ("isstype", Verdict::Invalid, "Profile"),
        ("vtype", Verdict::Invalid, "verification"),
        ("noemail", Verdict::Invalid, "email"),
    ];
    for (tag, expected, why) in probes {
        let url = format!("{base}/p/{tag}-a.json");
        let r = verify::verify_bytes(url.as_bytes(), &resolver, &options).await;
        let errors = r.errors.join(" | ");
        if r.verdict() != *expected || (!why.is_empty() && !errors.contains(why)) {
            wrong.push(format!(
                "{tag}: {:?} (expected {expected:?}, {why:?}): {:?}",
                r.verdict(),
                r.checks
                    .iter()
                    .filter(|c| c.status != verify::Status::Passed)
                    .map(|c| format!("{}: {}", c.name, c.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    // The same assertion at localhost, whose id says 127.0.0.1: not the document at its id.
    let localhost = format!(
        "{}/p/localhost-a.json",
        base.replace("127.0.0.1", "localhost")
    );
    let r = verify::verify_bytes(localhost.as_bytes(), &resolver, &options).await;
    if r.verdict() != Verdict::Invalid {
        wrong.push(format!("localhost: {:?}: {:?}", r.verdict(), r.checks));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
