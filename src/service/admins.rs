//! The console's admins and tutors: added and removed by the CLI, signed in with an emailed
//! link (single use, 15 minutes, kept hashed; asking never tells whether an address is an
//! admin's), holding a session with an idle and an absolute expiry and a CSRF token.

use chrono::{DateTime, Duration, Utc};

use super::trainers::SigninRequest;
use super::views::AdminView;
use super::{Insigne, ServiceError};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::auth::Role;
use crate::domain::clock::rfc3339;
use crate::domain::{EmailAddress, Invalid};
use crate::i18n::Lang;
use crate::storage::Store;

/// How long a console sign-in link works.
pub const ADMIN_SIGNIN_MINUTES: i64 = 15;
/// A console session unused this long ends.
pub const ADMIN_IDLE_MINUTES: i64 = 30;
/// A console session ends this long after sign-in, however busy.
pub const ADMIN_SESSION_HOURS: i64 = 8;
/// Console sign-in links asked per address, and per client, in a quarter of an hour.
const SIGNIN_PER_ADDRESS: i64 = 3;
const SIGNIN_PER_CLIENT: i64 = 20;

/// A signed-in admin or tutor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub email: String,
    pub role: Role,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// A session just opened: its secret goes in the cookie, once.
#[derive(Debug)]
pub struct OpenedSession {
    pub secret: String,
    pub email: String,
}

fn address(email: &str) -> Result<String, ServiceError> {
    EmailAddress::parse(email)
        .map(|e| e.to_string())
        .map_err(|problem| Invalid::one("email", problem).into())
}

// The accounts need only the store, so that `insigne admins …` works without the keys.

/// Adds an admin (or changes their role); true when they were new.
pub async fn add_admin(
    store: &Store,
    email: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let email = address(email)?;
    Ok(store.put_admin(&email, role, now).await?)
}

/// Sets the parcours whose requests the tutor `email` reviews; every code must be a parcours
/// of the catalogue, and `email` a tutor.
pub async fn set_tutor_parcours(
    store: &Store,
    email: &str,
    parcours: &[String],
) -> Result<(), ServiceError> {
    let email = address(email)?;
    if store.admin_role(&email).await? != Some(Role::Tutor) {
        return Err(crate::domain::Invalid::one(
            "parcours",
            "only a tutor reviews the requests of parcours (add them with --role tutor)",
        )
        .into());
    }
    let codes = known_parcours(store, parcours).await?;
    Ok(store.set_tutor_parcours(&email, &codes).await?)
}

/// The parcours codes given (repeated, or separated by commas), each a parcours of the
/// catalogue; refused otherwise, naming the unknown one.
pub async fn known_parcours(
    store: &Store,
    parcours: &[String],
) -> Result<Vec<String>, ServiceError> {
    let known = store.load_catalogue().await?.parcours;
    let mut codes = Vec::new();
    for p in parcours.iter().flat_map(|p| p.split(',')) {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !known.iter().any(|k| k.code == p) {
            return Err(crate::domain::Invalid::one(
                "parcours",
                format!("no parcours {p:?} in the catalogue"),
            )
            .into());
        }
        codes.push(p.to_string());
    }
    Ok(codes)
}

/// The parcours a tutor reviews.
pub async fn tutor_parcours(store: &Store, email: &str) -> Result<Vec<String>, ServiceError> {
    Ok(store.tutor_parcours(&address(email)?).await?)
}

/// Removes an admin and ends their sessions; false when there was none.
pub async fn remove_admin(store: &Store, email: &str) -> Result<bool, ServiceError> {
    Ok(store.remove_admin(&address(email)?).await?)
}

/// Every admin and tutor, by address.
pub async fn list_admins(store: &Store) -> Result<Vec<AdminView>, ServiceError> {
    Ok(store
        .admins()
        .await?
        .into_iter()
        .map(|a| AdminView {
            email: a.email,
            role: a.role.as_str().into(),
            added_at: rfc3339(a.added_at),
        })
        .collect())
}

impl Insigne {
    pub async fn add_admin(&self, email: &str, role: Role) -> Result<bool, ServiceError> {
        add_admin(&self.store, email, role, self.clock.now()).await
    }

    /// Sets the parcours whose requests the tutor `email` reviews.
    pub async fn set_tutor_parcours(
        &self,
        email: &str,
        parcours: &[String],
    ) -> Result<(), ServiceError> {
        set_tutor_parcours(&self.store, email, parcours).await
    }

    /// Sends a console sign-in link to `address` if it is an admin's or a tutor's; answers the
    /// same either way.
    pub async fn request_admin_signin(
        &self,
        address: &str,
        client: &str,
        lang: Lang,
    ) -> Result<SigninRequest, ServiceError> {
        let now = self.clock.now();
        // Counted apart from the trainers' requests: the same address may ask for both.
        let address_hash = hash_secret(&format!("admin:{}", address.trim().to_lowercase()));
        let client = format!("admin:{client}");
        let (by_address, by_client) = self
            .store
            .signin_requests_since(&address_hash, &client, now - Duration::minutes(15))
            .await?;
        if by_address >= SIGNIN_PER_ADDRESS || by_client >= SIGNIN_PER_CLIENT {
            return Ok(SigninRequest::RateLimited);
        }
        self.store
            .record_signin_request(&address_hash, &client, now)
            .await?;
        let Ok(email) = EmailAddress::parse(address) else {
            return Ok(SigninRequest::Accepted);
        };
        let email = email.to_string();
        if self.store.admin_role(&email).await?.is_none() {
            return Ok(SigninRequest::Accepted);
        }
        let secret = new_link_secret();
        // The link opens the console in the language it was asked in.
        let link = format!(
            "{}/admin/connexion/{secret}?lang={}",
            self.urls.base(),
            lang.code()
        );
        let message =
            crate::notify::admin_signin_message(&email, &link, ADMIN_SIGNIN_MINUTES, lang);
        self.store
            .create_admin_signin(
                &hash_secret(&secret),
                &email,
                now,
                now + Duration::minutes(ADMIN_SIGNIN_MINUTES),
                &message,
            )
            .await?;
        Ok(SigninRequest::Accepted)
    }

    /// Whether a console sign-in link still works (for the page that asks to confirm it).
    pub async fn admin_link_is_live(&self, link_secret: &str) -> Result<bool, ServiceError> {
        Ok(self
            .store
            .admin_signin_is_live(&hash_secret(link_secret), self.clock.now())
            .await?)
    }

    /// Exchanges a console sign-in link for a session; `None` when the link is unknown, used,
    /// expired, or its admin was removed since.
    pub async fn exchange_admin_signin(
        &self,
        link_secret: &str,
    ) -> Result<Option<OpenedSession>, ServiceError> {
        let now = self.clock.now();
        let secret = new_link_secret();
        let csrf = new_link_secret();
        let email = self
            .store
            .use_admin_signin(
                &hash_secret(link_secret),
                &hash_secret(&secret),
                &csrf,
                now,
                now + Duration::hours(ADMIN_SESSION_HOURS),
            )
            .await?;
        Ok(email.map(|email| OpenedSession { secret, email }))
    }

    /// The admin signed in with `session`, while it lasts (each use moves its idle expiry on).
    pub async fn admin_session(&self, session: &str) -> Result<Option<AdminSession>, ServiceError> {
        let now = self.clock.now();
        Ok(self
            .store
            .touch_admin_session(
                &hash_secret(session),
                now,
                now - Duration::minutes(ADMIN_IDLE_MINUTES),
            )
            .await?
            .map(|s| AdminSession {
                email: s.email,
                role: s.role,
                csrf: s.csrf,
            }))
    }

    pub async fn admin_sign_out(&self, session: &str) -> Result<(), ServiceError> {
        Ok(self
            .store
            .delete_admin_session(&hash_secret(session))
            .await?)
    }
}
