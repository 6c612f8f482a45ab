//! The Moodle activity completion report, exported as CSV (m@gistère is Moodle): one row per
//! learner; identity columns (user id, names, email); then, per activity, a status column and a
//! completion date column; then the course completion.
//!
//! Headers are in the site's language, so columns are recognised through a mapping
//! (`MoodleMapping`: French and English names by default, configurable in `insigne.toml`), and
//! activities are matched to catalogue modules by their LMS ids. Every row is judged on its own:
//! bad rows are reported with their line number and reason, good ones kept.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// How the columns and values of the export are recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoodleMapping {
    pub user_id: Vec<String>,
    pub full_name: Vec<String>,
    pub first_name: Vec<String>,
    pub last_name: Vec<String>,
    pub email: Vec<String>,
    /// The course completion column(s): ignored (completions are per module).
    pub course_completion: Vec<String>,
    /// A date column's header: the activity's header followed by one of these, or empty.
    pub date_suffixes: Vec<String>,
    /// Status values meaning "completed" (a value starting with one of them)…
    pub completed: Vec<String>,
    /// …unless it starts with one of these or contains a failure marker.
    pub not_completed: Vec<String>,
    pub failed: Vec<String>,
}

impl Default for MoodleMapping {
    fn default() -> Self {
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            user_id: v(&[
                "ID de l'utilisateur",
                "Identifiant de l'utilisateur",
                "Identifiant",
                "User ID",
                "ID",
            ]),
            full_name: v(&["Nom complet", "Prénom / Nom", "Full name"]),
            first_name: v(&["Prénom", "First name"]),
            last_name: v(&["Nom", "Nom de famille", "Last name", "Surname"]),
            email: v(&[
                "Adresse de courriel",
                "Adresse courriel",
                "Courriel",
                "Adresse e-mail",
                "Email address",
                "Email",
            ]),
            course_completion: v(&[
                "Achèvement du cours",
                "Cours achevé",
                "Course complete",
                "Course completion",
            ]),
            date_suffixes: v(&[
                "- Date d'achèvement",
                "Date d'achèvement",
                "- Completion date",
                "Completion date",
            ]),
            completed: v(&["Terminé", "Achevé", "Completed", "Complete"]),
            not_completed: v(&["Non terminé", "Non achevé", "Not completed", "Incomplete"]),
            // Moodle's own strings for completion-fail: fr 4.x "Terminé (n’a pas atteint la note
            // minimale de réussite)", fr 3.x "Terminé (n'a pas atteint la note pour passer)", en
            // "Completed (did not achieve pass grade)". Apostrophes are compared normalised.
            failed: v(&[
                "n'a pas atteint",
                "did not achieve",
                "échec",
                "non atteinte",
                "fail",
            ]),
        }
    }
}

use crate::catalogue::normalize_label as norm;

fn matches_any(value: &str, names: &[String]) -> bool {
    let v = norm(value);
    names.iter().any(|n| norm(n) == v)
}

/// A completion found in a row, before it is checked against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCompletion {
    pub line: usize,
    pub user_id: Option<String>,
    pub email: String,
    pub name: String,
    /// The activity header as written in the file.
    pub activity: String,
    pub completed_at: DateTime<Utc>,
}

/// A row refused, with its line number (1 = the header) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

/// Everything read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rows: usize,
    pub completions: Vec<RowCompletion>,
    pub rejected: Vec<Rejected>,
    /// Activity columns found, in order.
    pub activities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text: export it again as CSV in UTF-8")]
    NotUtf8,
    #[error("the file is empty")]
    Empty,
    #[error("no {0} column in the header (looked for: {1}); set [moodle] in insigne.toml if your export names it otherwise")]
    MissingColumn(&'static str, String),
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
}

/// The delimiter of the header line: `;` (French Excel exports) or `,`, or a tab.
fn sniff_delimiter(header: &str) -> u8 {
    let mut in_quotes = false;
    let (mut semi, mut comma, mut tab) = (0, 0, 0);
    for ch in header.chars() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => semi += 1,
            ',' if !in_quotes => comma += 1,
            '\t' if !in_quotes => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if semi >= comma {
        b';'
    } else {
        b','
    }
}

/// A completion date as Moodle writes it: `14/03/2026, 10:32`, `14/03/26 10:32`,
/// `mardi 14 mars 2026, 10:32`, `14 March 2026`, ISO forms. Local times are taken as UTC.
pub fn parse_moodle_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    // French and English month names become numbers; a leading weekday is dropped.
    const MONTHS: [(&str, &str); 24] = [
        ("janvier", "01"),
        ("février", "02"),
        ("mars", "03"),
        ("avril", "04"),
        ("mai", "05"),
        ("juin", "06"),
        ("juillet", "07"),
        ("août", "08"),
        ("septembre", "09"),
        ("octobre", "10"),
        ("novembre", "11"),
        ("décembre", "12"),
        ("january", "01"),
        ("february", "02"),
        ("march", "03"),
        ("april", "04"),
        ("may", "05"),
        ("june", "06"),
        ("july", "07"),
        ("august", "08"),
        ("september", "09"),
        ("october", "10"),
        ("november", "11"),
        ("december", "12"),
    ];
    let mut words: Vec<String> = t
        .replace(',', " ")
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    if words
        .first()
        .is_some_and(|w| w.chars().all(char::is_alphabetic))
    {
        words.remove(0);
    }
    let mut s = words.join(" ");
    for (name, num) in MONTHS {
        s = s.replace(&format!(" {name} "), &format!("/{num}/"));
    }
    let s = s.replace("/ ", "/").replace(" /", "/");
    // A two-digit year is 20xx: `%Y` would read "26" as the year 26.
    let short_year = s
        .split(' ')
        .next()
        .and_then(|d| d.rsplit('/').next())
        .is_some_and(|y| y.len() == 2 && s.contains('/'));
    let (with_time, date_only): (&[&str], &[&str]) = if short_year {
        (&["%d/%m/%y %H:%M", "%d/%m/%y %I:%M %p"], &["%d/%m/%y"])
    } else {
        (
            &[
                "%d/%m/%Y %H:%M",
                "%d/%m/%Y %I:%M %p",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%d/%m/%Y %Hh%M",
            ],
            &["%d/%m/%Y", "%Y-%m-%d"],
        )
    };
    for fmt in with_time {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&s, fmt) {
            return Some(dt.and_utc());
        }
    }
    for fmt in date_only {
        if let Ok(d) = NaiveDate::parse_from_str(&s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc());
        }
    }
    None
}

enum Column {
    UserId,
    FullName,
    FirstName,
    LastName,
    Email,
    Course,
    Activity { date: Option<usize> },
    Date,
}

/// Reads the export. Fails only when the file as a whole cannot be used.
pub fn parse(bytes: &[u8], mapping: &MoodleMapping) -> Result<Parsed, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}');
    let header_line = text
        .lines()
        .next()
        .filter(|l| !l.trim().is_empty())
        .ok_or(ImportError::Empty)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(header_line))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = records
        .next()
        .ok_or(ImportError::Empty)?
        .map_err(|e| ImportError::Csv(e.to_string()))?;
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();

    // Recognise the columns.
    let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let col = if matches_any(h, &mapping.email) {
            Column::Email
        } else if matches_any(h, &mapping.user_id) {
            Column::UserId
        } else if matches_any(h, &mapping.full_name) {
            Column::FullName
        } else if matches_any(h, &mapping.first_name) {
            Column::FirstName
        } else if matches_any(h, &mapping.last_name) {
            Column::LastName
        } else if matches_any(h, &mapping.course_completion) {
            Column::Course
        } else if is_date_column(h, i, &headers, mapping) {
            Column::Date
        } else {
            let date = headers
                .get(i + 1)
                .filter(|next| is_date_column(next, i + 1, &headers, mapping))
                .map(|_| i + 1);
            Column::Activity { date }
        };
        columns.push(col);
    }
    let find = |want: fn(&Column) -> bool| columns.iter().position(want);
    let email_col = find(|c| matches!(c, Column::Email))
        .ok_or_else(|| ImportError::MissingColumn("email", mapping.email.join(", ")))?;
    let user_col = find(|c| matches!(c, Column::UserId));
    let full_col = find(|c| matches!(c, Column::FullName));
    let first_col = find(|c| matches!(c, Column::FirstName));
    let last_col = find(|c| matches!(c, Column::LastName));
    let activities: Vec<(usize, Option<usize>)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Column::Activity { date } => Some((i, *date)),
            _ => None,
        })
        .collect();

    let mut parsed = Parsed {
        activities: activities
            .iter()
            .map(|(i, _)| headers[*i].clone())
            .collect(),
        ..Parsed::default()
    };
    for record in records {
        let line = parsed.rows + 2;
        parsed.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                parsed.rejected.push(Rejected {
                    line,
                    reason: format!("unreadable CSV: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            parsed.rows -= 1;
            continue;
        }
        if record.len() < headers.len() {
            parsed.rejected.push(Rejected {
                line,
                reason: format!(
                    "{} columns where the header has {} (wrong delimiter or truncated row?)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let email = get(Some(email_col));
        if email.is_empty() {
            parsed.rejected.push(Rejected {
                line,
                reason: "no email address".into(),
            });
            continue;
        }
        let name = match get(full_col) {
            "" => format!("{} {}", get(first_col), get(last_col))
                .trim()
                .to_string(),
            full => full.to_string(),
        };
        let name = if name.is_empty() {
            email.to_string()
        } else {
            name
        };
        let user_id = Some(get(user_col).to_string()).filter(|s| !s.is_empty());
        let mut row = Vec::new();
        let mut bad = None;
        for (col, date_col) in &activities {
            let status = get(Some(*col));
            if !is_completed(status, mapping) {
                continue;
            }
            // The date is in the date column, or in the status cell itself ("Terminé 14/03/2026").
            let date_text = match date_col {
                Some(d) => get(Some(*d)).to_string(),
                None => status.to_string(),
            };
            match parse_moodle_date(&date_text) {
                Some(completed_at) => row.push(RowCompletion {
                    line,
                    user_id: user_id.clone(),
                    email: email.to_string(),
                    name: name.clone(),
                    activity: headers[*col].clone(),
                    completed_at,
                }),
                None => {
                    bad = Some(format!(
                        "activity {:?}: completion date {date_text:?} is not a date",
                        headers[*col]
                    ));
                    break;
                }
            }
        }
        match bad {
            Some(reason) => parsed.rejected.push(Rejected { line, reason }),
            None => parsed.completions.extend(row),
        }
    }
    Ok(parsed)
}

fn is_date_column(h: &str, i: usize, headers: &[String], mapping: &MoodleMapping) -> bool {
    if i == 0 {
        return false;
    }
    if h.trim().is_empty() {
        return true;
    }
    let n = norm(h);
    mapping.date_suffixes.iter().any(|s| {
        let s = norm(s);
        n == s
            || (n.ends_with(&s)
                && headers
                    .get(i - 1)
                    .is_some_and(|prev| n.starts_with(&norm(prev))))
    })
}

fn is_completed(status: &str, mapping: &MoodleMapping) -> bool {
    let s = norm(status);
    if s.is_empty()
        || mapping
            .not_completed
            .iter()
            .any(|n| s.starts_with(&norm(n)))
    {
        return false;
    }
    mapping.completed.iter().any(|c| s.starts_with(&norm(c)))
        && !mapping.failed.iter().any(|f| s.contains(&norm(f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../examples/moodle/ecap-achevement-activites.csv");

    #[test]
    fn reads_the_sample_export() {
        let p = parse(SAMPLE.as_bytes(), &MoodleMapping::default()).expect("parsed");
        assert_eq!(p.activities.len(), 11);
        assert_eq!(p.rows, 8);
        assert_eq!(
            p.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            [7, 8],
            "{:?}",
            p.rejected
        );
        let marie: Vec<&RowCompletion> = p
            .completions
            .iter()
            .filter(|c| c.email == "marie.curie@ac-versailles.fr")
            .collect();
        assert_eq!(marie.len(), 11);
        assert_eq!(
            marie[0].completed_at.to_rfc3339(),
            "2026-01-12T09:14:00+00:00"
        );
        assert_eq!(marie[0].name, "Marie Curie");
        // A failed attempt is no completion.
        assert!(!p
            .completions
            .iter()
            .any(|c| c.email == "jean.perrin@ac-versailles.fr" && c.activity.contains("Module 2")));
    }

    /// Moodle's status strings (lang/fr and lang/en `completion.php`, 3.x and 4.x): a failed
    /// activity ("completion-fail") is never a completion, whatever the apostrophe.
    #[test]
    fn moodles_failed_status_is_no_completion() {
        let mapping = MoodleMapping::default();
        for failed in [
            "Terminé (n’a pas atteint la note minimale de réussite)",
            "Terminé (n'a pas atteint la note minimale de réussite)",
            "Terminé (n'a pas atteint la note pour passer)",
            "Completed (did not achieve pass grade)",
            "Pas terminé",
            "Non terminé (défini par Jeanne Tutrice)",
            "Not completed",
            "",
        ] {
            assert!(!is_completed(failed, &mapping), "{failed:?}");
        }
        for done in [
            "Terminé",
            "Terminé (note minimale de réussite atteinte)",
            "Terminé (défini par Jeanne Tutrice)",
            "Completed",
            "Completed (achieved pass grade)",
            "Completed (set by Jane Tutor)",
        ] {
            assert!(is_completed(done, &mapping), "{done:?}");
        }
    }

    #[test]
    fn dates_as_moodle_writes_them() {
        for (text, iso) in [
            ("14/03/2026, 10:32", "2026-03-14T10:32:00+00:00"),
            ("14/03/26 10:32", "2026-03-14T10:32:00+00:00"),
            ("mardi 14 mars 2026, 10:32", "2026-03-14T10:32:00+00:00"),
            ("1 août 2026", "2026-08-01T00:00:00+00:00"),
            (
                "Saturday, 14 March 2026, 10:32 AM",
                "2026-03-14T10:32:00+00:00",
            ),
            ("2026-03-14", "2026-03-14T00:00:00+00:00"),
        ] {
            assert_eq!(
                parse_moodle_date(text)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                iso,
                "{text}"
            );
        }
        assert!(parse_moodle_date("bientôt").is_none());
    }

    #[test]
    fn comma_delimiter_and_bom_and_bad_rows() {
        let csv = "\u{feff}Prénom,Nom,Adresse de courriel,Module A,,Achèvement du cours\n\
                   Ada,Lovelace,ada@ac-versailles.fr,Terminé,02/02/2026 10:00,Non terminé\n\
                   Sans,Courriel,,Terminé,02/02/2026 10:00,\n\
                   Bad,Date,bad@ac-versailles.fr,Terminé,hier,\n\
                   Short,Row,short@ac-versailles.fr\n\
                   Not,Done,nd@ac-versailles.fr,Non terminé,,\n";
        let p = parse(csv.as_bytes(), &MoodleMapping::default()).expect("parsed");
        assert_eq!(p.rows, 5);
        assert_eq!(p.completions.len(), 1);
        assert_eq!(p.completions[0].name, "Ada Lovelace");
        let lines: Vec<usize> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5], "{:?}", p.rejected);
        assert!(p.rejected[0].reason.contains("no email"));
        assert!(p.rejected[1].reason.contains("not a date"));
        assert!(p.rejected[2].reason.contains("columns"));
    }

    #[test]
    fn whole_file_problems() {
        assert_eq!(
            parse(b"\xff\xfe\x00a", &MoodleMapping::default()),
            Err(ImportError::NotUtf8)
        );
        assert_eq!(
            parse(b"", &MoodleMapping::default()),
            Err(ImportError::Empty)
        );
        assert!(matches!(
            parse(b"a;b;c\n1;2;3\n", &MoodleMapping::default()),
            Err(ImportError::MissingColumn("email", _))
        ));
    }
}
