//! The `insigne` binary as an operator uses it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn insigne(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insigne"));
    cmd.current_dir(dir).args(args).env("INSIGNE_LOG", "warn");
    for key in [
        "INSIGNE_DATABASE_URL",
        "INSIGNE_CATALOGUE",
        "INSIGNE_KEYS_DIR",
        "INSIGNE_PUBLIC_URL",
        "INSIGNE_LISTEN",
        "INSIGNE_CONFIG",
    ] {
        cmd.env_remove(key);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run insigne")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn tokens_create_prints_the_token_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = insigne(dir.path(), &["tokens", "create", "--scope", "admin"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("insigne_") && lines[0].len() > 40,
        "{stdout}"
    );
    // The default SQLite database was created where the defaults say.
    assert!(dir.path().join("data/insigne.db").exists());

    let out = insigne(
        dir.path(),
        &["tokens", "create", "--scope", "superuser"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn keys_generate_list_rotate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = insigne(dir.path(), &["keys", "list"], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no keys yet: {}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("keys generate"));

    let out = insigne(dir.path(), &["keys", "generate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);
    let out = insigne(dir.path(), &["keys", "generate"], &[]);
    assert_eq!(out.status.code(), Some(2), "generate never overwrites");

    let out = insigne(dir.path(), &["keys", "rotate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&insigne(dir.path(), &["keys", "list"], &[]).stdout);
    assert_eq!(listed.lines().count(), 4, "{listed}");
    assert_eq!(listed.matches("\tactive\t").count(), 2, "{listed}");
    assert_eq!(listed.matches("\tretired\t").count(), 2, "{listed}");
    assert!(!listed.contains("PRIVATE"));
}

#[test]
fn print_config_shows_layers_and_hides_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("insigne.toml"),
        "listen = \"127.0.0.1:9999\"\n",
    )
    .expect("write");
    let out = insigne(
        dir.path(),
        &[
            "print-config",
            "--public-url",
            "https://badges.ac-versailles.fr",
        ],
        &[(
            "INSIGNE_DATABASE_URL",
            "postgres://insigne:s3cret@db/insigne",
        )],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("listen = \"127.0.0.1:9999\""), "{shown}");
    assert!(
        shown.contains("public_url = \"https://badges.ac-versailles.fr\""),
        "{shown}"
    );
    assert!(
        shown.contains("postgres://insigne:***@db/insigne"),
        "{shown}"
    );
    assert!(!shown.contains("s3cret"));

    let out = insigne(
        dir.path(),
        &["print-config"],
        &[("INSIGNE_PUBLIC_URL", "not a url")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("INSIGNE_PUBLIC_URL"));
}

#[test]
fn issue_with_an_unknown_badge_class_is_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(insigne(dir.path(), &["keys", "generate"], &[])
        .status
        .success());
    let out = insigne(
        dir.path(),
        &[
            "issue",
            "--badge-class",
            "7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
            "--email",
            "m@ac-versailles.fr",
            "--name",
            "M",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("badge_class"));
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_generates_dev_keys_answers_health_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let log = std::fs::File::create(dir.path().join("serve.log")).expect("log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_insigne"))
        .current_dir(dir.path())
        .env("INSIGNE_LISTEN", format!("127.0.0.1:{port}"))
        .env("INSIGNE_LOG", "info")
        .env_remove("INSIGNE_DATABASE_URL")
        .env_remove("INSIGNE_KEYS_DIR")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = loop {
        if let Some(r) = http_get(port, "/healthz") {
            break r;
        }
        assert!(Instant::now() < deadline, "serve did not answer in time");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let jwks = http_get(port, "/.well-known/jwks.json").expect("jwks");
    assert!(
        jwks.contains("\"kty\":\"RSA\"") && jwks.contains("\"crv\":\"Ed25519\""),
        "{jwks}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).expect("log");
    assert!(log.contains("generated development keys"), "{log}");
    assert!(log.contains("insigne stopped"), "{log}");
    assert!(!log.contains("PRIVATE KEY"), "{log}");
    assert!(dir.path().join("keys/keyring.toml").exists());
}

#[test]
fn catalogue_load_and_completions_import_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = root.join("examples/catalogue/ecap.toml");
    let sample = root.join("examples/moodle/progress.e-cap_2025-2026.csv");
    let env = [("INSIGNE_CATALOGUE", catalogue.to_str().expect("path"))];

    // A broken catalogue: exit 2, the entry and field named, nothing loaded.
    let broken = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(&catalogue).expect("read").replace(
        "parcours = \"e-CAP2\"\nhours = 6",
        "parcours = \"e-CAP9\"\nhours = 6",
    );
    std::fs::write(&broken, text).expect("write");
    let out = insigne(
        dir.path(),
        &["catalogue", "load", broken.to_str().expect("path")],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text_of(&out.stderr));
    assert!(
        text_of(&out.stderr).contains("module[E2-M2].parcours: unknown parcours \"e-CAP9\""),
        "{}",
        text_of(&out.stderr)
    );

    // The import loads the catalogue on first start, shows progress and a summary.
    let out = insigne(
        dir.path(),
        &["completions", "import", sample.to_str().expect("path")],
        &env,
    );
    assert!(out.status.success(), "{}", text_of(&out.stderr));
    let stderr = text_of(&out.stderr);
    assert!(stderr.contains("completions: 20/20"), "{stderr}");
    assert!(
        stderr.contains("read as Moodle's activity completion report"),
        "{stderr}"
    );
    assert!(stderr.contains("8 rows read, 6 accepted, 2 rejected; 20 new completions (0 already known); 25 awards issued"), "{stderr}");
    assert!(stderr.contains("line 7: no email address"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json summary");
    assert_eq!(summary["awards_issued"], 25);

    // Again: nothing new.
    let out = insigne(
        dir.path(),
        &["completions", "import", sample.to_str().expect("path")],
        &env,
    );
    assert!(text_of(&out.stderr).contains("0 new completions (20 already known); 0 awards issued"));

    // Every learner evaluated again: nothing more to award, dry run or not.
    for args in [
        &["awards", "reconcile", "--dry-run"][..],
        &["awards", "reconcile"],
    ] {
        let out = insigne(dir.path(), args, &env);
        assert!(out.status.success(), "{}", text_of(&out.stderr));
        let done: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(done["dry_run"], args.len() == 3);
        assert_eq!(done["learners"], 5);
        assert_eq!(done["awards"], serde_json::json!([]));
        assert!(
            text_of(&out.stderr).contains("5 learners evaluated; 0 awards"),
            "{}",
            text_of(&out.stderr)
        );
    }

    // A file that is not UTF-8: exit 2 with the reason.
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"Pr\xe9nom;Nom;Adresse de courriel\n").expect("write");
    let out = insigne(
        dir.path(),
        &["completions", "import", latin1.to_str().expect("path")],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text_of(&out.stderr).contains("neither UTF-8 nor UTF-16"),
        "{}",
        text_of(&out.stderr)
    );

    // What changed is in the audit log, by the CLI; the dry run and the refusals are not.
    let url = format!("sqlite://{}", dir.path().join("data/insigne.db").display());
    let actions = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let store = insigne::storage::Store::connect(&url).await.expect("store");
            let entries = store.audit_entries(None, None, 20).await.expect("log");
            store.close().await;
            entries
                .into_iter()
                .map(|e| (e.actor, e.action, e.detail))
                .collect::<Vec<_>>()
        });
    let cli = |action: &str, detail: &str| {
        (
            "cli".to_string(),
            action.to_string(),
            Some(detail.to_string()),
        )
    };
    assert_eq!(
        actions,
        [
            cli("awards reconcile", "0 awards"),
            cli("completions import", "0 new completions, 0 awards"),
            cli("completions import", "20 new completions, 25 awards"),
            // The first command found no catalogue and loaded the configured file.
            cli(
                "catalogue load",
                "loaded at start: 16 badge classes, 0 learners marked"
            ),
        ]
    );
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `insigne verify`: exit 1 invalid, 2 not a badge or could not check; the report is on stdout
/// as JSON. Oversized input is refused before it is read whole. Nothing is written where it
/// runs (exit 0 for a genuine badge: `the_employers_command_verifies_a_served_badge`).
#[test]
fn verify_exit_codes_and_oversized_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/examples");
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).expect("inputs");
    std::fs::write(
        inputs.join("photo.jpg"),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    )
    .expect("jpeg");
    std::fs::write(inputs.join("empty.json"), b"").expect("empty");
    std::fs::write(inputs.join("random.bin"), [0x13u8, 0x99, 0x00, 0xfe]).expect("random");
    let mut cases: Vec<(PathBuf, i32, &str)> = vec![
        (inputs.join("photo.jpg"), 2, "not a badge"),
        (inputs.join("empty.json"), 2, "not a badge"),
        (inputs.join("random.bin"), 2, "not a badge"),
    ];
    if examples.exists() {
        // Its issuer (example.com) cannot be reached from here: could not check who made it.
        cases.push((
            examples.join("validator-ob30-simple.json"),
            2,
            "could not check",
        ));
        cases.push((
            examples.join("validator-ob30-simple-err-proof-value.json"),
            1,
            "",
        ));
        // A urn:uuid issuer: nothing binds the key to it.
        cases.push((
            examples.join("validator-ob30-simple-did-key-method.json"),
            1,
            "",
        ));
    } else {
        eprintln!("examples skipped: ../shared/spec/examples is not here");
    }
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("work");
    for (path, code, said) in cases {
        let out = insigne(&work, &["verify", path.to_str().expect("path")], &[]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}: {}",
            path.display(),
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains(said), "{}", text(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_eq!(report["valid"], false, "{}", path.display());
    }
    // An employer's command: no database, no keys, nothing written where it ran.
    let left: Vec<_> = std::fs::read_dir(&work).expect("work").collect();
    assert!(left.is_empty(), "verify wrote {left:?}");

    // 100 MB of SVG text (a sparse file: nothing to write to disk).
    let big = dir.path().join("big.svg");
    let mut file = std::fs::File::create(&big).expect("create");
    file.write_all(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>")
        .expect("write");
    file.set_len(100 * 1024 * 1024).expect("set_len");
    drop(file);
    let out = insigne(dir.path(), &["verify", "big.svg"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("larger than 16 MiB"),
        "{}",
        text(&out.stderr)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_insigne"))
        .current_dir(dir.path())
        .args(["verify", "-"])
        .env("INSIGNE_LOG", "warn")
        .env_remove("INSIGNE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..100 {
            if stdin.write_all(&chunk).is_err() {
                break; // the reader stopped at its limit and closed the pipe
            }
        }
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("larger than 16 MiB"));

    let out = insigne(dir.path(), &["verify", "missing.png"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.png"));
}

/// The employer's side, end to end: a badge issued by a served insigne, verified by
/// `insigne verify` run in a read-only folder with nothing else (no database, no keys), every
/// document had over HTTP like anyone would: exit 0, and nothing written there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employers_command_verifies_a_served_badge() {
    use std::os::unix::fs::PermissionsExt;
    let Some(site) = crate::crash::Site::new(crate::common::Backend::Sqlite).await else {
        return;
    };
    let mut server = site.spawn_with(
        "serve",
        None,
        &[("INSIGNE_PUBLIC_URL", "http://127.0.0.1:{port}".to_string())],
    );
    server.healthy().await;
    let token = site.token();
    let client = reqwest::Client::new();
    let classes: serde_json::Value = serde_json::from_slice(
        &client
            .get(format!("{}/api/v1/badge-classes", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("classes")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let class = classes["items"]
        .as_array()
        .and_then(|list| list.first())
        .map(|c| c["id"].clone())
        .expect("the example catalogue has badge classes");
    let request = serde_json::json!({"badge_class": class, "recipient": {"email": "marie@ac-versailles.fr", "name": "Marie Curie"}});
    let award: serde_json::Value = serde_json::from_slice(
        &client
            .post(format!("{}/api/v1/awards", server.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(request.to_string())
            .send()
            .await
            .expect("award")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let folder = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (link, name) in [
        ("ob3_credential", "badge.json"),
        ("png", "badge.png"),
        ("ob2_signed", "badge.jws"),
        ("ob3_jwt", "badge.jwt"),
        ("svg", "badge.svg"),
    ] {
        let url = award["links"][link].as_str().expect("link");
        let bytes = client
            .get(url)
            .send()
            .await
            .expect("download")
            .bytes()
            .await
            .expect("bytes");
        let path = folder.path().join(name);
        std::fs::write(&path, &bytes).expect("write");
        files.push(path);
    }
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o555))
        .expect("read-only");
    let before: Vec<_> = std::fs::read_dir(folder.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    for path in &files {
        let out = insigne(
            folder.path(),
            &["verify", path.to_str().expect("path")],
            &[("INSIGNE_FETCH_ALLOW", "127.0.0.1")],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}\n{}",
            path.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    let after: Vec<_> = std::fs::read_dir(folder.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(before, after, "verify wrote into its folder");
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o755))
        .expect("writable again");
}

/// `insigne verify URL` against an upstream that accepts and never answers: one deadline for
/// the whole verification (`INSIGNE_VERIFY_DEADLINE_SECS`), then exit 2, "could not check".
#[test]
fn the_employers_command_ends_at_its_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for socket in listener.incoming() {
            held.push(socket); // read nothing, answer nothing
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let out = insigne(
        dir.path(),
        &["verify", &format!("http://127.0.0.1:{port}/assertions/1")],
        &[
            ("INSIGNE_FETCH_ALLOW", "127.0.0.1"),
            ("INSIGNE_VERIFY_DEADLINE_SECS", "2"),
        ],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("within the verification's 2 s"),
        "{}",
        text(&out.stdout)
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}
