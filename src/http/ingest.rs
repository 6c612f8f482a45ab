//! What LMS connectors send (ingest or admin token): completions as JSON, Moodle's completion
//! exports as they are downloaded, and the attendance exports of virtual classes.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::error::ApiError;
use super::extract::{media_type, parse_json, JsonBody, QueryParams, RawBody};
use crate::auth::Ingest;
use crate::service::views::CompletionsView;
use crate::service::{AttendanceSummary, CompletionInput, ImportSummary, Insigne};

/// The largest completion export taken (a year of m@gistère completions is a few MiB).
pub const IMPORT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// The most completions one request may carry; the import takes more.
pub const MAX_BATCH: usize = 10_000;

pub fn routes() -> OpenApiRouter<Insigne> {
    OpenApiRouter::new()
        .routes(routes!(completions))
        .routes(routes!(import).layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX_BYTES)))
        .routes(
            routes!(attendance_import)
                .layer(axum::extract::DefaultBodyLimit::max(ATTENDANCE_MAX_BYTES)),
        )
}

/// The largest attendance export taken (a year of conferences is well under a MiB).
pub const ATTENDANCE_MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AttendanceQuery {
    /// `true`: only say what the import would record and award, recording nothing.
    #[serde(default)]
    dry_run: bool,
}

/// An attendance export of a virtual class (`text/csv`): an attendance list, a Zoom
/// participants report or a Teams attendance report. Each person's attendance at a session is
/// recorded once (the longest kept); the answer lists the sessions, rejected rows with their
/// line and reason, the awards made and, for each attendee, every session judged against each
/// participation badge (counted, too short, other series).
#[utoipa::path(
    post,
    path = "/api/v1/attendance/import",
    tag = "attendance",
    params(AttendanceQuery),
    request_body(content = String, content_type = "text/csv", description = "The export as the tool downloads it (UTF-8, with or without a BOM, or UTF-16 with its BOM)"),
    responses(
        (status = 200, description = "The import summary (or, with dry_run, what it would do)", body = AttendanceSummary),
        (status = 400, description = "dry_run is not true or false"),
        (status = 413, description = "Larger than 16 MiB"),
        (status = 415, description = "Not text/csv"),
        (status = 422, description = "The file cannot be used (not text, not a layout insigne reads), or the catalogue has no series"),
    ),
    security(("bearer" = ["ingest"])),
)]
pub(crate) async fn attendance_import(
    State(app): State<Insigne>,
    _: Ingest,
    headers: HeaderMap,
    query: Result<QueryParams<AttendanceQuery>, ApiError>,
    RawBody(body): RawBody,
) -> Result<Json<AttendanceSummary>, ApiError> {
    let QueryParams(q) = query.map_err(|_| ApiError::BadField {
        field: "dry_run".into(),
        message: "must be true or false".into(),
    })?;
    let mime = media_type(&headers);
    if !matches!(mime.as_str(), "text/csv" | "application/csv" | "text/plain") {
        return Err(ApiError::UnsupportedMediaType(
            "the attendance export (Content-Type: text/csv)",
        ));
    }
    let mapping = app.attendance_mapping.clone();
    let origin = crate::storage::ImportOrigin {
        file_name: None,
        started_by: Some("api".into()),
    };
    Ok(Json(
        app.import_attendance(&body, &mapping, q.dry_run, &origin, &|_| {})
            .await?,
    ))
}

/// The Moodle completion export (`text/csv`): the summary of the import, rejected rows with
/// their line and reason.
#[utoipa::path(
    post,
    path = "/api/v1/completions/import",
    tag = "completions",
    request_body(content = String, content_type = "text/csv", description = "A Moodle completion report, as downloaded (activity or course completion; UTF-8 or Excel's UTF-16)"),
    responses(
        (status = 200, description = "The import summary, rejected rows with line and reason", body = ImportSummary),
        (status = 413, description = "Larger than 64 MiB"),
        (status = 415, description = "Not text/csv"),
        (status = 422, description = "The file cannot be used (not text, not a report Moodle writes)"),
    ),
    security(("bearer" = ["ingest"])),
)]
pub(crate) async fn import(
    State(app): State<Insigne>,
    _: Ingest,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<ImportSummary>, ApiError> {
    let mime = media_type(&headers);
    if !matches!(mime.as_str(), "text/csv" | "application/csv" | "text/plain") {
        return Err(ApiError::UnsupportedMediaType(
            "the CSV export (Content-Type: text/csv)",
        ));
    }
    let mapping = app.moodle_mapping.clone();
    Ok(Json(app.import_moodle(&body, &mapping, &|_| {}).await?))
}

/// One completion, or a batch of them.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(crate) enum Completions {
    Many(Batch),
    One(Box<CompletionInput>),
}

/// A batch of completions: all valid or none recorded.
#[derive(Deserialize)]
pub(crate) struct Batch(Vec<CompletionInput>);

// By hand: the derive takes no length bounds on a newtype's array.
impl utoipa::PartialSchema for Batch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("CompletionInput"))
            .min_items(Some(1))
            .max_items(Some(MAX_BATCH))
            .into()
    }
}

impl utoipa::ToSchema for Batch {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("CompletionInput".into(), CompletionInput::schema()));
        <CompletionInput as utoipa::ToSchema>::schemas(schemas);
    }
}

/// One completion or a batch; all valid or none recorded. Answers what was new and the awards
/// triggered, each with the trace of its rule.
#[utoipa::path(
    post,
    path = "/api/v1/completions",
    tag = "completions",
    request_body = Completions,
    responses(
        (status = 200, description = "Each completion (recorded or already_known), the awards triggered with their traces, and the learners still waiting for evaluation (`pending`: a worker awards what they earn)", body = CompletionsView),
        (status = 400, description = "Not JSON, a field of the wrong type, or an empty or too large batch"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "Not application/json"),
        (status = 422, description = "A completion is wrong: none recorded"),
    ),
    security(("bearer" = ["ingest"])),
)]
pub(crate) async fn completions(
    State(app): State<Insigne>,
    _: Ingest,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<CompletionsView>, ApiError> {
    let inputs: Vec<CompletionInput> = match serde_json::from_value::<Completions>(body.clone()) {
        Ok(Completions::Many(Batch(list))) => list,
        Ok(Completions::One(one)) => vec![*one],
        // Say precisely what is wrong, as for any other body.
        Err(_) => match body {
            Value::Array(_) => parse_json::<Vec<CompletionInput>>(body.to_string().as_bytes())?,
            _ => vec![parse_json::<CompletionInput>(body.to_string().as_bytes())?],
        },
    };
    if inputs.is_empty() {
        return Err(ApiError::BadField {
            field: "(body)".into(),
            message: "no completion in the batch".into(),
        });
    }
    if inputs.len() > MAX_BATCH {
        return Err(ApiError::BadField {
            field: "(body)".into(),
            message:
                "at most 10,000 completions per request; use /api/v1/completions/import for more"
                    .into(),
        });
    }
    let outcome = app.record_completions(&inputs).await?;
    Ok(Json(app.completions_view(&outcome)))
}
