//! The server under abuse, as a real process: requests it must not wait for, a stop with hung
//! clients, and clients behind a reverse proxy. Time bounds are coarse (tens of seconds): they
//! tell "answered" from "hung", never how fast.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::Backend;
use crate::crash::{Server, Site};

/// Sends `request` on a new connection and reads the answer until the server closes the
/// connection or `within` passes; returns the answer and how long it took.
fn exchange(base: &str, request: &[u8], within: Duration) -> (String, Duration) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(within)).expect("timeout");
    let started = Instant::now();
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // A complete JSON error answer: enough.
                if answer.ends_with(b"}}") {
                    break;
                }
            }
        }
    }
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

async fn served(site: &Site, env: &[(&str, String)]) -> Server {
    let mut server = site.spawn_with("serve", None, env);
    server.healthy().await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_it_must_not_wait_for_are_answered() {
    let Some(site) = Site::new(Backend::Sqlite).await else {
        return;
    };
    let server = served(&site, &[("INSIGNE_BODY_DEADLINE_SECS", "3".into())]).await;
    let base = server.base.clone();
    let patience = Duration::from_secs(30);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "both Content-Length and Transfer-Encoding, nothing sent",
            b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            "HTTP/1.1 408",
        ),
        (
            "10 GB declared, 14 bytes sent",
            b"POST /api/v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{\"a\":12345678}".to_vec(),
            "HTTP/1.1 413",
        ),
        (
            "a verification upload over the verifier's limit, declared",
            b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 16777217\r\n\r\n".to_vec(),
            "HTTP/1.1 413",
        ),
        (
            "100 bytes declared, 10 sent",
            b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789".to_vec(),
            "HTTP/1.1 408",
        ),
        (
            "a method the route does not answer",
            b"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            "HTTP/1.1 405",
        ),
        (
            "a route that does not exist",
            b"GET /nulle-part HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            "HTTP/1.1 404",
        ),
    ];
    for (what, request, status) in cases {
        let (answer, took) = exchange(&base, &request, patience);
        assert!(answer.starts_with(status), "{what}: {answer:?}");
        assert!(took < Duration::from_secs(20), "{what}: {took:?}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let error: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        assert_eq!(
            error["error"]["status"].as_u64().map(|s| s.to_string()),
            Some(status["HTTP/1.1 ".len()..].to_string()),
            "{what}: a JSON error: {body}"
        );
    }
    // Headers that never end (slowloris): the connection is closed, not kept.
    let (answer, took) = exchange(&base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", patience);
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(took < Duration::from_secs(25), "{took:?}");
}

/// SIGTERM with a client that sent half a body and another that sent half its headers: the
/// process stops within its grace period (plus the time to close), not when the clients give
/// up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_within_its_grace_period_whatever_the_clients() {
    let Some(site) = Site::new(Backend::Sqlite).await else {
        return;
    };
    let mut server = served(
        &site,
        &[
            ("INSIGNE_SHUTDOWN_GRACE_SECS", "2".into()),
            ("INSIGNE_BODY_DEADLINE_SECS", "600".into()),
        ],
    )
    .await;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut half_body = TcpStream::connect(&address).expect("connect");
    half_body
        .write_all(b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{\"a\"")
        .expect("send");
    let mut half_headers = TcpStream::connect(&address).expect("connect");
    half_headers
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .expect("send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = server.exited().await;
    let took = stopped.elapsed();
    assert!(exit.success(), "{exit:?}\n{}", server.log());
    assert!(took < Duration::from_secs(15), "{took:?}\n{}", server.log());
    assert!(
        server
            .log()
            .contains("connections still open after the grace period"),
        "{}",
        server.log()
    );
}

/// Behind a reverse proxy every request comes from the proxy: the client is the address it
/// forwarded for, only when the proxy is trusted. Sign-in links are limited per client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limits_count_each_client_behind_a_trusted_proxy() {
    async fn ask(base: &str, i: usize, forwarded_for: &str) -> u16 {
        reqwest::Client::new()
            .post(format!("{base}/mes-badges/connexion"))
            .header("x-forwarded-for", forwarded_for)
            .form(&[("email", format!("formateur{i}@ac-versailles.fr"))])
            .send()
            .await
            .expect("sign-in request")
            .status()
            .as_u16()
    }
    for (trusted, second_client_limited) in [(true, false), (false, true)] {
        let Some(site) = Site::new(Backend::Sqlite).await else {
            return;
        };
        let env = if trusted {
            vec![("INSIGNE_TRUSTED_PROXIES", "127.0.0.0/8, ::1".to_string())]
        } else {
            Vec::new()
        };
        let server = served(&site, &env).await;
        let mut statuses = Vec::new();
        for i in 0..21 {
            statuses.push(ask(&server.base, i, "203.0.113.7").await);
        }
        assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(statuses[20], 429, "the 21st link for one client");
        let other = ask(&server.base, 99, "198.51.100.23").await;
        assert_eq!(
            other == 429,
            second_client_limited,
            "trusted: {trusted}: another trainer behind the proxy got {other}"
        );
        let log = server.log();
        assert_eq!(
            log.contains("client=203.0.113.7"),
            trusted,
            "the log names the client only through a trusted proxy:\n{log}"
        );
    }
}
