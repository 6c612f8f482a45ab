//! Test harness: a fresh database (SQLite in a temp dir, or a PostgreSQL database of its own when
//! `INSIGNE_TEST_POSTGRES_URL` is set) and fresh keys for every test.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use insigne::auth::Scope;
use insigne::domain::{Clock, FixedClock};
use insigne::formats::PublicUrls;
use insigne::proof::KeyRing;
use insigne::service::Insigne;
use insigne::storage::Store;
use serde_json::{json, Value};
use sqlx::Connection;
use tower::ServiceExt;

pub const BASE: &str = "https://badges.test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    /// `None` when the backend is PostgreSQL and no test server is configured.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("insigne.db").display());
                Some(Self {
                    url,
                    _dir: Some(dir),
                    pg_drop: None,
                })
            }
            Backend::Postgres => {
                let admin_url = match std::env::var("INSIGNE_TEST_POSTGRES_URL") {
                    Ok(u) if !u.is_empty() => u,
                    _ => {
                        eprintln!("skipped: INSIGNE_TEST_POSTGRES_URL is not set, PostgreSQL tests do not run");
                        return None;
                    }
                };
                let name = format!("insigne_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("postgres url");
                url.set_path(&name);
                Some(Self {
                    url: url.to_string(),
                    _dir: None,
                    pg_drop: Some((admin_url, name)),
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // Drop runs inside the test's runtime: clean up from a thread with a runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub app: Insigne,
    pub admin_token: String,
    pub ingest_token: String,
    pub db: TestDb,
    /// Kept so that the key files live as long as the app.
    pub keys_dir: tempfile::TempDir,
}

impl TestApp {
    /// A service on `backend` whose clock stands still at `2026-11-28T12:00:00Z`.
    pub async fn new(backend: Backend) -> Option<Self> {
        let now = "2026-11-28T12:00:00Z".parse().expect("date");
        Self::with(backend, BASE, Arc::new(FixedClock(now))).await
    }

    pub async fn with(backend: Backend, base: &str, clock: Arc<dyn Clock>) -> Option<Self> {
        let db = TestDb::new(backend).await?;
        let store = Store::connect(&db.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let keys_dir = tempfile::tempdir().expect("tempdir");
        let keys = KeyRing::generate(keys_dir.path(), clock.now()).expect("keys");
        let app = Insigne {
            store,
            keys: keys.into(),
            urls: PublicUrls::new(base),
            clock,
            did_method: insigne::formats::ob3::identity::DidMethod::Web,
            moodle_mapping: Arc::new(Default::default()),
            attendance_mapping: Arc::new(Default::default()),
            // Tests serve foreign badges on loopback.
            fetcher: Arc::new(insigne::verify::fetch::GuardedFetcher::new(&[
                "127.0.0.0/8".into(),
                "localhost".into(),
            ])),
            evaluation_lease: insigne::service::EVALUATION_LEASE,
            cpu: insigne::cpu::CpuPool::for_this_machine(),
            verify_deadline: insigne::verify::DEADLINE,
            trusted_proxies: std::sync::Arc::new(Vec::new()),
            body_deadline: insigne::http::edge::BODY_DEADLINE,
        };
        let admin_token = app
            .create_token(Scope::Admin, Some("tests"))
            .await
            .expect("token");
        let ingest_token = app.create_token(Scope::Ingest, None).await.expect("token");
        Some(Self {
            app,
            admin_token,
            ingest_token,
            db,
            keys_dir,
        })
    }

    /// Sends one request through the router; returns the status, headers and body.
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let res = insigne::http::router(self.app.clone())
            .oneshot(req)
            .await
            .expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    /// An admin JSON request; the body parsed as JSON (Null when empty or not JSON).
    pub async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call(method, path, Some(&self.admin_token.clone()), body)
            .await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let (status, _, bytes) = self.raw(req).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        self.raw(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// Creates an issuer and returns its id.
    pub async fn issuer(&self) -> String {
        let (status, body) = self
            .admin(Method::POST, "/api/v1/issuers", Some(issuer_body()))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_string()
    }

    /// Issues an award (`POST /api/v1/awards` with `body`); returns its representation.
    pub async fn award(&self, body: Value) -> Value {
        let (status, award) = self.admin(Method::POST, "/api/v1/awards", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{award}");
        award
    }

    /// Creates a badge class of `issuer` and returns its id.
    pub async fn badge_class(&self, issuer: &str, validity_days: Option<i64>) -> String {
        let mut body = badge_class_body(issuer);
        if let Some(d) = validity_days {
            body["validity_days"] = json!(d);
        }
        let (status, body) = self
            .admin(Method::POST, "/api/v1/badge-classes", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_string()
    }
}

pub fn issuer_body() -> Value {
    json!({
        "name": "DANE de l'académie de Versailles",
        "url": "https://www.ac-versailles.fr",
        "email": "dane@ac-versailles.fr",
        "description": "Délégation académique au numérique éducatif",
        "image": svg_data_uri(),
    })
}

pub fn badge_class_body(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "name": "e-CAP1 — Concevoir un parcours de formation hybride",
        "description": "Atteste la conception d'un parcours hybride sur m@gistère.",
        "image": png_data_uri(),
        "criteria": {"narrative": "Avoir complété les modules E1-M1 à E1-M4."},
        "alignments": [
            {"framework": "Compétences du formateur e-formation", "code": "EF1", "name": "Scénariser une formation hybride"},
            {"framework": "CRCN", "code": "3.2", "name": "Développer des documents multimédia", "url": "https://pix.fr/competences"}
        ],
        "tags": ["e-CAP1", "hybride"],
    })
}

pub fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 2, 2);
        enc.set_color(png::ColorType::Rgba);
        let mut w = enc.write_header().expect("header");
        w.write_image_data(&[0x00, 0x66, 0xcc, 0xff].repeat(4))
            .expect("data");
    }
    out
}

pub fn png_data_uri() -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(tiny_png())
    )
}

pub fn svg_data_uri() -> String {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#000091"/></svg>"##;
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Generates a `#[tokio::test]` per backend for `async fn name(backend: Backend)`; the PostgreSQL
/// one skips (with a message) when no test server is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await;
            }
        }
    };
}
