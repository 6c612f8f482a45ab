//! Notifications through an in-process SMTP sink: one message per award and per revocation, in
//! the trainer's language, retried through outages, and neither lost nor sent twice when the
//! worker dies mid-send.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use insigne::notify::{LogMailer, SmtpMailer};
use insigne::service::{Round, LEASE, MAX_ATTEMPTS};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::common::{Backend, TestApp};

/// What the sink does with the next messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Accept,
    /// 451 to every recipient: a server in trouble.
    Refuse,
    /// Reads the whole message, then never answers: a send the worker will not see finished.
    Hang,
}

#[derive(Default)]
struct Sunk {
    /// Messages accepted (answered 250), raw.
    accepted: Vec<String>,
    /// Messages read whole but never answered.
    held: Vec<String>,
}

/// A minimal SMTP server on loopback.
#[derive(Clone)]
struct Sink {
    url: String,
    mode: Arc<Mutex<Mode>>,
    got: Arc<Mutex<Sunk>>,
}

impl Sink {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("smtp://{}", listener.local_addr().expect("addr"));
        let sink = Sink {
            url,
            mode: Arc::new(Mutex::new(Mode::Accept)),
            got: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(stream).await;
                });
            }
        });
        sink
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().expect("lock") = mode;
    }

    fn accepted(&self) -> Vec<mailparse::ParsedMail<'static>> {
        self.got
            .lock()
            .expect("lock")
            .accepted
            .iter()
            .map(|raw| {
                let raw: &'static str = Box::leak(raw.clone().into_boxed_str());
                mailparse::parse_mail(raw.as_bytes()).expect("a mail")
            })
            .collect()
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink ESMTP\r\n").await?;
        while let Some(line) = lines.next_line().await? {
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let mode = *self.mode.lock().expect("lock");
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                "RCPT" if mode == Mode::Refuse => b"451 4.3.0 try again later\r\n",
                "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                "DATA" => {
                    write.write_all(b"354 go on\r\n").await?;
                    let mut raw = String::new();
                    while let Some(l) = lines.next_line().await? {
                        if l == "." {
                            break;
                        }
                        raw.push_str(l.strip_prefix('.').unwrap_or(&l));
                        raw.push_str("\r\n");
                    }
                    if mode == Mode::Hang {
                        self.got.lock().expect("lock").held.push(raw);
                        // Never answers; the connection ends with the client.
                        while lines.next_line().await?.is_some() {}
                        return Ok(());
                    }
                    self.got.lock().expect("lock").accepted.push(raw);
                    b"250 queued\r\n"
                }
                _ => b"502 unknown\r\n",
            };
            write.write_all(reply).await?;
        }
        Ok(())
    }
}

fn body(m: &mailparse::ParsedMail) -> String {
    m.get_body().expect("body")
}

fn header(m: &mailparse::ParsedMail, name: &str) -> String {
    m.headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case(name))
        .map(|h| h.get_value())
        .unwrap_or_default()
}

fn mailer(sink: &Sink) -> SmtpMailer {
    SmtpMailer::new(
        &sink.url,
        "insigne <noreply@badges.test>",
        Duration::from_secs(5),
    )
    .expect("mailer")
}

async fn award(t: &TestApp, class: &str, email: &str, name: &str, lang: Option<&str>) -> String {
    let mut recipient = json!({"email": email, "name": name});
    if let Some(l) = lang {
        recipient["lang"] = json!(l);
    }
    let award = t
        .award(json!({"badge_class": class, "recipient": recipient}))
        .await;
    award["id"].as_str().expect("id").to_string()
}

async fn outbox(t: &TestApp, status: Option<&str>) -> Vec<Value> {
    let path = match status {
        Some(s) => format!("/api/v1/notifications?status={s}"),
        None => "/api/v1/notifications".to_string(),
    };
    let (code, list) = t.admin(Method::GET, &path, None).await;
    assert_eq!(code, StatusCode::OK, "{list}");
    list["items"].as_array().expect("items").clone()
}

fn at(t: &TestApp, seconds: i64) -> DateTime<Utc> {
    t.app.clock.now() + chrono::Duration::seconds(seconds)
}

#[tokio::test]
async fn an_award_and_a_revocation_each_send_one_message_in_the_trainers_language() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let sink = Sink::start().await;
    let mailer = mailer(&sink);
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let marie = award(&t, &class, "marie@ac-versailles.fr", "Marie Curie", None).await;
    let john = award(&t, &class, "john@example.org", "John Smith", Some("en")).await;

    let round = t.app.deliver_due(&mailer, at(&t, 0)).await.expect("round");
    assert_eq!(
        round,
        Round {
            sent: 2,
            ..Round::default()
        }
    );
    let mails = sink.accepted();
    assert_eq!(mails.len(), 2);
    let to = |who: &str| {
        mails
            .iter()
            .find(|m| header(m, "To").contains(who))
            .unwrap_or_else(|| panic!("no mail to {who}"))
    };
    let fr = to("marie@ac-versailles.fr");
    assert_eq!(
        header(fr, "Subject"),
        "Votre badge « e-CAP1 — Concevoir un parcours de formation hybride »"
    );
    let text = body(fr);
    assert!(text.starts_with("Bonjour Marie Curie,"), "{text}");
    assert!(
        text.contains("DANE de l'académie de Versailles vous a décerné le badge"),
        "{text}"
    );
    assert!(text.contains("- EF1 Scénariser une formation hybride (référentiel : Compétences du formateur e-formation)"), "{text}");
    assert!(
        text.contains(&format!("https://badges.test/badges/{marie}")),
        "{text}"
    );
    assert!(
        text.contains("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"),
        "{text}"
    );
    assert!(
        text.contains("Tous vos badges, et qui peut les voir : https://badges.test/mes-badges"),
        "{text}"
    );
    assert!(header(fr, "Message-ID").ends_with("@badges.test>"));

    let en = to("john@example.org");
    assert_eq!(
        header(en, "Subject"),
        "Your badge “e-CAP1 — Concevoir un parcours de formation hybride”"
    );
    let text = body(en);
    assert!(text.starts_with("Hello John Smith,"), "{text}");
    assert!(text.contains("awarded you the badge"), "{text}");
    assert!(
        text.contains(&format!("https://badges.test/badges/{john}")),
        "{text}"
    );

    // Nothing is sent twice.
    let again = t.app.deliver_due(&mailer, at(&t, 60)).await.expect("round");
    assert_eq!(again, Round::default());
    assert_eq!(sink.accepted().len(), 2);

    // A revocation: one message, with the reason, in the language John chose before.
    for _ in 0..2 {
        let (status, _) = t
            .admin(
                Method::POST,
                &format!("/api/v1/awards/{john}/revoke"),
                Some(json!({"reason": "Attributed by mistake"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    t.app.deliver_due(&mailer, at(&t, 60)).await.expect("round");
    let mails = sink.accepted();
    assert_eq!(mails.len(), 3, "revoking twice announces it once");
    let revoked = &mails[2];
    assert_eq!(
        header(revoked, "Subject"),
        "Badge “e-CAP1 — Concevoir un parcours de formation hybride” revoked"
    );
    assert!(body(revoked).contains("Reason: Attributed by mistake"));

    let items = outbox(&t, None).await;
    assert_eq!(items.len(), 3);
    assert!(
        items
            .iter()
            .all(|m| m["status"] == "sent" && m["attempts"] == 1),
        "{items:?}"
    );
}

#[tokio::test]
async fn an_smtp_outage_is_retried_visible_and_the_award_unaffected() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let sink = Sink::start().await;
    sink.set(Mode::Refuse);
    let mailer = mailer(&sink);
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let id = award(&t, &class, "marie@ac-versailles.fr", "Marie", None).await;

    let round = t.app.deliver_due(&mailer, at(&t, 0)).await.expect("round");
    assert_eq!(round.retried, 1);
    let (status, _) = t
        .admin(Method::GET, &format!("/api/v1/awards/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the award stands");
    let pending = outbox(&t, Some("pending")).await;
    assert_eq!(pending.len(), 1);
    assert!(
        pending[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("try again later")),
        "{pending:?}"
    );
    // Not before its time (30 s), then sent once the server is back.
    assert_eq!(
        t.app.deliver_due(&mailer, at(&t, 10)).await.expect("round"),
        Round::default()
    );
    sink.set(Mode::Accept);
    let round = t.app.deliver_due(&mailer, at(&t, 31)).await.expect("round");
    assert_eq!(round.sent, 1);
    assert_eq!(sink.accepted().len(), 1);

    // A server that never recovers: given up after MAX_ATTEMPTS, visible, resent by an admin.
    sink.set(Mode::Refuse);
    let other = award(&t, &class, "paul@ac-versailles.fr", "Paul", None).await;
    let mut when = 0;
    for _ in 0..MAX_ATTEMPTS {
        when += 3600;
        t.app
            .deliver_due(&mailer, at(&t, when))
            .await
            .expect("round");
    }
    let failed = outbox(&t, Some("failed")).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["award"], other.as_str());
    assert_eq!(failed[0]["attempts"], MAX_ATTEMPTS);
    sink.set(Mode::Accept);
    let message = failed[0]["id"].as_str().expect("id");
    let (status, resent) = t
        .admin(
            Method::POST,
            &format!("/api/v1/notifications/{message}/resend"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resent}");
    assert_eq!(resent["status"], "pending");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/notifications/{message}/resend"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already waiting");
    // The resend is due at the app's now; the worker runs later than that.
    t.app
        .deliver_due(&mailer, at(&t, when + 1))
        .await
        .expect("round");
    assert_eq!(sink.accepted().len(), 2);
    let (status, _) = t
        .admin(Method::POST, "/api/v1/notifications/nope/resend", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = t
        .admin(Method::GET, "/api/v1/notifications?status=lost", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

crate::on_both_backends!(a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice);

async fn a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let sink = Sink::start().await;
    sink.set(Mode::Hang);
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    award(&t, &class, "marie@ac-versailles.fr", "Marie", None).await;

    // The worker sends; the server reads the whole message and never answers; the worker is
    // killed there.
    let app = t.app.clone();
    let m = mailer(&sink);
    let now = at(&t, 0);
    let worker = tokio::spawn(async move { app.deliver_due(&m, now).await });
    for _ in 0..100 {
        if !sink.got.lock().expect("lock").held.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let _ = worker.await;
    let held = sink.got.lock().expect("lock").held.clone();
    assert_eq!(held.len(), 1, "the message was on the wire");
    let sending = outbox(&t, Some("sending")).await;
    assert_eq!(sending.len(), 1, "the outbox shows it in flight");

    // A new worker: nothing while the dead worker's lease runs, then the message, once.
    sink.set(Mode::Accept);
    let mailer = mailer(&sink);
    assert_eq!(
        t.app.deliver_due(&mailer, at(&t, 5)).await.expect("round"),
        Round::default()
    );
    let lease = LEASE.as_secs() as i64;
    let round = t
        .app
        .deliver_due(&mailer, at(&t, lease + 1))
        .await
        .expect("round");
    assert_eq!(round.sent, 1);
    t.app
        .deliver_due(&mailer, at(&t, lease + 120))
        .await
        .expect("round");
    let mails = sink.accepted();
    assert_eq!(mails.len(), 1, "sent once");
    // Same Message-ID as the attempt that died: a mail system that got both can tell.
    let first = mailparse::parse_mail(held[0].as_bytes()).expect("mail");
    assert_eq!(
        header(&mails[0], "Message-ID"),
        header(&first, "Message-ID")
    );
    let sent = outbox(&t, Some("sent")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["attempts"], 2);
}

#[tokio::test]
async fn without_smtp_messages_are_logged_and_kept() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    award(&t, &class, "marie@ac-versailles.fr", "Marie", None).await;
    let round = t
        .app
        .deliver_due(&LogMailer, at(&t, 0))
        .await
        .expect("round");
    assert_eq!(round.logged, 1);
    let logged = outbox(&t, Some("logged")).await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["recipient"], "marie@ac-versailles.fr");
    // Once an SMTP server is configured, an admin can send a kept message.
    let id = logged[0]["id"].as_str().expect("id");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/notifications/{id}/resend"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outbox(&t, Some("pending")).await.len(), 1);

    // A language insigne does not speak is a field error.
    let (status, body) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({"badge_class": class, "recipient": {"email": "x@ac-versailles.fr", "name": "X", "lang": "de"}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("recipient.lang"), "{body}");
}

/// A connector reporting completions can say which language a trainer reads: the badge their
/// completions earn is announced in it.
#[tokio::test]
async fn completions_carry_the_trainers_language() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    crate::awarding::load_example_catalogue(&t).await;
    let ingest = t.ingest_token.clone();
    let completion = |lang: &str| {
        json!({"learner": {"email": "ada@ac-versailles.fr", "name": "Ada", "lang": lang},
               "module": "E1-M1", "completed_at": "2026-03-01"})
    };
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&ingest),
            Some(completion("es")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("learner.lang"), "{body}");
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&ingest),
            Some(completion("en")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["awards"].as_array().map(Vec::len), Some(1));
    t.app
        .deliver_due(&LogMailer, at(&t, 0))
        .await
        .expect("round");
    let logged = outbox(&t, Some("logged")).await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["lang"], "en");
    assert!(logged[0]["subject"]
        .as_str()
        .is_some_and(|s| s.starts_with("Your badge")));
}
