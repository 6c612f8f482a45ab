//! The trainer's session cookie of "mes badges": HttpOnly, SameSite=Lax, Secure on https,
//! scoped to `/mes-badges`; it carries a secret of which only the hash is stored.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::service::Insigne;

pub const COOKIE: &str = "insigne_session";

/// The session secret the request carries, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that opens (`max_age` seconds) or ends (0) a session.
pub fn set_cookie(app: &Insigne, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.urls.base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/mes-badges; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("insigne_session=; Max-Age=0"))
}
