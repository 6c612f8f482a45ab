//! Who may do what: the scopes of API tokens, the secrets behind tokens, sign-in links and
//! sessions (shown once, kept hashed), and the extractors that turn a request into an
//! authenticated caller — an admin or ingest token, a signed-in trainer. An admin session
//! and OAuth bearer tokens take their place here next to them.

pub mod extract;
pub mod secrets;
pub mod session;

pub use extract::{Admin, ConsoleAdmin, ConsoleUser, Ingest, Trainer};
pub use secrets::{hash_secret, new_token_secret, TOKEN_PREFIX};

/// What a bearer token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything under the admin API.
    Admin,
    /// Reporting completions only.
    Ingest,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Ingest => "ingest",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Scope::Admin),
            "ingest" => Some(Scope::Ingest),
            _ => None,
        }
    }
}

/// What someone signed in to the console may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The DANE's e-formation team: every screen.
    Admin,
    /// A tutor: only what is given to tutors.
    Tutor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Tutor => "tutor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "tutor" => Some(Role::Tutor),
            _ => None,
        }
    }
}

/// An API token as it authenticates a request: its id and scope, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: crate::domain::TokenId,
    pub scope: Scope,
}
