//! A JSON body extractor whose errors name the field at fault (`recipient.email: invalid type…`),
//! where axum's own would only say that deserialization failed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The largest request body accepted: a 2 MiB image, base64-encoded, with room for the rest.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mime = media_type(req.headers());
        let is_json = mime == "application/json" || mime.ends_with("+json");
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(MAX_BODY_BYTES / (1024 * 1024))
            } else {
                ApiError::BadJson(rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A whole body as bytes, refused in the API's own words when it is over the route's limit
/// (axum's answer is plain text): a chunked body has no length the edge could check first.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = super::edge::body_limit(req.uri().path());
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge(limit.div_ceil(1024 * 1024))
                } else {
                    ApiError::BadField {
                        field: "(body)".into(),
                        message: rejection.body_text(),
                    }
                }
            })
    }
}

/// The request's media type, lower-cased, without parameters (empty when none is given).
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Parses JSON, reporting syntax errors with their position and type errors with their path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::BadJson(inner.to_string())
        } else if path == "." {
            ApiError::BadField {
                field: "(body)".into(),
                message: inner.to_string(),
            }
        } else {
            ApiError::BadField {
                message: format!("{path}: {inner}"),
                field: path,
            }
        }
    })
}

/// The fields of a multipart form, by name (a repeated name keeps its last value). The body limit
/// of the route bounds the whole.
pub async fn form_fields(
    form: axum::extract::Multipart,
) -> Result<std::collections::BTreeMap<String, Vec<u8>>, ApiError> {
    Ok(form_entries(form).await?.into_iter().collect())
}

/// `form_fields`, and the names of the files sent (by field).
pub async fn form_fields_and_files(
    form: axum::extract::Multipart,
) -> Result<
    (
        std::collections::BTreeMap<String, Vec<u8>>,
        std::collections::BTreeMap<String, String>,
    ),
    ApiError,
> {
    let mut names = std::collections::BTreeMap::new();
    let fields = read_form(form, &mut |field, file| {
        names.insert(field.to_string(), file.to_string());
    })
    .await?;
    Ok((fields.into_iter().collect(), names))
}

/// The fields of a multipart form in their order, repeated names included (checkboxes).
pub async fn form_entries(
    form: axum::extract::Multipart,
) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    read_form(form, &mut |_, _| {}).await
}

async fn read_form(
    mut form: axum::extract::Multipart,
    file_name: &mut (dyn FnMut(&str, &str) + Send),
) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut fields = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadField {
        field: "(form)".into(),
        message: e.to_string(),
    })? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file) = field.file_name().filter(|f| !f.is_empty()) {
            file_name(&name, file);
        }
        let bytes = field.bytes().await.map_err(|e| ApiError::BadField {
            field: name.clone(),
            message: e.to_string(),
        })?;
        fields.push((name, bytes.to_vec()));
    }
    Ok(fields)
}

/// A query string extractor whose errors are the API's own (axum's answer in plain text).
pub struct QueryParams<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse_query(query).map(QueryParams)
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(&format!("/?{query}").parse().map_err(|_| {
        ApiError::BadField {
            field: "(query)".into(),
            message: "the query string is not valid".into(),
        }
    })?)
    .map(|axum::extract::Query(t)| t)
    .map_err(|e| ApiError::BadField {
        field: "(query)".into(),
        message: e.body_text(),
    })
}
