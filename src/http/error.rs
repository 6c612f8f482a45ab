//! One error type for the HTTP edge: every failure becomes a JSON body a person can act on.
//! Server-side failures are logged with their detail and answered with a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{FieldError, Invalid};
use crate::service::ServiceError;

/// The body of every error answer of the JSON API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub status: u16,
    /// What kind of failure, for programs (`bad_json`, `bad_field`, `invalid`, `not_found`…).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The fields at fault, when the request named some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// One problem with one field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Where, as a path into the request (`recipient.email`).
    pub field: String,
    pub problem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    BadJson(String),
    #[error("{message}")]
    BadField { field: String, message: String },
    #[error("the request body must be {0}")]
    UnsupportedMediaType(&'static str),
    #[error("the request body is larger than the {0} MiB allowed")]
    TooLarge(usize),
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{0}")]
    BadImage(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("this token's scope does not allow this; a token with the {0} scope is needed")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(String),
    /// What was there is used up or over (a single-use exchange, an expired offer).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// What was given to the verifier is no badge at all.
    #[error("not a badge: {0}")]
    NotABadge(String),
    /// A bounded resource (the verifier's pool) is full: come back shortly.
    #[error("{0}")]
    Busy(String),
    /// The request was not received in time.
    #[error("the request was not received within {0} s")]
    Timeout(u64),
    /// A route that exists, asked with a method it does not answer.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// A failure of the service itself: its chain is logged, never sent.
    #[error("internal error")]
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadJson(_) | ApiError::BadField { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Invalid(_) | ApiError::BadImage(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotABadge(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadJson(_) => "bad_json",
            ApiError::BadField { .. } => "bad_field",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Invalid(_) => "invalid",
            ApiError::BadImage(_) => "bad_image",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Gone(_) => "gone",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::NotABadge(_) => "not_a_badge",
            ApiError::Busy(_) => "busy",
            ApiError::Timeout(_) => "timeout",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Internal(_) => "internal",
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            ApiError::Invalid(invalid) => invalid.0.clone(),
            ApiError::BadField { field, message } => {
                vec![FieldError::new(field.clone(), message.clone())]
            }
            _ => Vec::new(),
        }
    }
}

impl ApiError {
    /// A failure of the service, said for its log.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        ApiError::Internal(anyhow::anyhow!("{message}"))
    }
}

impl From<crate::cpu::Busy> for ApiError {
    fn from(e: crate::cpu::Busy) -> Self {
        ApiError::Busy(e.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(invalid) => ApiError::Invalid(invalid),
            ServiceError::NotFound { .. } => ApiError::NotFound(e.to_string()),
            ServiceError::Storage(_)
            | ServiceError::Signing(_)
            | ServiceError::KeyRing(_)
            | ServiceError::NoActiveKey(_)
            | ServiceError::UnknownKey(_)
            | ServiceError::NoDidWeb
            | ServiceError::Unsigned { .. }
            | ServiceError::Damaged { .. }
            | ServiceError::Inconsistent(_)
            | ServiceError::Image(_)
            | ServiceError::Lost(_)
            | ServiceError::Moodle(_) => ApiError::Internal(e.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if let ApiError::Internal(error) = &self {
            // `{:#}`: every cause of the chain, on one line.
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                code: self.code().into(),
                message: self.to_string(),
                fields: self
                    .fields()
                    .into_iter()
                    .map(|FieldError { field, problem }| FieldProblem { field, problem })
                    .collect(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A log sink the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_server_failure_logs_its_whole_chain_and_sends_none_of_it() {
        let cause = std::io::Error::other("disk /var/lib/insigne/keys is read-only");
        let error = ServiceError::Signing(crate::proof::keys::KeyError::Io {
            path: "/var/lib/insigne/keys/keyring.toml".into(),
            source: cause,
        });
        let log = Captured::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        let response =
            tracing::subscriber::with_default(subscriber, || ApiError::from(error).into_response());
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body["error"]["message"], "internal error");
        assert_eq!(body["error"]["code"], "internal");
        let sent = body.to_string();
        assert!(
            !sent.contains("read-only") && !sent.contains("keyring"),
            "{sent}"
        );
        let logged = String::from_utf8(log.0.lock().expect("log").clone()).expect("utf-8");
        assert!(logged.contains("signing failed"), "{logged}");
        assert!(logged.contains("keyring.toml"), "{logged}");
        assert!(logged.contains("is read-only"), "{logged}");
    }
}
