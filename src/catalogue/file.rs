//! The catalogue file (TOML). Its shape, entry by entry:
//!
//! ```toml
//! [issuer]                      # who awards the catalogue's badges (upserted by code)
//! code = "dane-versailles"
//! name = "…"; url = "https://…"; email = "…"; description = "…"   # description optional
//!
//! [[framework]]                 # a competency framework…
//! code = "EF"; name = "…"; description = "…"; url = "…"           # description, url optional
//! [[framework.competency]]      # …and its competencies
//! code = "EF1"; name = "…"; description = "…"; url = "…"          # description, url optional
//!
//! [[parcours]]
//! code = "e-CAP1"; title = "…"; description = "…"
//! moodle_course_id = 4521       # optional: the Moodle course `insigne moodle sync` reads
//!
//! [[module]]
//! code = "E1-M1"; title = "…"; parcours = "e-CAP1"; hours = 3
//! modality = "distance"         # presentiel | classe_virtuelle | distance
//! lms_ids = ["…"]               # how imports name it (activity name, id number)
//! cmid = 81234                  # optional: the course-module id of its Moodle activity
//! competencies = ["EF3", "CRCN:2.1"]   # CODE when unique, else FRAMEWORK:CODE
//!
//! [[series]]                   # a conference cycle in virtual classes
//! code = "jeudis-de-la-recherche"; name = "…"
//! prefixes = ["Jeudis de la recherche"]    # a session whose title starts so belongs to it…
//! titles = ["…"]                # …or one of these titles (either list may be left out)
//!
//! [[grid]]                     # a review grid: what a tutor assesses a request on
//! code = "grille-qualite"; name = "…"; description = "…"          # description optional
//! [[grid.criterion]]
//! code = "Q1"; label = "…"; description = "…"                     # description optional
//!
//! [[badge]]
//! code = "e-cap1"; name = "…"; description = "…"
//! image = "images/e-cap1.svg"   # optional: a file next to the catalogue or a data URI
//! criteria = "…"                # optional: said from the rule otherwise
//! tags = ["…"]; validity_days = 1095                                  # optional
//! rule = { all_modules = ["E1-M1", "E1-M2"] }          # or { parcours = "e-CAP1" }
//! #    = { at_least = 2, modules = ["…"] }
//! #    = { all_competencies = ["EF1"] }
//! #    = { all_badges = ["e-cap1", "e-cap2"] }          # stackable
//! #    = { sessions_attended = 3, series = "jeudis-de-la-recherche", min_minutes = 45 }
//! #    = { review = "grille-qualite", parcours = "e-CAP2" }  # on request, reviewed by a
//! #      tutor of the parcours; the other rule (optional) must hold before submitting
//! ```

use std::path::Path;

use super::raw::RawCatalogue;
use super::validate::validate;
use super::Catalogue;
use crate::domain::Invalid;

/// Parses and checks a catalogue. `base_dir` is where image files it names are read from
/// (`None`: only data URIs are accepted, as for a catalogue sent over HTTP).
pub fn parse(text: &str, base_dir: Option<&Path>) -> Result<Catalogue, Invalid> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            })
            .unwrap_or_else(|| "catalogue".into());
        Invalid::one(at, e.message().to_string())
    })?;
    validate(raw, base_dir)
}
