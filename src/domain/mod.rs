//! Pure types and rules: what an issuer, a badge class and an award are, and what makes them
//! valid. Nothing here knows about HTTP, SQL or JSON-LD.

pub mod award;
pub mod badge_class;
pub mod clock;
pub mod ecap;
pub mod email;
pub mod ids;
pub mod image;
pub mod issuer;
pub mod validation;

pub use award::{Award, AwardRequest, Evidence, Recipient};
pub use badge_class::{Alignment, BadgeClass, BadgeClassDraft, Criteria};
pub use clock::{Clock, FixedClock, SystemClock};
pub use email::EmailAddress;
pub use ids::{AwardId, BadgeClassId, EndorsementId, IssuerId, TokenId};
pub use image::{Image, ImageKind};
pub use issuer::{Issuer, IssuerDraft};
pub use validation::{FieldError, Invalid};
