//! Typed identifiers: an `AwardId` can never be passed where an `IssuerId` is expected.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

// Chance is drawn here (and for keys in proof/keys.rs) only: clippy.toml forbids it elsewhere.

/// A fresh random UUID (v4), for records and ids that are no typed id.
#[allow(clippy::disallowed_methods)]
pub fn random_uuid() -> Uuid {
    Uuid::new_v4()
}

/// `N` bytes from the thread's CSPRNG, for a secret (sign-in links, sessions).
#[allow(clippy::disallowed_methods)]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore;
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// A uniformly drawn number below `bound` (a status list index).
#[allow(clippy::disallowed_methods)]
pub fn random_below(bound: i64) -> i64 {
    use rand::Rng;
    rand::thread_rng().gen_range(0..bound)
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random identifier (UUID v4).
            pub fn random() -> Self {
                Self(random_uuid())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// An issuer (OB 2.0 Profile, OB 3.0 issuer Profile).
    IssuerId
);
uuid_id!(
    /// A badge class (OB 2.0 BadgeClass, OB 3.0 Achievement).
    BadgeClassId
);
uuid_id!(
    /// One award of a badge class to one recipient: the single source of every format.
    AwardId
);
uuid_id!(
    /// An API token (only its hash is stored).
    TokenId
);
uuid_id!(
    /// An endorsement of a badge class or of an award (OB 3.0 EndorsementCredential, OB 2.0
    /// Endorsement).
    EndorsementId
);

impl EndorsementId {
    /// The key of its revocation bit in its issuer's status list, which names what each bit
    /// covers by UUID: an award's or an endorsement's (UUIDs never collide).
    pub fn status_key(&self) -> AwardId {
        AwardId(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = AwardId::random();
        let parsed: AwardId = id.to_string().parse().expect("parses");
        assert_eq!(parsed, id);
        assert!("not-a-uuid".parse::<AwardId>().is_err());
    }
}
