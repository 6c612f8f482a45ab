//! Real processes: `insigne serve` aborted at each named point (as `kill -9` would), restarted,
//! the same input sent again, and the awards equal to a run without the crash; several
//! replicas started at once on one empty PostgreSQL, and one of two killed mid-import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Backend, TestApp, TestDb};
use crate::durable::{any_pool, assert_consistent, awards_in, generated_export, sample_export};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A folder for keys and logs, and the database, shared by the processes of one test.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) db: TestDb,
}

impl Site {
    pub(crate) async fn new(backend: Backend) -> Option<Self> {
        Some(Self {
            dir: tempfile::tempdir().expect("tempdir"),
            db: TestDb::new(backend).await?,
        })
    }

    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_insigne"));
        cmd.current_dir(self.dir.path())
            .env("INSIGNE_DATABASE_URL", &self.db.url)
            .env("INSIGNE_KEYS_DIR", self.dir.path().join("keys"))
            .env(
                "INSIGNE_CATALOGUE",
                root().join("examples/catalogue/ecap.toml"),
            )
            .env("INSIGNE_PUBLIC_URL", "https://badges.test")
            .env("INSIGNE_EVALUATION_LEASE_SECS", "2")
            .env("INSIGNE_LOG", "info,sqlx=warn")
            .env_remove("INSIGNE_FAULT")
            .env_remove("INSIGNE_SMTP_URL")
            .stdin(Stdio::null());
        cmd
    }

    /// Starts `insigne serve`, with `fault` injected when given; does not wait for it.
    fn spawn(&self, name: &str, fault: Option<&str>) -> Server {
        self.spawn_with(name, fault, &[])
    }

    /// As `spawn`, with more environment variables (they may override the site's).
    pub(crate) fn spawn_with(
        &self,
        name: &str,
        fault: Option<&str>,
        env: &[(&str, String)],
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = self.dir.path().join(format!("{name}.log"));
        let mut cmd = self.command();
        cmd.arg("serve")
            .env("INSIGNE_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"));
        if let Some(f) = fault {
            cmd.env("INSIGNE_FAULT", f);
        }
        for (name, value) in env {
            cmd.env(name, value.replace("{port}", &port.to_string()));
        }
        Server {
            child: cmd.spawn().expect("spawn serve"),
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// An admin token, from the command line.
    pub(crate) fn token(&self) -> String {
        let out = self
            .command()
            .args(["tokens", "create", "--scope", "admin"])
            .output()
            .expect("tokens create");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    log: PathBuf,
}

impl Server {
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `/healthz` answers 200; fails with the log if the process exits first.
    pub(crate) async fn healthy(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!(
                    "serve exited ({status}) before it was healthy:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "serve not healthy:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the process to end (after an injected abort, say).
    pub(crate) async fn exited(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    fn stop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    async fn import(&self, token: &str, csv: Vec<u8>) -> Result<Value, String> {
        post_import(&self.base, token, csv).await
    }

    async fn status(&self, token: &str) -> Value {
        let answer = reqwest::Client::new()
            .get(format!("{}/api/v1/status", self.base))
            .bearer_auth(token)
            .send()
            .await;
        let bytes = match answer {
            Ok(r) => r.bytes().await.expect("body"),
            Err(e) => panic!("status: {e:?}\n{}", self.log()),
        };
        serde_json::from_slice(&bytes).expect("json")
    }

    /// Waits until no learner waits for evaluation and no message waits to be sent.
    async fn settled(&mut self, token: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!(
                    "serve {} exited ({status:?}):\n{}",
                    self.child.id(),
                    self.log()
                );
            }
            let s = self.status(token).await;
            // A message a dead process was sending waits for its lease (minutes): not here.
            let idle = s["evaluations"]["waiting"] == 0 && s["outbox"]["pending"] == 0;
            if idle {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "never settled: {s}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The awards an export earns, from a run in process without any fault.
async fn expected(backend: Backend, csv: &[u8]) -> BTreeMap<String, Vec<String>> {
    let t = TestApp::new(backend).await.expect("app");
    crate::awarding::load_example_catalogue(&t).await;
    t.app
        .import_moodle(csv, &Default::default(), &|_| {})
        .await
        .expect("clean import");
    awards_in(&t.db.url).await
}

/// Every award announced once: the outbox row of each is `logged` (no SMTP here), or still
/// `sending` when the process that was sending it died (its lease is minutes long).
async fn assert_every_award_announced(url: &str) {
    let pool = any_pool(url).await;
    let rows = sqlx::query(
        "SELECT o.status AS status, COUNT(*) AS n FROM awards a JOIN outbox o
         ON o.award_id = a.id AND o.kind = 'awarded' GROUP BY o.status",
    )
    .fetch_all(&pool)
    .await
    .expect("outbox");
    let by_status: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            use sqlx::Row;
            (r.get("status"), r.get("n"))
        })
        .collect();
    let awards: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) AS n FROM awards")
            .fetch_one(&pool)
            .await
            .expect("count")
            .get("n")
    };
    let announced: i64 = by_status.iter().map(|(_, n)| n).sum();
    assert_eq!(announced, awards, "{by_status:?}");
    assert!(
        by_status
            .iter()
            .all(|(s, n)| s == "logged" || (s == "sending" && *n <= 4)),
        "{by_status:?}"
    );
    pool.close().await;
}

/// `insigne serve` aborted at `fault`, restarted, the export sent again.
async fn crash_and_recover(backend: Backend, fault: &str, csv: Vec<u8>) {
    let Some(site) = Site::new(backend).await else {
        return;
    };
    let want = expected(backend, &csv).await;
    let mut crashing = site.spawn(&format!("crash-{fault}"), Some(fault));
    crashing.healthy().await;
    let token = site.token();
    let answer = crashing.import(&token, csv.clone()).await;
    assert!(answer.is_err(), "{fault}: the import finished: {answer:?}");
    let status = crashing.exited().await;
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(6), "{fault}: aborted (SIGABRT)");
    }
    assert!(
        crashing.log().contains("injected fault"),
        "{}",
        crashing.log()
    );

    let mut server = site.spawn(&format!("restart-{fault}"), None);
    server.healthy().await;
    server.settled(&token).await;
    server.import(&token, csv).await.expect("sent again");
    server.settled(&token).await;
    assert_eq!(awards_in(&site.db.url).await, want, "{fault}");
    assert_consistent(&site.db.url).await;
    assert_every_award_announced(&site.db.url).await;
    server.stop();
}

async fn aborted_at_every_point(backend: Backend) {
    for fault in [
        "completion-inserted:abort@7",
        "completions-committed:abort",
        "award-claimed:abort@4",
        "award-stored:abort@9",
        "award-committed:abort@3",
        "evaluation-done:abort@3",
    ] {
        crash_and_recover(backend, fault, sample_export()).await;
    }
    // In the middle of an import of two chunks: the first committed, the second not read.
    crash_and_recover(backend, "import-chunk:abort@1", generated_export(102, 5)).await;
}
crate::on_both_backends!(aborted_at_every_point);

/// Three replicas started at once on an empty PostgreSQL (and an empty keys folder) all come
/// up with the same keys and one catalogue; two import the same export at the same time, one
/// is killed -9 part-way, and the other ends with exactly the clean run's awards.
#[tokio::test]
async fn replicas_start_together_and_survive_one_killed_mid_import() {
    let Some(site) = Site::new(Backend::Postgres).await else {
        return;
    };
    let mut servers: Vec<Server> = (0..3)
        .map(|i| site.spawn(&format!("replica-{i}"), None))
        .collect();
    for s in &mut servers {
        s.healthy().await;
    }
    let client = reqwest::Client::new();
    let mut jwks = Vec::new();
    for s in &servers {
        let keys: Value = client
            .get(format!("{}/.well-known/jwks.json", s.base))
            .send()
            .await
            .expect("jwks")
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).expect("json"))
            .expect("body");
        jwks.push(keys);
        assert!(!s.log().contains("ERROR"), "{}", s.log());
    }
    assert!(
        jwks.windows(2).all(|w| w[0] == w[1]),
        "one key ring: {jwks:?}"
    );
    let token = site.token();
    {
        use sqlx::Row;
        let pool = any_pool(&site.db.url).await;
        let issuers: i64 = sqlx::query("SELECT COUNT(*) AS n FROM issuers")
            .fetch_one(&pool)
            .await
            .expect("issuers")
            .get("n");
        assert_eq!(issuers, 1, "the catalogue loaded once");
        let loads: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'catalogue load' AND actor = 'cli'",
        )
        .fetch_one(&pool)
        .await
        .expect("audit")
        .get("n");
        assert_eq!(loads, 1, "the load at start is in the audit log, once");
        pool.close().await;
    }

    let csv = generated_export(150, 5);
    let want = expected(Backend::Postgres, &csv).await;
    let total: usize = want.values().map(Vec::len).sum();
    let mut imports = Vec::new();
    for s in &servers[..2] {
        let (base, token, csv) = (s.base.clone(), token.clone(), csv.clone());
        imports.push(tokio::spawn(async move {
            post_import(&base, &token, csv).await
        }));
    }
    // Once a fifth of the awards are issued, well before the end, the replica still at work
    // is killed (the second if both are: each evaluates the learners it marked first).
    let pool = any_pool(&site.db.url).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        use sqlx::Row;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM awards")
            .fetch_one(&pool)
            .await
            .expect("count")
            .get("n");
        if n as usize >= total / 5 {
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {n} awards");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let victim = (0..2)
        .rev()
        .find(|i| !imports[*i].is_finished())
        .expect("an import still at work");
    let survivor = 1 - victim;
    servers[victim].kill();
    let mut imports = imports.into_iter();
    let (first, second) = (imports.next().expect("a"), imports.next().expect("b"));
    let (killed, kept) = if victim == 0 {
        (first, second)
    } else {
        (second, first)
    };
    assert!(
        killed.await.expect("join").is_err(),
        "the killed replica's import did not finish"
    );
    let summary = kept.await.expect("join").expect("the survivor's import");
    assert_eq!(summary["rows_read"], 150);
    let status = servers[survivor].settled(&token).await;
    assert_eq!(status["evaluations"]["failing"], 0, "{status}");
    assert_eq!(awards_in(&site.db.url).await, want);
    assert_consistent(&site.db.url).await;
    assert_every_award_announced(&site.db.url).await;
    pool.close().await;
    for s in &mut servers {
        s.stop();
    }
}

/// Posts a Moodle export to the server at `base`; the answer, or the error a client would see.
async fn post_import(base: &str, token: &str, csv: Vec<u8>) -> Result<Value, String> {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/completions/import"))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let bytes = r.bytes().await.map_err(|e| e.to_string())?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{status}: {body}"));
    }
    Ok(body)
}
