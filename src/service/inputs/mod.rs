//! What callers send the service: the request bodies of the JSON API (and the CLI's), with
//! their OpenAPI schemas, and the checks that turn each into a domain draft, naming every
//! faulty field at once. The domain itself knows nothing of requests.

mod award;
mod badge_class;
mod issuer;

pub use award::{AwardInput, EvidenceFields, EvidenceInput, RecipientInput, RevokeInput};
pub use badge_class::{AlignmentInput, BadgeClassInput, CriteriaInput};
pub use issuer::IssuerInput;

/// An optional whole number, written `220` or `220.0` (JSON Schema's integers include both).
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    use serde::Deserialize;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Beyond 2^53 a float is no exact whole number.
        Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => Ok(Some(f as i64)),
        _ => Err(D::Error::custom(format!("{number} is not a whole number"))),
    }
}
