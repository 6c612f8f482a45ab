//! `PUT /api/v1/catalogue` (admin) and `POST /api/v1/completions` (ingest or admin).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::auth::{Admin, Ingest};
use crate::http::error::ApiError;
use crate::http::extract::{media_type, JsonBody};
use crate::service::{CompletionInput, Insigne};

pub fn router() -> Router<Insigne> {
    Router::new()
        .route("/api/v1/catalogue", put(load))
        .route("/api/v1/completions", post(completions))
        .route(
            "/api/v1/completions/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                super::IMPORT_MAX_BYTES,
            )),
        )
}

/// The Moodle completion export (`text/csv`): the summary of the import, rejected rows with
/// their line and reason.
#[utoipa::path(
    post,
    path = "/api/v1/completions/import",
    tag = "completions",
    request_body(content = String, content_type = "text/csv", description = "The Moodle activity completion export"),
    responses((status = 200, description = "The import summary, rejected rows with line and reason"), (status = 422, description = "The file cannot be used (not UTF-8, no email column)")),
    security(("bearer" = [])),
)]
pub(crate) async fn import(
    State(app): State<Insigne>,
    _: Ingest,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mime = media_type(&headers);
    if !matches!(mime.as_str(), "text/csv" | "application/csv" | "text/plain") {
        return Err(ApiError::UnsupportedMediaType(
            "the CSV export (Content-Type: text/csv)",
        ));
    }
    let mapping = app.moodle_mapping.clone();
    let summary = app.import_moodle(&body, &mapping, &|_| {}).await?;
    Ok(Json(json!(summary)))
}

/// The whole catalogue, as the TOML file (images as data URIs).
#[utoipa::path(
    put,
    path = "/api/v1/catalogue",
    tag = "catalogue",
    request_body(content = String, content_type = "application/toml", description = "The catalogue file"),
    responses((status = 200, description = "What was loaded, and how many learners were marked for evaluation against it (`learners_marked`)"), (status = 415, description = "Not application/toml"), (status = 422, description = "The catalogue is refused (entry and field named)")),
    security(("bearer" = [])),
)]
pub(crate) async fn load(
    State(app): State<Insigne>,
    _: Admin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mime = media_type(&headers);
    if !matches!(
        mime.as_str(),
        "application/toml" | "text/plain" | "text/x-toml"
    ) {
        return Err(ApiError::UnsupportedMediaType(
            "the catalogue file (Content-Type: application/toml)",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadJson("the catalogue is not UTF-8 text".into()))?;
    let loaded = app
        .load_catalogue(text.trim_start_matches('\u{feff}'), None)
        .await?;
    Ok(Json(json!(loaded)))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<CompletionInput>),
    One(Box<CompletionInput>),
}

/// One completion or a batch; all valid or none recorded. Answers what was new and the awards
/// triggered, each with the trace of its rule.
#[utoipa::path(
    post,
    path = "/api/v1/completions",
    tag = "completions",
    request_body = CompletionInput,
    responses((status = 200, description = "Each completion (recorded or already_known), the awards triggered with their traces, and the learners still waiting for evaluation (`pending`: a worker awards what they earn)"), (status = 422, description = "A completion is wrong: none recorded")),
    security(("bearer" = [])),
)]
pub(crate) async fn completions(
    State(app): State<Insigne>,
    _: Ingest,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let inputs: Vec<CompletionInput> = match serde_json::from_value::<OneOrMany>(body.clone()) {
        Ok(OneOrMany::Many(list)) => list,
        Ok(OneOrMany::One(one)) => vec![*one],
        // Say precisely what is wrong, as for any other body.
        Err(_) => match body {
            Value::Array(_) => crate::http::extract::parse_json::<Vec<CompletionInput>>(
                body.to_string().as_bytes(),
            )?,
            _ => vec![crate::http::extract::parse_json::<CompletionInput>(
                body.to_string().as_bytes(),
            )?],
        },
    };
    if inputs.is_empty() {
        return Err(ApiError::BadField {
            field: "(body)".into(),
            message: "no completion in the batch".into(),
        });
    }
    if inputs.len() > 10_000 {
        return Err(ApiError::BadField {
            field: "(body)".into(),
            message:
                "at most 10,000 completions per request; use /api/v1/completions/import for more"
                    .into(),
        });
    }
    let outcome = app.record_completions(&inputs).await?;
    let recorded: Vec<Value> = outcome
        .recorded
        .iter()
        .enumerate()
        .map(|(i, new)| json!({"index": i, "status": if *new { "recorded" } else { "already_known" }}))
        .collect();
    let awards: Vec<Value> = outcome
        .awards
        .iter()
        .map(|t| {
            let mut view = super::award_view(&app, &t.stored);
            view["trace"] = json!(t.trace_view());
            view
        })
        .collect();
    Ok(Json(
        json!({"completions": recorded, "awards": awards, "pending": outcome.pending}),
    ))
}
