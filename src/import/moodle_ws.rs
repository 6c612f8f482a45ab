//! Moodle's web services, as Moodle documents them: `POST {site}/webservice/rest/server.php`
//! with `wsfunction` and `moodlewsrestformat=json`, the token and the parameters in the form body
//! (PHP-style arrays such as `options[0][name]=limitfrom`), so that the token never sits in a
//! URL that a proxy or an error message could log.
//!
//! Moodle answers its errors with HTTP 200 and `{"exception", "errorcode", "message"}`; without
//! `moodlewsrestformat` it answers XML. Network failures (refused, reset, timed out, a 5xx from a
//! proxy) are tried again with a growing pause; Moodle's own errors are not.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// The functions a sync calls.
pub const SITE_INFO: &str = "core_webservice_get_site_info";
pub const ENROLLED_USERS: &str = "core_enrol_get_enrolled_users";
pub const COMPLETION_STATUS: &str = "core_completion_get_activities_completion_status";
/// Needed only to match activities by name (modules without a `cmid`).
pub const COURSE_CONTENTS: &str = "core_course_get_contents";

/// The token, never shown.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WsError {
    #[error("Moodle refused {function}: {errorcode} ({message})")]
    Moodle {
        function: String,
        errorcode: String,
        message: String,
    },
    #[error("the token may not call {}: add {} to the token's external service in Moodle (Administration du site → Serveur → Services web → Services externes → Fonctions)", .0.join(", "), if .0.len() > 1 { "them" } else { "it" })]
    MissingFunctions(Vec<String>),
    #[error("Moodle could not be reached for {function} ({attempts} attempts): {detail}")]
    Unreachable {
        function: String,
        attempts: usize,
        detail: String,
    },
    #[error("Moodle answered {function} in XML, not JSON: is something between insigne and Moodle dropping moodlewsrestformat=json?")]
    Xml { function: String },
    #[error("Moodle answered {function} with HTTP {status}")]
    Status { function: String, status: u16 },
    #[error("Moodle's answer to {function} is not what its documentation describes: {detail}")]
    Unexpected { function: String, detail: String },
}

impl WsError {
    /// Whether the configuration is what is wrong (the token, its rights, the parameters).
    pub fn is_configuration(&self) -> bool {
        match self {
            Self::MissingFunctions(_) | Self::Xml { .. } => true,
            Self::Moodle { errorcode, .. } => matches!(
                errorcode.as_str(),
                "invalidtoken"
                    | "accessexception"
                    | "servicenotavailable"
                    | "webservicesnotenabled"
            ),
            _ => false,
        }
    }
}

/// A learner enrolled in a course.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EnrolledUser {
    pub id: i64,
    #[serde(default)]
    pub fullname: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// One activity's completion for a learner.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActivityStatus {
    pub cmid: i64,
    /// 0 incomplete, 1 complete, 2 complete with the pass grade, 3 complete without it.
    pub state: i64,
    #[serde(default)]
    pub timecompleted: i64,
}

impl ActivityStatus {
    /// Completed, and not failed: `COMPLETION_COMPLETE` or `COMPLETION_COMPLETE_PASS`.
    pub fn is_done(&self) -> bool {
        matches!(self.state, 1 | 2)
    }
}

/// How a client talks to one Moodle site.
#[derive(Debug, Clone)]
pub struct MoodleClient {
    http: reqwest::Client,
    endpoint: url::Url,
    token: Token,
    /// The pauses before each new attempt after a network failure.
    backoff: Vec<Duration>,
}

impl MoodleClient {
    /// `site` is the Moodle's address (`https://host/path`); `timeout` bounds each call.
    pub fn new(site: &str, token: Token, timeout: Duration) -> Result<Self, String> {
        let base = url::Url::parse(&format!("{}/", site.trim_end_matches('/')))
            .map_err(|e| format!("{site:?} is not a URL: {e}"))?;
        let endpoint = base
            .join("webservice/rest/server.php")
            .map_err(|e| e.to_string())?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("insigne/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            endpoint,
            token,
            backoff: vec![
                Duration::from_millis(500),
                Duration::from_secs(2),
                Duration::from_secs(8),
            ],
        })
    }

    /// Other pauses between attempts (the tests use short ones).
    pub fn with_backoff(mut self, backoff: Vec<Duration>) -> Self {
        self.backoff = backoff;
        self
    }

    /// Calls `function` and returns its JSON answer, or Moodle's error.
    pub async fn call(
        &self,
        function: &str,
        params: &[(String, String)],
    ) -> Result<Value, WsError> {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("wsfunction", function)
            .append_pair("moodlewsrestformat", "json");
        let mut form: Vec<(&str, &str)> = vec![("wstoken", self.token.0.as_str())];
        form.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.http.post(url.clone()).form(&form).send().await {
                Ok(response) if response.status().is_server_error() => {
                    format!("HTTP {}", response.status().as_u16())
                }
                Ok(response) if !response.status().is_success() => {
                    return Err(WsError::Status {
                        function: function.into(),
                        status: response.status().as_u16(),
                    })
                }
                Ok(response) => match response.bytes().await {
                    Ok(body) => return read_answer(function, &body),
                    Err(e) => describe(&e),
                },
                Err(e) => describe(&e),
            };
            match self.backoff.get(attempt - 1) {
                Some(pause) => {
                    tracing::warn!(function, attempt, error = %failure, "Moodle call failed; trying again");
                    tokio::time::sleep(*pause).await;
                }
                None => {
                    return Err(WsError::Unreachable {
                        function: function.into(),
                        attempts: attempt,
                        detail: failure,
                    })
                }
            }
        }
    }

    /// Checks that the token reaches the site and may call `needed`.
    pub async fn check_functions(&self, needed: &[&str]) -> Result<String, WsError> {
        let info = self.call(SITE_INFO, &[]).await?;
        let granted: Vec<&str> = info["functions"]
            .as_array()
            .map(|fs| fs.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default();
        let missing: Vec<String> = needed
            .iter()
            .filter(|f| !granted.contains(f))
            .map(|f| f.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(WsError::MissingFunctions(missing));
        }
        Ok(info["sitename"].as_str().unwrap_or("").to_string())
    }

    /// Every user enrolled in `course`, `page` at a time.
    pub async fn enrolled_users(
        &self,
        course: i64,
        page: usize,
    ) -> Result<Vec<EnrolledUser>, WsError> {
        let mut users: Vec<EnrolledUser> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let params = vec![
                ("courseid".to_string(), course.to_string()),
                ("options[0][name]".into(), "limitfrom".into()),
                ("options[0][value]".into(), users.len().to_string()),
                ("options[1][name]".into(), "limitnumber".into()),
                ("options[1][value]".into(), page.to_string()),
                ("options[2][name]".into(), "userfields".into()),
                ("options[2][value]".into(), "id,fullname,email".into()),
            ];
            let answer = self.call(ENROLLED_USERS, &params).await?;
            let batch: Vec<EnrolledUser> =
                serde_json::from_value(answer).map_err(|e| WsError::Unexpected {
                    function: ENROLLED_USERS.into(),
                    detail: e.to_string(),
                })?;
            let count = batch.len();
            let mut added = 0;
            for u in batch {
                if seen.insert(u.id) {
                    users.push(u);
                    added += 1;
                }
            }
            // The last page, or a site that ignores paging and answers everything at once.
            if count < page || added == 0 {
                return Ok(users);
            }
        }
    }

    /// The course's activities: course-module id → name.
    pub async fn activities(&self, course: i64) -> Result<Vec<(i64, String)>, WsError> {
        let answer = self
            .call(COURSE_CONTENTS, &[("courseid".into(), course.to_string())])
            .await?;
        let sections = answer.as_array().ok_or_else(|| WsError::Unexpected {
            function: COURSE_CONTENTS.into(),
            detail: "not a list of sections".into(),
        })?;
        Ok(sections
            .iter()
            .flat_map(|s| s["modules"].as_array().into_iter().flatten())
            .filter_map(|m| Some((m["id"].as_i64()?, m["name"].as_str()?.to_string())))
            .collect())
    }

    /// A learner's completion of each activity of the course.
    pub async fn completion(&self, course: i64, user: i64) -> Result<Vec<ActivityStatus>, WsError> {
        let answer = self
            .call(
                COMPLETION_STATUS,
                &[
                    ("courseid".into(), course.to_string()),
                    ("userid".into(), user.to_string()),
                ],
            )
            .await?;
        serde_json::from_value(answer["statuses"].clone()).map_err(|e| WsError::Unexpected {
            function: COMPLETION_STATUS.into(),
            detail: format!("statuses: {e}"),
        })
    }
}

/// A reqwest failure without its URL (which holds no secret, but need not be repeated).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "connection lost"
    };
    let mut detail = kind.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{kind}: {s}");
        source = s.source();
    }
    detail
}

/// Moodle's answer: JSON, an exception object, or XML when the format was lost.
fn read_answer(function: &str, body: &[u8]) -> Result<Value, WsError> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return Err(WsError::Xml {
            function: function.into(),
        });
    }
    let value: Value = serde_json::from_str(trimmed).map_err(|e| WsError::Unexpected {
        function: function.into(),
        detail: format!("not JSON ({e})"),
    })?;
    if let Some(exception) = value.get("exception").filter(|_| value.is_object()) {
        return Err(WsError::Moodle {
            function: function.into(),
            errorcode: value["errorcode"]
                .as_str()
                .or(exception.as_str())
                .unwrap_or("unknown")
                .to_string(),
            message: value["message"].as_str().unwrap_or("").to_string(),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moodle_errors_come_with_http_200() {
        let err = read_answer(
            ENROLLED_USERS,
            br#"{"exception":"moodle_exception","errorcode":"invalidtoken","message":"Jeton invalide - jeton non trouv\u00e9"}"#,
        )
        .expect_err("an error");
        assert_eq!(
            err,
            WsError::Moodle {
                function: ENROLLED_USERS.into(),
                errorcode: "invalidtoken".into(),
                message: "Jeton invalide - jeton non trouvé".into()
            }
        );
        assert!(err.is_configuration());
        assert!(matches!(
            read_answer(SITE_INFO, b"<?xml version=\"1.0\"?>\n<RESPONSE/>"),
            Err(WsError::Xml { .. })
        ));
        assert_eq!(read_answer(SITE_INFO, b"[]"), Ok(Value::Array(vec![])));
    }

    #[test]
    fn the_token_never_prints() {
        let c = MoodleClient::new(
            "https://moodle.example",
            Token::new("s3cr3t-t0ken"),
            Duration::from_secs(1),
        )
        .expect("client");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(
            c.endpoint.as_str(),
            "https://moodle.example/webservice/rest/server.php"
        );
    }

    #[test]
    fn failed_states_are_not_done() {
        let s = |state| ActivityStatus {
            cmid: 1,
            state,
            timecompleted: 1,
        };
        assert!(!s(0).is_done());
        assert!(s(1).is_done());
        assert!(s(2).is_done());
        assert!(!s(3).is_done());
    }
}
