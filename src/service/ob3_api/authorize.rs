//! The authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636, S256 only) and the trainer's
//! answer on the consent page. A request whose client or redirection endpoint is wrong is never
//! redirected (§4.1.2.1): it is said on a page. Any other fault goes back to the platform.

use chrono::Duration;

use super::register::ClientMetadata;
use super::{Scopes, CODE_MINUTES, PENDING_MINUTES, PENDING_PER_CLIENT};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::service::{Actor, Insigne, ServiceError};
use crate::storage::{NewCode, NewPending};

/// The query of `GET …/auth/authorize`, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    /// Unknown or missing client: said on a page.
    UnknownClient,
    /// Missing, or not one the client registered: said on a page.
    BadRedirectUri,
    /// Anything else: sent back to the platform (`error`, `error_description`, `state`).
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

/// A refusal, or a failure of the service itself.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeFailure {
    #[error("authorization request refused: {0:?}")]
    Refused(AuthorizeRefusal),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The consent page's content.
#[derive(Debug, Clone)]
pub struct ConsentView {
    pub client: ClientMetadata,
    pub scopes: Scopes,
    /// Where the answer goes (its origin must be let through the page's form-action).
    pub redirect_uri: String,
    /// The anti-CSRF value the form carries, bound to this request and this trainer.
    pub csrf: String,
}

/// Where the trainer's answer sends their browser: back to the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentAnswer {
    Redirect(String),
    /// The request is gone (answered already, expired) or is not theirs.
    Gone,
    /// The form's anti-CSRF value is not the one this request was shown with.
    Forged,
}

/// A PKCE S256 challenge: BASE64URL(SHA-256(verifier)), 43 characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `uri` with `pairs` added to its query.
pub fn with_query(uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in pairs {
                    if let Some(value) = value {
                        query.append_pair(name, value);
                    }
                }
            }
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

impl Insigne {
    /// Checks an authorization request and keeps it for the trainer's answer: the id of the
    /// pending request, which the consent page's path carries.
    pub async fn start_authorization(
        &self,
        request: AuthorizeRequest,
    ) -> Result<String, AuthorizeFailure> {
        let client_id = request.client_id.unwrap_or_default();
        let Some((_, client)) = self.oauth_client(&client_id).await? else {
            return Err(AuthorizeFailure::Refused(AuthorizeRefusal::UnknownClient));
        };
        let redirect_uri = request.redirect_uri.unwrap_or_default();
        if !client.redirect_uris.contains(&redirect_uri) {
            return Err(AuthorizeFailure::Refused(AuthorizeRefusal::BadRedirectUri));
        }
        let state = request.state.clone();
        let refuse = |error: &'static str, description: &str| {
            Err(AuthorizeFailure::Refused(AuthorizeRefusal::Redirect {
                redirect_uri: redirect_uri.clone(),
                error,
                description: description.to_string(),
                state: state.clone(),
            }))
        };
        if request.response_type.as_deref() != Some("code") {
            return refuse("unsupported_response_type", "response_type must be code");
        }
        if state.as_ref().is_some_and(|s| s.len() > 1024) {
            return refuse("invalid_request", "state is longer than 1024 characters");
        }
        let Some(challenge) = request.code_challenge.filter(|c| !c.is_empty()) else {
            return refuse(
                "invalid_request",
                "PKCE is required: code_challenge is missing",
            );
        };
        if request.code_challenge_method.as_deref() != Some("S256") {
            return refuse(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not accepted)",
            );
        }
        if !is_s256_challenge(&challenge) {
            return refuse(
                "invalid_request",
                "code_challenge is not a base64url SHA-256 digest",
            );
        }
        let registered = client.scopes();
        let scopes = match request.scope.as_deref() {
            None | Some("") => registered,
            Some(asked) => match Scopes::parse(asked) {
                Ok(s) if s.is_empty() => registered,
                Ok(s) => s,
                Err(unknown) => {
                    return refuse(
                        "invalid_scope",
                        &format!("{} is not offered (read only)", unknown.0),
                    )
                }
            },
        };
        if !scopes.within(registered) {
            return refuse(
                "invalid_scope",
                "the scope asked for is more than this client registered",
            );
        }
        let now = self.clock.now();
        let id = new_link_secret();
        let pending = NewPending {
            id: id.clone(),
            client_id,
            redirect_uri: redirect_uri.clone(),
            scope: scopes.to_list(),
            state: state.clone(),
            code_challenge: challenge,
            created_at: now,
            expires_at: now + Duration::minutes(PENDING_MINUTES),
        };
        if !self
            .store
            .insert_oauth_pending(&pending, PENDING_PER_CLIENT)
            .await
            .map_err(ServiceError::from)?
        {
            return refuse(
                "temporarily_unavailable",
                "too many authorization requests are waiting for this client",
            );
        }
        Ok(id)
    }

    /// The consent page for `email`: `None` when the request is unknown, expired, or was
    /// shown to another trainer first.
    pub async fn consent_view(
        &self,
        id: &str,
        email: &str,
    ) -> Result<Option<ConsentView>, ServiceError> {
        let now = self.clock.now();
        let Some(pending) = self.store.oauth_pending(id, now).await? else {
            return Ok(None);
        };
        if pending.email.is_none() {
            self.store
                .bind_oauth_pending(id, email, &new_link_secret())
                .await?;
        }
        let Some(pending) = self.store.oauth_pending(id, now).await? else {
            return Ok(None);
        };
        let (Some(owner), Some(csrf)) = (pending.email, pending.csrf) else {
            return Ok(None);
        };
        if owner != email {
            return Ok(None);
        }
        let Some((_, client)) = self.oauth_client(&pending.client_id).await? else {
            return Ok(None);
        };
        Ok(Some(ConsentView {
            client,
            scopes: Scopes::offered_among(&pending.scope),
            redirect_uri: pending.redirect_uri,
            csrf,
        }))
    }

    /// Whether a pending request is waiting (the sign-in page tells the trainer about it).
    pub async fn pending_client_name(&self, id: &str) -> Result<Option<String>, ServiceError> {
        let Some(pending) = self.store.oauth_pending(id, self.clock.now()).await? else {
            return Ok(None);
        };
        Ok(self
            .oauth_client(&pending.client_id)
            .await?
            .map(|(_, c)| c.client_name))
    }

    /// The trainer's answer: a code (or `access_denied`) sent back to the platform, once.
    pub async fn answer_consent(
        &self,
        id: &str,
        email: &str,
        csrf: &str,
        allow: bool,
    ) -> Result<ConsentAnswer, ServiceError> {
        let now = self.clock.now();
        let Some(pending) = self.store.oauth_pending(id, now).await? else {
            return Ok(ConsentAnswer::Gone);
        };
        if pending.email.as_deref() != Some(email) {
            return Ok(ConsentAnswer::Gone);
        }
        let expected = pending.csrf.clone().unwrap_or_default();
        if expected.is_empty() || !crate::auth::session::same_token(&expected, csrf) {
            return Ok(ConsentAnswer::Forged);
        }
        if !self.store.take_oauth_pending(id, email).await? {
            return Ok(ConsentAnswer::Gone);
        }
        let state = pending.state.as_deref();
        if !allow {
            return Ok(ConsentAnswer::Redirect(with_query(
                &pending.redirect_uri,
                &[("error", Some("access_denied")), ("state", state)],
            )));
        }
        let code = new_link_secret();
        let scopes = Scopes::offered_among(&pending.scope);
        let new_code = NewCode {
            code_hash: hash_secret(&code),
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            scope: scopes.to_list(),
            code_challenge: pending.code_challenge.clone(),
            family: crate::domain::ids::random_uuid().to_string(),
            email: email.to_string(),
            created_at: now,
            expires_at: now + Duration::minutes(CODE_MINUTES),
        };
        let grant_id = crate::domain::ids::random_uuid().to_string();
        self.store
            .consent_oauth(&new_code, &grant_id, |before| match before {
                Some(before) => Scopes::offered_among(before).union(scopes).to_list(),
                None => scopes.to_list(),
            })
            .await?;
        self.audit(
            &Actor::Trainer,
            "ob3 access granted",
            Some(&pending.client_id),
            Some(&scopes.to_list()),
        )
        .await?;
        Ok(ConsentAnswer::Redirect(with_query(
            &pending.redirect_uri,
            &[
                ("code", Some(&code)),
                ("scope", Some(&scopes.to_list())),
                ("state", state),
            ],
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_the_redirect_uris_query() {
        assert_eq!(
            with_query(
                "https://p.example/cb?x=1",
                &[("code", Some("a b")), ("state", None)]
            ),
            "https://p.example/cb?x=1&code=a+b"
        );
        assert!(is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_s256_challenge("plain-verifier"));
    }
}
