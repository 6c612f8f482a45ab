//! LinkedIn's "Add to profile" link for a certification: on the badge page and in the email
//! that announces a badge.

use chrono::Datelike;

/// What LinkedIn's "Add to profile" form is prefilled with.
pub struct Certification<'a> {
    pub name: &'a str,
    pub organization: &'a str,
    pub issued: chrono::DateTime<chrono::Utc>,
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
    pub url: &'a str,
    pub id: &'a str,
}

/// LinkedIn's documented add-to-profile link for a certification.
pub fn add_to_profile(c: &Certification) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("startTask", "CERTIFICATION_NAME")
        .append_pair("name", c.name)
        .append_pair("organizationName", c.organization)
        .append_pair("issueYear", &c.issued.year().to_string())
        .append_pair("issueMonth", &c.issued.month().to_string());
    if let Some(exp) = c.expires {
        query
            .append_pair("expirationYear", &exp.year().to_string())
            .append_pair("expirationMonth", &exp.month().to_string());
    }
    query
        .append_pair("certUrl", c.url)
        .append_pair("certId", c.id);
    format!("https://www.linkedin.com/profile/add?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_linkedin_link_carries_the_certification() {
        let link = add_to_profile(&Certification {
            name: "e-CAP1 : Accompagner",
            organization: "Académie de Versailles",
            issued: "2026-11-28T10:00:00Z".parse().expect("date"),
            expires: Some("2029-11-27T10:00:00Z".parse().expect("date")),
            url: "https://badges.example/badges/42",
            id: "42",
        });
        let parsed = url::Url::parse(&link).expect("url");
        assert_eq!(parsed.host_str(), Some("www.linkedin.com"));
        assert_eq!(parsed.path(), "/profile/add");
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("startTask"), Some("CERTIFICATION_NAME"));
        assert_eq!(get("name"), Some("e-CAP1 : Accompagner"));
        assert_eq!(get("organizationName"), Some("Académie de Versailles"));
        assert_eq!(get("issueYear"), Some("2026"));
        assert_eq!(get("issueMonth"), Some("11"));
        assert_eq!(get("expirationYear"), Some("2029"));
        assert_eq!(get("expirationMonth"), Some("11"));
        assert_eq!(get("certUrl"), Some("https://badges.example/badges/42"));
        assert_eq!(get("certId"), Some("42"));
    }
}
