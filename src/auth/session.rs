//! The session cookies: the trainer's of "mes badges" (HttpOnly, SameSite=Lax, Secure on
//! https, scoped to `/mes-badges`) and the console's (HttpOnly, SameSite=Strict, Secure on
//! https, scoped to `/admin`). Each carries a secret of which only the hash is stored.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::service::Insigne;

pub const COOKIE: &str = "insigne_session";

/// The console's cookie.
pub const ADMIN_COOKIE: &str = "insigne_admin";

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{name}="))
                .map(str::to_string)
        })
        .filter(|v| !v.is_empty())
}

/// The trainer's session secret the request carries, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// The console session secret the request carries, if any.
pub fn admin_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, ADMIN_COOKIE)
}

/// The `Set-Cookie` value that opens (`max_age` seconds) or ends (0) a console session.
pub fn set_admin_cookie(app: &Insigne, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.urls.base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{ADMIN_COOKIE}={value}; Path=/admin; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("insigne_admin=; Max-Age=0"))
}

/// Whether a form's CSRF token is the session's, compared in constant time.
pub fn same_token(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && openssl::memcmp::eq(expected.as_bytes(), given.as_bytes())
}

/// The `Set-Cookie` value that opens (`max_age` seconds) or ends (0) a session. Sent on every
/// path, so that the page of a badge can offer its own trainer to add it to a wallet.
pub fn set_cookie(app: &Insigne, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.urls.base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("insigne_session=; Max-Age=0"))
}
