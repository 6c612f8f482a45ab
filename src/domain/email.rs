//! Email addresses: checked once, stored lower-cased, hashed for Open Badges recipients.

use std::fmt;

use sha2::{Digest, Sha256};

/// A syntactically valid email address, trimmed and lower-cased so that the same person always
/// gets the same recipient hash.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, String> {
        let normalized = input.trim().to_lowercase();
        if normalized.is_empty() {
            return Err("must not be empty".into());
        }
        if normalized.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        let parsed = email_address::EmailAddress::parse_with_options(
            &normalized,
            email_address::Options::default().without_display_text(),
        )
        .map_err(|_| format!("{input:?} is not a valid email address"))?;
        // The crate accepts domain literals and dot-less domains; a trainer's address has neither.
        let domain = parsed.domain();
        if domain.starts_with('[') || !domain.contains('.') {
            return Err(format!("{input:?} is not a valid email address"));
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Open Badges hashed identity: `sha256$` + hex(sha256(email + salt)).
    pub fn hashed_identity(&self, salt: &str) -> String {
        let digest = Sha256::digest(format!("{}{}", self.0, salt).as_bytes());
        format!("sha256${}", hex::encode(digest))
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Personal data: logs and debug output show only the domain.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit('@').next().unwrap_or("");
        write!(f, "EmailAddress(…@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes_ordinary_addresses() {
        let e = EmailAddress::parse("  Marie.Curie@AC-Versailles.fr ").expect("valid");
        assert_eq!(e.as_str(), "marie.curie@ac-versailles.fr");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "marie",
            "marie@",
            "@ac-versailles.fr",
            "a b@c.fr",
            "marie@localhost",
            "x@[127.0.0.1]",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn hashed_identity_matches_the_open_badges_definition() {
        // sha256("trainer@example.org" + "deadsea") computed independently with sha256sum.
        let e = EmailAddress::parse("trainer@example.org").expect("valid");
        assert_eq!(
            e.hashed_identity("deadsea"),
            "sha256$8d9c96a20a12c252c1ddb5e7dc6cd022bd3b8a798022628f441a43d0b1fd1a59"
        );
    }

    #[test]
    fn debug_hides_the_local_part() {
        let e = EmailAddress::parse("marie@example.org").expect("valid");
        assert_eq!(format!("{e:?}"), "EmailAddress(…@example.org)");
    }
}
