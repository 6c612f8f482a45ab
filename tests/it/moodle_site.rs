//! A Moodle stand-in: `/webservice/rest/server.php` answering the web-service functions insigne
//! calls with the shapes Moodle documents (the REST protocol's `wstoken`, `wsfunction`,
//! `moodlewsrestformat`; PHP-style array parameters; errors as HTTP 200 bodies; XML when the
//! format is missing), plus the failures a network gives: a slow answer, a dropped connection.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;
use tower::ServiceExt;

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

pub const ALL_FUNCTIONS: [&str; 4] = [
    "core_webservice_get_site_info",
    "core_enrol_get_enrolled_users",
    "core_completion_get_activities_completion_status",
    "core_course_get_contents",
];

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub fullname: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Course {
    /// Course-module id and name of each activity.
    pub activities: Vec<(i64, String)>,
    pub users: Vec<User>,
    /// (user, cmid) → (state, timecompleted).
    pub completion: BTreeMap<(i64, i64), (i64, i64)>,
}

#[derive(Debug, Default)]
pub struct Site {
    pub functions: Vec<String>,
    pub courses: BTreeMap<i64, Course>,
    /// Every call: the function and its parameters.
    pub calls: Vec<(String, BTreeMap<String, String>)>,
    /// Functions site info lists but whose calls are refused (a capability the token's user
    /// lacks in the course).
    pub refused: Vec<String>,
    /// Users whose completion call fails with `invalidparameter`.
    pub broken_users: Vec<i64>,
    /// Connections closed without an answer, from the next one on.
    pub drop_connections: usize,
    /// A pause before every answer.
    pub delay: Option<Duration>,
    /// Answer XML whatever the format asked (a proxy that loses the query string).
    pub always_xml: bool,
    /// Calls whose URL carried the token (a proxy's access log would keep it).
    pub tokens_in_url: usize,
}

impl Site {
    pub fn new() -> Self {
        Self {
            functions: ALL_FUNCTIONS.iter().map(|f| f.to_string()).collect(),
            ..Self::default()
        }
    }
}

pub type Shared = Arc<Mutex<Site>>;

/// Serves `site` on a loopback port; returns its base URL.
pub async fn serve(site: Shared) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let app = Router::new()
        .route("/webservice/rest/server.php", any(endpoint))
        .with_state(site.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let drop_it = {
                let mut s = site.lock().expect("site");
                if s.drop_connections > 0 {
                    s.drop_connections -= 1;
                    true
                } else {
                    false
                }
            };
            if drop_it {
                tokio::spawn(async move {
                    let mut buf = [0u8; 512];
                    let _ = stream.read(&mut buf).await;
                    drop(stream);
                });
                continue;
            }
            let app = app.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let app = app.clone();
                        async move { app.oneshot(req.map(Body::new)).await }
                    },
                );
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            });
        }
    });
    base
}

fn exception(kind: &str, errorcode: &str, message: &str) -> Response {
    // Moodle answers its errors with HTTP 200.
    axum::Json(json!({"exception": kind, "errorcode": errorcode, "message": message}))
        .into_response()
}

fn invalid_parameter() -> Response {
    exception(
        "invalid_parameter_exception",
        "invalidparameter",
        "Invalid parameter value detected",
    )
}

async fn endpoint(
    State(site): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    let token_in_url = query.contains_key("wstoken");
    // Moodle reads parameters from the query and the body alike.
    let mut params = query;
    for (k, v) in url::form_urlencoded::parse(&body) {
        params.insert(k.into_owned(), v.into_owned());
    }
    let delay = site.lock().expect("site").delay;
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let mut s = site.lock().expect("site");
    if token_in_url {
        s.tokens_in_url += 1;
    }
    let function = params.get("wsfunction").cloned().unwrap_or_default();
    s.calls.push((function.clone(), params.clone()));
    let json_format = params.get("moodlewsrestformat").map(String::as_str) == Some("json");
    if !json_format || s.always_xml {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<RESPONSE>\n<MULTIPLE>\n</MULTIPLE>\n</RESPONSE>\n",
        )
            .into_response();
    }
    if params.get("wstoken").map(String::as_str) != Some(TOKEN) {
        return exception(
            "moodle_exception",
            "invalidtoken",
            "Jeton invalide - jeton non trouvé",
        );
    }
    if !s.functions.contains(&function) || s.refused.contains(&function) {
        return exception(
            "webservice_access_exception",
            "accessexception",
            "Exception de contrôle d'accès",
        );
    }
    let int = |k: &str| params.get(k).and_then(|v| v.parse::<i64>().ok());
    match function.as_str() {
        "core_webservice_get_site_info" => axum::Json(json!({
            "sitename": "m@gistère (stand-in)",
            "username": "insigne-ws",
            "firstname": "Service",
            "lastname": "insigne",
            "fullname": "Service insigne",
            "lang": "fr",
            "userid": 3,
            "siteurl": "http://127.0.0.1",
            "functions": s.functions.iter().map(|f| json!({"name": f, "version": "2024042200"})).collect::<Vec<_>>(),
            "release": "4.4.1 (Build: 20240610)",
            "version": "2024042201",
        }))
        .into_response(),
        "core_enrol_get_enrolled_users" => {
            let Some(course) = int("courseid").and_then(|c| s.courses.get(&c)) else {
                return invalid_parameter();
            };
            // options[i][name] / options[i][value]
            let mut options = BTreeMap::new();
            for i in 0..10 {
                if let (Some(n), Some(v)) = (
                    params.get(&format!("options[{i}][name]")),
                    params.get(&format!("options[{i}][value]")),
                ) {
                    options.insert(n.clone(), v.clone());
                }
            }
            let from: usize = options.get("limitfrom").and_then(|v| v.parse().ok()).unwrap_or(0);
            let number: usize = options
                .get("limitnumber")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let users: Vec<Value> = course
                .users
                .iter()
                .skip(from)
                .take(if number == 0 { usize::MAX } else { number })
                .map(|u| {
                    let mut v = json!({"id": u.id, "username": format!("u{}", u.id), "fullname": u.fullname});
                    if let Some(e) = &u.email {
                        v["email"] = json!(e);
                    }
                    v
                })
                .collect();
            axum::Json(Value::Array(users)).into_response()
        }
        "core_completion_get_activities_completion_status" => {
            let (Some(course_id), Some(user)) = (int("courseid"), int("userid")) else {
                return invalid_parameter();
            };
            if s.broken_users.contains(&user) {
                return invalid_parameter();
            }
            let Some(course) = s.courses.get(&course_id) else {
                return invalid_parameter();
            };
            let statuses: Vec<Value> = course
                .activities
                .iter()
                .map(|(cmid, _)| {
                    let (state, time) = course.completion.get(&(user, *cmid)).copied().unwrap_or((0, 0));
                    json!({
                        "cmid": cmid, "modname": "page", "instance": cmid - 80_000,
                        "state": state, "timecompleted": time, "tracking": 2,
                        "overrideby": null, "valueused": false, "hascompletion": true,
                        "isautomatic": true, "istrackeduser": true, "uservisible": true,
                        "details": [],
                    })
                })
                .collect();
            axum::Json(json!({"statuses": statuses, "warnings": []})).into_response()
        }
        "core_course_get_contents" => {
            let Some(course) = int("courseid").and_then(|c| s.courses.get(&c)) else {
                return invalid_parameter();
            };
            let modules: Vec<Value> = course
                .activities
                .iter()
                .map(|(cmid, name)| json!({"id": cmid, "name": name, "modname": "page", "visible": 1}))
                .collect();
            axum::Json(json!([
                {"id": 1, "name": "Généralités", "visible": 1, "summary": "", "modules": []},
                {"id": 2, "name": "Les modules", "visible": 1, "summary": "", "modules": modules},
            ]))
            .into_response()
        }
        _ => exception(
            "dml_missing_record_exception",
            "invalidrecord",
            "Impossible de trouver l'enregistrement dans la table external_functions",
        ),
    }
}
