//! `GET /api/openapi.json`: the OpenAPI description of the JSON API, generated from the same
//! handlers the router serves (utoipa).

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::domain::award::{
    AwardInput, EvidenceFields, EvidenceInput, RecipientInput, RevokeInput,
};
use crate::domain::badge_class::{AlignmentInput, BadgeClassInput, CriteriaInput};
use crate::domain::issuer::IssuerInput;
use crate::service::{CompletionInput, Insigne};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "insigne",
        description = "Open Badges 2.0 and 3.0 for the académie de Versailles' e-CAP teacher trainers. \
                       Errors are JSON: {\"error\": {\"status\", \"code\", \"message\", \"fields\"?}}.",
    ),
    paths(
        super::admin::issuers::create,
        super::admin::issuers::list,
        super::admin::issuers::read,
        super::admin::issuers::update,
        super::admin::badge_classes::create,
        super::admin::badge_classes::list,
        super::admin::badge_classes::read,
        super::admin::badge_classes::update,
        super::admin::awards::create,
        super::admin::awards::read,
        super::admin::awards::revoke,
        super::admin::awards::reconcile,
        super::admin::catalogue::load,
        super::admin::catalogue::completions,
        super::admin::catalogue::import,
        super::admin::notifications::list,
        super::admin::notifications::resend,
        super::admin::status::status,
        super::admin::moodle::syncs,
        super::admin::trainers::export,
        super::admin::trainers::erase,
        super::public::downloads::unbake,
    ),
    components(schemas(
        IssuerInput,
        BadgeClassInput,
        CriteriaInput,
        AlignmentInput,
        AwardInput,
        RecipientInput,
        EvidenceInput,
        EvidenceFields,
        RevokeInput,
        CompletionInput,
        crate::service::ServiceStatus,
        crate::service::EvaluationStatus,
        crate::service::ImportStatusView,
        crate::service::SyncView,
        crate::service::Reconciled,
        crate::service::ReconciledAward,
    )),
    modifiers(&BearerToken),
)]
pub struct ApiDoc;

/// Admin and ingest routes take `Authorization: Bearer <token>` (`insigne tokens create`).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<Insigne> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}
