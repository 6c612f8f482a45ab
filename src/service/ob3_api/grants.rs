//! The trainer's side: the platforms they authorised, withdrawing one, and what their export
//! says of them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::Scopes;
use crate::domain::clock::rfc3339;
use crate::service::{Actor, Insigne, ServiceError};

/// A platform the trainer authorised, as "mes badges" lists it.
#[derive(Debug, Clone)]
pub struct PlatformGrant {
    pub id: String,
    pub client_name: String,
    pub client_uri: Option<String>,
    pub scopes: Scopes,
    /// The first consent.
    pub granted_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A grant in the trainer's export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedPlatform {
    pub client_id: String,
    pub client_name: String,
    pub client_uri: Option<String>,
    /// The scopes granted, space-separated.
    pub scope: String,
    #[schema(format = DateTime)]
    pub granted_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    /// When the trainer withdrew it, if they did.
    #[schema(format = DateTime)]
    pub withdrawn_at: Option<String>,
    /// Tokens of the grant that still work (only their hashes are kept).
    pub live_tokens: i64,
}

/// An authorization request shown to the trainer and not answered yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAuthorizationRequest {
    pub client_id: String,
    pub scope: String,
    pub redirect_uri: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

impl Insigne {
    /// The platforms `email` authorised and has not withdrawn, the latest consent first.
    pub async fn platforms_of(&self, email: &str) -> Result<Vec<PlatformGrant>, ServiceError> {
        let mut out = Vec::new();
        for grant in self.store.oauth_grants_of(email, false).await? {
            let client = self.oauth_client(&grant.client_id).await?;
            let (name, uri) = match client {
                Some((_, c)) => (c.client_name, c.client_uri),
                None => (grant.client_id.clone(), None),
            };
            out.push(PlatformGrant {
                id: grant.id,
                client_name: name,
                client_uri: uri,
                scopes: Scopes::offered_among(&grant.scope),
                granted_at: grant.created_at,
                last_used_at: grant.last_used_at,
            });
        }
        Ok(out)
    }

    /// Withdraws one of the trainer's grants: every token of it stops working at once.
    pub async fn withdraw_platform(&self, email: &str, grant: &str) -> Result<(), ServiceError> {
        let client = self
            .store
            .oauth_grants_of(email, false)
            .await?
            .into_iter()
            .find(|g| g.id == grant)
            .map(|g| g.client_id);
        let withdrawn = self
            .store
            .revoke_oauth_grant(grant, email, self.clock.now())
            .await?;
        if !withdrawn {
            return Err(ServiceError::not_found("authorised platform", grant));
        }
        self.audit(
            &Actor::Trainer,
            "ob3 access withdrawn",
            client.as_deref(),
            None,
        )
        .await
    }

    /// What the trainer's export says of their platforms and waiting requests.
    pub async fn exported_platforms(
        &self,
        email: &str,
    ) -> Result<(Vec<ExportedPlatform>, Vec<ExportedAuthorizationRequest>), ServiceError> {
        let now = self.clock.now();
        let mut platforms = Vec::new();
        for grant in self.store.oauth_grants_of(email, true).await? {
            let client = self.oauth_client(&grant.client_id).await?.map(|(_, c)| c);
            platforms.push(ExportedPlatform {
                client_name: client
                    .as_ref()
                    .map(|c| c.client_name.clone())
                    .unwrap_or_default(),
                client_uri: client.and_then(|c| c.client_uri),
                live_tokens: self.store.live_oauth_tokens(&grant.id, now).await?,
                client_id: grant.client_id,
                scope: grant.scope,
                granted_at: rfc3339(grant.created_at),
                last_used_at: grant.last_used_at.map(rfc3339),
                withdrawn_at: grant.revoked_at.map(rfc3339),
            });
        }
        let requests = self
            .store
            .oauth_pending_of(email)
            .await?
            .into_iter()
            .map(|p| ExportedAuthorizationRequest {
                client_id: p.client_id,
                scope: p.scope,
                redirect_uri: p.redirect_uri,
                created_at: rfc3339(p.created_at),
                expires_at: rfc3339(p.expires_at),
            })
            .collect();
        Ok((platforms, requests))
    }
}
