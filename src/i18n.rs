//! The words people read, on pages and in emails. Every string is in `locales/<lang>/insigne.ftl`
//! (Fluent), none in code; templates and messages ask for them by key. French first: English when the URL
//! says `?lang=en` (the visible switch) or the browser prefers it (`Accept-Language`).

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Datelike, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{langid, LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // No Unicode isolation marks around arguments: they would end up in the HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static EN: LanguageIdentifier = langid!("en");

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// The BCP 47 code, for `lang` attributes and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// The language of a BCP 47 tag (`fr`, `fr-FR`, `en-GB`…), when insigne speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `?lang=` when given and known, else the first of French or English in the browser's
    /// `Accept-Language` by preference (q-values), else French.
    pub fn negotiate(explicit: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = explicit.and_then(Lang::from_tag) {
            return lang;
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut best: Option<(f32, Lang)> = None;
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::Fr)
    }

    /// The string `key` in this language.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// Whether `key` exists in this language.
    #[cfg(test)]
    pub(crate) fn has(&self, key: &str) -> bool {
        LOCALES.try_lookup(self.id(), key).is_some()
    }

    /// The string `key` with its `{ $name }` arguments filled in.
    pub fn t_with(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// The string `key` with one number argument (plurals).
    pub fn t_count(&self, key: &str, name: &'static str, n: i64) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            HashMap::from([(Cow::Borrowed(name), FluentValue::from(n))]);
        LOCALES.lookup_with_args(self.id(), key, &args)
    }

    /// A date as people write it: `28 novembre 2026`, `1er août 2027`, `28 November 2026`.
    pub fn date(&self, t: DateTime<Utc>) -> String {
        let month = self.t(&format!("month-{}", t.month()));
        let args: HashMap<Cow<'static, str>, FluentValue> = HashMap::from([
            (Cow::Borrowed("day"), FluentValue::from(t.day() as i64)),
            (Cow::Borrowed("month"), FluentValue::from(month)),
            (
                Cow::Borrowed("year"),
                FluentValue::from(t.year().to_string()),
            ),
        ]);
        LOCALES.lookup_with_args(self.id(), "date", &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let path = format!("{}/locales/{lang}/insigne.ftl", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    /// Both languages have the same keys, and every key a template or the code asks for exists.
    #[test]
    fn every_key_exists_in_both_languages() {
        let (fr, en) = (keys("fr"), keys("en"));
        assert_eq!(
            fr.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new()
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        for folder in [
            "templates",
            "src/http/public",
            "src/http/public/pages",
            "src/http/console",
            "src/notify",
        ] {
            for entry in std::fs::read_dir(dir.join(folder)).expect("folder") {
                let path = entry.expect("entry").path();
                if path.is_file() {
                    sources.push(std::fs::read_to_string(path).expect("read"));
                }
            }
        }
        let mut missing = Vec::new();
        for source in &sources {
            for call in [".t(\"", ".t_with(\"", ".t_count(\""] {
                for (i, _) in source.match_indices(call) {
                    let rest = &source[i + call.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !key.contains('{') && !fr.contains(key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys not in the locales: {missing:?}");
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let d = |s: &str| s.parse::<DateTime<Utc>>().expect("date");
        assert_eq!(Lang::Fr.date(d("2026-11-28T12:00:00Z")), "28 novembre 2026");
        assert_eq!(Lang::Fr.date(d("2027-08-01T00:00:00Z")), "1er août 2027");
        assert_eq!(Lang::En.date(d("2027-08-01T00:00:00Z")), "1 August 2027");
    }

    #[test]
    fn plurals_and_arguments() {
        assert_eq!(Lang::Fr.t_count("class-validity-days", "days", 1), "1 jour");
        assert_eq!(
            Lang::En.t_count("class-validity-days", "days", 365),
            "365 days"
        );
        assert_eq!(
            Lang::En.t_with("status-expired", &[("date", "1 August 2027")]),
            "Expired on 1 August 2027."
        );
        assert_eq!(
            Lang::Fr.t_with(
                "check-line",
                &[("label", "Signature"), ("status", "Réussi")]
            ),
            "Signature\u{a0}: Réussi."
        );
    }

    #[test]
    fn the_language_is_negotiated() {
        let with = |accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_LANGUAGE, accept.parse().expect("header"));
            h
        };
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::Fr);
        assert_eq!(Lang::negotiate(None, &with("en-GB,en;q=0.8")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, &with("de-DE,en;q=0.5,fr;q=0.9")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, &with("de, en;q=0.1")), Lang::En);
        assert_eq!(Lang::negotiate(None, &with("en;q=0")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en"), &with("fr")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), &with("en")), Lang::En);
    }
}
