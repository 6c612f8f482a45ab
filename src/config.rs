//! Configuration, in layers: defaults → `insigne.toml` (optional) → `INSIGNE_*` environment →
//! command-line flags. The names are part of the stable contract (see the README).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::formats::ob3::identity::DidMethod;
use crate::import::moodle::MoodleMapping;

/// The catalogue loaded on first start when nothing else is configured (skipped when absent).
pub const DEFAULT_CATALOGUE: &str = "examples/catalogue/ecap.toml";

/// The configuration file read when present in the working directory.
pub const DEFAULT_FILE: &str = "insigne.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{name}: {message}")]
    Value { name: &'static str, message: String },
}

/// The effective configuration.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    /// Address and port to listen on (`INSIGNE_LISTEN`).
    pub listen: String,
    /// Base of every public id and link (`INSIGNE_PUBLIC_URL`).
    pub public_url: String,
    /// `sqlite://…` or `postgres://…` (`INSIGNE_DATABASE_URL`).
    pub database_url: String,
    /// Folder of the signing keys (`INSIGNE_KEYS_DIR`).
    pub keys_dir: PathBuf,
    /// Catalogue file loaded at start; empty to skip (`INSIGNE_CATALOGUE`).
    pub catalogue: String,
    /// Private hosts or CIDR ranges the verifier may fetch from (`INSIGNE_FETCH_ALLOW`).
    pub fetch_allow: Vec<String>,
    /// Where notifications go; unset: logged and kept (`INSIGNE_SMTP_URL`).
    pub smtp_url: Option<String>,
    /// The sender of notifications; unset: `insigne <noreply@HOST>` with the public URL's host
    /// (`INSIGNE_MAIL_FROM`).
    pub mail_from: Option<String>,
    /// How issuers are identified in OB 3.0 credentials: `web` or `key` (`INSIGNE_DID_METHOD`).
    pub did_method: DidMethod,
    /// How Moodle's reports are read, and how often its web services are pulled (`[moodle]`).
    pub moodle: MoodleConfig,
    /// How attendance lists of virtual classes are read (`[attendance]`).
    pub attendance: crate::import::attendance::AttendanceMapping,
    /// The Moodle site whose web services `insigne moodle sync` and `serve` pull completions
    /// from, such as `https://magistere.education.fr/ac-versailles` (`INSIGNE_MOODLE_URL`).
    pub moodle_url: Option<String>,
    /// The web service token (`INSIGNE_MOODLE_TOKEN`): a secret, never printed.
    pub moodle_token: Option<String>,
    /// Seconds an evaluation holds a learner before another process may take them over
    /// (`INSIGNE_EVALUATION_LEASE_SECS`): how long a crashed process's learners wait.
    pub evaluation_lease_secs: u64,
    /// Seconds one verification may take, every fetch included (`INSIGNE_VERIFY_DEADLINE_SECS`).
    pub verify_deadline_secs: u64,
    /// Seconds a stopping server gives requests in flight before it closes their connections
    /// (`INSIGNE_SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace_secs: u64,
    /// Seconds a client may take to send a request body, first byte to last
    /// (`INSIGNE_BODY_DEADLINE_SECS`).
    pub body_deadline_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` or `Forwarded` header names the client:
    /// addresses or CIDR ranges (`INSIGNE_TRUSTED_PROXIES`). Empty: the peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Config {
    /// How long one verification may take.
    pub fn verify_deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.verify_deadline_secs)
    }

    /// How long a stopping server waits for requests in flight.
    pub fn shutdown_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The sender of notifications.
    pub fn sender(&self) -> String {
        self.mail_from.clone().unwrap_or_else(|| {
            let host = url::Url::parse(&self.public_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "localhost".into());
            format!("insigne <noreply@{host}>")
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://localhost:8080".into(),
            database_url: "sqlite://data/insigne.db".into(),
            keys_dir: PathBuf::from("keys"),
            catalogue: DEFAULT_CATALOGUE.into(),
            fetch_allow: Vec::new(),
            smtp_url: None,
            mail_from: None,
            did_method: DidMethod::Web,
            moodle: MoodleConfig::default(),
            attendance: Default::default(),
            moodle_url: None,
            moodle_token: None,
            evaluation_lease_secs: crate::service::EVALUATION_LEASE.as_secs(),
            verify_deadline_secs: crate::verify::DEADLINE.as_secs(),
            shutdown_grace_secs: 10,
            body_deadline_secs: crate::http::edge::BODY_DEADLINE.as_secs(),
            trusted_proxies: Vec::new(),
        }
    }
}

// The database and SMTP URLs may hold passwords.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("keys_dir", &self.keys_dir)
            .field("catalogue", &self.catalogue)
            .field("fetch_allow", &self.fetch_allow)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("did_method", &self.did_method)
            .field("moodle", &self.moodle)
            .field("attendance", &self.attendance)
            .field("moodle_url", &self.moodle_url)
            .field("moodle_token", &self.moodle_token.as_ref().map(|_| "***"))
            .field("evaluation_lease_secs", &self.evaluation_lease_secs)
            .field("verify_deadline_secs", &self.verify_deadline_secs)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("body_deadline_secs", &self.body_deadline_secs)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// `[moodle]`: how the reports are read, and the web-service pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoodleConfig {
    #[serde(flatten)]
    pub reading: MoodleMapping,
    /// Seconds between two pulls of `insigne serve` (`interval`, `INSIGNE_MOODLE_INTERVAL_SECS`).
    #[serde(rename = "interval")]
    pub interval_secs: u64,
    /// Seconds one web-service call may take (`timeout`).
    #[serde(rename = "timeout")]
    pub timeout_secs: u64,
}

impl Default for MoodleConfig {
    fn default() -> Self {
        Self {
            reading: MoodleMapping::default(),
            interval_secs: 3_600,
            timeout_secs: 30,
        }
    }
}

/// One layer: whatever it sets overrides the layers below.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub database_url: Option<String>,
    pub keys_dir: Option<PathBuf>,
    pub catalogue: Option<String>,
    pub fetch_allow: Option<Vec<String>>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub did_method: Option<String>,
    /// Read by hand: `interval` and `timeout` go to the sync, the rest to the mapping.
    pub moodle: Option<toml::Table>,
    pub attendance: Option<crate::import::attendance::AttendanceMapping>,
    pub moodle_url: Option<String>,
    pub moodle_token: Option<String>,
    pub evaluation_lease_secs: Option<Seconds>,
    pub verify_deadline_secs: Option<Seconds>,
    pub shutdown_grace_secs: Option<Seconds>,
    pub body_deadline_secs: Option<Seconds>,
    pub trusted_proxies: Option<Vec<String>>,
}

/// A number of seconds: a TOML integer, or the text of an environment variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Seconds {
    Number(u64),
    Text(String),
}

impl Seconds {
    /// The number of seconds, refused unless from `min` to `max`.
    fn within(&self, name: &'static str, min: u64, max: u64) -> Result<u64, ConfigError> {
        let secs = match self {
            Seconds::Number(n) => Some(*n),
            Seconds::Text(t) => t.trim().parse::<u64>().ok(),
        };
        secs.filter(|s| (min..=max).contains(s))
            .ok_or_else(|| ConfigError::Value {
                name,
                message: format!("{self:?} is not a number of seconds from {min} to {max}"),
            })
    }
}

/// A list in one environment variable: commas or spaces between the items.
fn list(v: &str) -> Vec<String> {
    v.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Overrides {
    /// The `INSIGNE_*` variables found in `env`.
    pub fn from_env(env: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| env.get(k).cloned();
        Self {
            listen: get("INSIGNE_LISTEN"),
            public_url: get("INSIGNE_PUBLIC_URL"),
            database_url: get("INSIGNE_DATABASE_URL"),
            keys_dir: get("INSIGNE_KEYS_DIR").map(PathBuf::from),
            catalogue: get("INSIGNE_CATALOGUE"),
            fetch_allow: get("INSIGNE_FETCH_ALLOW").map(|v| list(&v)),
            smtp_url: get("INSIGNE_SMTP_URL"),
            mail_from: get("INSIGNE_MAIL_FROM"),
            did_method: get("INSIGNE_DID_METHOD"),
            moodle: get("INSIGNE_MOODLE_INTERVAL_SECS").map(|v| {
                let mut t = toml::Table::new();
                t.insert("interval".into(), toml::Value::String(v));
                t
            }),
            attendance: None,
            moodle_url: get("INSIGNE_MOODLE_URL"),
            moodle_token: get("INSIGNE_MOODLE_TOKEN"),
            evaluation_lease_secs: get("INSIGNE_EVALUATION_LEASE_SECS").map(Seconds::Text),
            verify_deadline_secs: get("INSIGNE_VERIFY_DEADLINE_SECS").map(Seconds::Text),
            shutdown_grace_secs: get("INSIGNE_SHUTDOWN_GRACE_SECS").map(Seconds::Text),
            body_deadline_secs: get("INSIGNE_BODY_DEADLINE_SECS").map(Seconds::Text),
            trusted_proxies: get("INSIGNE_TRUSTED_PROXIES").map(|v| list(&v)),
        }
    }

    fn apply(self, c: &mut Config) -> Result<(), ConfigError> {
        if let Some(v) = self.listen {
            c.listen = v;
        }
        if let Some(v) = self.public_url {
            c.public_url = v;
        }
        if let Some(v) = self.database_url {
            c.database_url = v;
        }
        if let Some(v) = self.keys_dir {
            c.keys_dir = v;
        }
        if let Some(v) = self.catalogue {
            c.catalogue = v;
        }
        if let Some(v) = self.fetch_allow {
            c.fetch_allow = v;
        }
        if let Some(v) = self.smtp_url {
            c.smtp_url = Some(v).filter(|s| !s.trim().is_empty());
        }
        if let Some(v) = self.mail_from {
            c.mail_from = Some(v).filter(|s| !s.trim().is_empty());
        }
        if let Some(mut table) = self.moodle {
            let mut seconds = |key: &str, name: &'static str, min: u64, max: u64| {
                table
                    .remove(key)
                    .map(|v| match v {
                        toml::Value::Integer(n) => Seconds::Number(u64::try_from(n).unwrap_or(0)),
                        other => Seconds::Text(other.as_str().unwrap_or("").to_string()),
                    })
                    .map(|s| s.within(name, min, max))
                    .transpose()
            };
            if let Some(v) = seconds("interval", "[moodle] interval", 60, 7 * 86_400)? {
                c.moodle.interval_secs = v;
            }
            if let Some(v) = seconds("timeout", "[moodle] timeout", 1, 600)? {
                c.moodle.timeout_secs = v;
            }
            if !table.is_empty() {
                c.moodle.reading =
                    toml::Value::Table(table)
                        .try_into()
                        .map_err(|e: toml::de::Error| ConfigError::Value {
                            name: "[moodle]",
                            message: e.message().to_string(),
                        })?;
            }
        }
        if let Some(v) = self.attendance {
            c.attendance = v;
        }
        if let Some(v) = self.moodle_url {
            c.moodle_url =
                Some(v.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty());
        }
        if let Some(v) = self.moodle_token {
            c.moodle_token = Some(v.trim().to_string()).filter(|s| !s.is_empty());
        }
        if let Some(v) = self.evaluation_lease_secs {
            c.evaluation_lease_secs = v.within("INSIGNE_EVALUATION_LEASE_SECS", 1, 86_400)?;
        }
        if let Some(v) = self.verify_deadline_secs {
            c.verify_deadline_secs = v.within("INSIGNE_VERIFY_DEADLINE_SECS", 1, 300)?;
        }
        if let Some(v) = self.shutdown_grace_secs {
            c.shutdown_grace_secs = v.within("INSIGNE_SHUTDOWN_GRACE_SECS", 0, 3_600)?;
        }
        if let Some(v) = self.body_deadline_secs {
            c.body_deadline_secs = v.within("INSIGNE_BODY_DEADLINE_SECS", 1, 3_600)?;
        }
        if let Some(v) = self.trusted_proxies {
            c.trusted_proxies = v
                .iter()
                .map(|p| {
                    p.parse::<ipnet::IpNet>()
                        .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| ConfigError::Value {
                            name: "INSIGNE_TRUSTED_PROXIES",
                            message: format!("{p:?} is neither an IP address nor a CIDR range"),
                        })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = self.did_method {
            c.did_method = v.parse().map_err(|message| ConfigError::Value {
                name: "INSIGNE_DID_METHOD",
                message,
            })?;
        }
        Ok(())
    }
}

impl Config {
    /// Builds the effective configuration. `file` is an explicitly named file (it must exist);
    /// otherwise `insigne.toml` is read from `cwd` when present.
    pub fn load(
        file: Option<&Path>,
        cwd: &Path,
        env: &BTreeMap<String, String>,
        flags: Overrides,
    ) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("INSIGNE_CONFIG").map(PathBuf::from))
            .or_else(|| Some(cwd.join(DEFAULT_FILE)).filter(|p| p.exists()));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let layer: Overrides = toml::from_str(&text).map_err(|e| ConfigError::File {
                path: path.clone(),
                message: e.message().to_string(),
            })?;
            layer.apply(&mut config)?;
        }
        Overrides::from_env(env).apply(&mut config)?;
        flags.apply(&mut config)?;
        config.check()?;
        Ok(config)
    }

    fn check(&mut self) -> Result<(), ConfigError> {
        let url = url::Url::parse(&self.public_url).map_err(|e| ConfigError::Value {
            name: "INSIGNE_PUBLIC_URL",
            message: format!("{:?} is not a URL: {e}", self.public_url),
        })?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host().is_none()
            || url.query().is_some()
        {
            return Err(ConfigError::Value {
                name: "INSIGNE_PUBLIC_URL",
                message: format!("{:?} must be an http(s) URL without query", self.public_url),
            });
        }
        self.public_url = self.public_url.trim_end_matches('/').to_string();
        if let Some(moodle) = &self.moodle_url {
            let ok = url::Url::parse(moodle).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.query().is_none()
            });
            if !ok {
                return Err(ConfigError::Value {
                    name: "INSIGNE_MOODLE_URL",
                    message: format!(
                        "{moodle:?} must be the http(s) address of the Moodle site, without query"
                    ),
                });
            }
        }
        if self.listen.trim().is_empty() {
            return Err(ConfigError::Value {
                name: "INSIGNE_LISTEN",
                message: "must be an address:port such as 127.0.0.1:8080".into(),
            });
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Value {
                name: "INSIGNE_DATABASE_URL",
                message: "must start with sqlite:// or postgres://".into(),
            });
        }
        Ok(())
    }

    /// The configuration as TOML, passwords replaced by `***`.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url(&shown.database_url);
        shown.smtp_url = shown.smtp_url.as_deref().map(redact_url);
        shown.moodle_token = shown.moodle_token.as_ref().map(|_| "***".into());
        toml::to_string(&shown)
            .unwrap_or_else(|e| format!("# cannot print the configuration: {e}\n"))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_in_order_defaults_file_env_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(DEFAULT_FILE),
            "listen = \"0.0.0.0:9000\"\npublic_url = \"https://file.example\"\nkeys_dir = \"/srv/keys\"\n",
        )
        .expect("write");
        let env = env(&[
            ("INSIGNE_PUBLIC_URL", "https://env.example/"),
            ("INSIGNE_KEYS_DIR", "/env/keys"),
        ]);
        let flags = Overrides {
            keys_dir: Some("/flag/keys".into()),
            ..Default::default()
        };
        let c = Config::load(None, dir.path(), &env, flags).expect("config");
        assert_eq!(c.listen, "0.0.0.0:9000"); // file
        assert_eq!(c.public_url, "https://env.example"); // env over file, slash dropped
        assert_eq!(c.keys_dir, PathBuf::from("/flag/keys")); // flag over env
        assert_eq!(c.database_url, "sqlite://data/insigne.db"); // default
    }

    #[test]
    fn unknown_file_keys_and_bad_urls_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.toml");
        std::fs::write(&path, "listn = \"x\"\n").expect("write");
        let err = Config::load(
            Some(&path),
            dir.path(),
            &BTreeMap::new(),
            Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("listn"), "{err}");
        let env = env(&[("INSIGNE_PUBLIC_URL", "ftp://x")]);
        assert!(Config::load(None, dir.path(), &env, Overrides::default()).is_err());
    }

    #[test]
    fn the_example_file_is_a_valid_configuration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("insigne.toml");
        std::fs::write(&path, include_str!("../examples/insigne.toml")).expect("write");
        let c = Config::load(
            Some(&path),
            dir.path(),
            &BTreeMap::new(),
            Overrides::default(),
        )
        .expect("config");
        assert_eq!(c.public_url, "https://badges.ac-versailles.fr");
        assert_eq!(c.evaluation_lease_secs, 60);
    }

    #[test]
    fn the_evaluation_lease_is_seconds_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("insigne.toml");
        std::fs::write(&path, "evaluation_lease_secs = 15\n").expect("write");
        let load = |env: &BTreeMap<String, String>| {
            Config::load(Some(&path), dir.path(), env, Overrides::default())
        };
        assert_eq!(
            load(&BTreeMap::new()).expect("file").evaluation_lease_secs,
            15
        );
        let c = load(&env(&[("INSIGNE_EVALUATION_LEASE_SECS", " 2 ")])).expect("env");
        assert_eq!(c.evaluation_lease_secs, 2);
        for bad in ["0", "soon", "-5", "100000"] {
            let err = load(&env(&[("INSIGNE_EVALUATION_LEASE_SECS", bad)])).unwrap_err();
            assert!(
                err.to_string().starts_with("INSIGNE_EVALUATION_LEASE_SECS"),
                "{err}"
            );
        }
    }

    #[test]
    fn passwords_never_print() {
        let env = env(&[
            (
                "INSIGNE_DATABASE_URL",
                "postgres://insigne:s3cret@db.example/insigne",
            ),
            ("INSIGNE_SMTP_URL", "smtp://mail:hunter2@smtp.example:587"),
            (
                "INSIGNE_MOODLE_URL",
                "https://magistere.example/ac-versailles/",
            ),
            ("INSIGNE_MOODLE_TOKEN", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ]);
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Config::load(None, dir.path(), &env, Overrides::default()).expect("config");
        let shown = format!("{}{:?}", c.to_redacted_toml(), c);
        assert!(
            !shown.contains("s3cret")
                && !shown.contains("hunter2")
                && !shown.contains("0f1e2d3c4b5a6978"),
            "{shown}"
        );
        assert_eq!(
            c.moodle_url.as_deref(),
            Some("https://magistere.example/ac-versailles")
        );
        assert!(shown.contains("moodle_token = \"***\""), "{shown}");
        assert!(
            shown.contains("postgres://insigne:***@db.example/insigne"),
            "{shown}"
        );
    }

    #[test]
    fn the_moodle_table_holds_the_mapping_and_the_pull() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("insigne.toml");
        std::fs::write(
            &path,
            "[moodle]\ninterval = 900\ntimeout = 20\ntimezone = \"Indian/Reunion\"\nemail = [\"Courriel\"]\n",
        )
        .expect("write");
        let load = |env: &BTreeMap<String, String>| {
            Config::load(Some(&path), dir.path(), env, Overrides::default())
        };
        let c = load(&BTreeMap::new()).expect("config");
        assert_eq!(c.moodle.interval_secs, 900);
        assert_eq!(c.moodle.timeout_secs, 20);
        assert_eq!(c.moodle.reading.timezone, chrono_tz::Indian::Reunion);
        assert_eq!(c.moodle.reading.email, ["Courriel"]);
        // The environment's interval keeps the file's mapping.
        let c = load(&env(&[("INSIGNE_MOODLE_INTERVAL_SECS", "7200")])).expect("config");
        assert_eq!(c.moodle.interval_secs, 7200);
        assert_eq!(c.moodle.reading.email, ["Courriel"]);
        for bad in ["10", "soon"] {
            let err = load(&env(&[("INSIGNE_MOODLE_INTERVAL_SECS", bad)])).unwrap_err();
            assert!(err.to_string().contains("interval"), "{err}");
        }
        let err = load(&env(&[("INSIGNE_MOODLE_URL", "magistere")])).unwrap_err();
        assert!(err.to_string().starts_with("INSIGNE_MOODLE_URL"), "{err}");
        std::fs::write(&path, "[moodle]\ncolour = 1\n").expect("write");
        assert!(load(&BTreeMap::new()).is_err());
        // What print-config shows loads again.
        let c = Config::default();
        let again: Overrides = toml::from_str(&c.to_redacted_toml()).expect("toml");
        let mut back = Config::default();
        again.apply(&mut back).expect("apply");
        assert_eq!(back.moodle, c.moodle);
    }
}
