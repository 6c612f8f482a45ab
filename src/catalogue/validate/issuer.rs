//! `[issuer]`: who awards the catalogue's badges.

use crate::catalogue::raw::RawIssuer;
use crate::catalogue::IssuerDef;
use crate::domain::validation::Checker;
use crate::domain::EmailAddress;

pub(super) fn issuer(c: &mut Checker, raw: &RawIssuer) -> IssuerDef {
    IssuerDef {
        code: c.text("issuer.code", &raw.code, 100),
        name: c.text("issuer.name", &raw.name, 200),
        url: c.http_url("issuer.url", &raw.url),
        email: c
            .take("issuer.email", EmailAddress::parse(&raw.email))
            .map(|e| e.to_string())
            .unwrap_or_default(),
        description: c.optional_text("issuer.description", raw.description.as_deref(), 5000),
    }
}
