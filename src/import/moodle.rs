//! Moodle's completion reports, read as m@gistère (Moodle 4.x, in French) writes them.
//!
//! Two layouts are Moodle's own, recognised by their shape and read exactly as Moodle's source
//! writes them (`examples/moodle/README.md` cites the lines):
//!
//! - the **activity completion report** (`report/progress/index.php`, "Achèvement des
//!   activités"): the first header cell is empty (the column holds the learner's full name);
//!   then the identity fields the site shows (by default only "Adresse de courriel"); then, per
//!   activity, its name and a column headed by its expected completion date (`%F %T`) or
//!   nothing. Cells: Moodle's completion string and the date (`%F %T`, local time). "CSV (UTF-8)"
//!   is comma-separated with every cell quoted; "CSV compatible Excel" is UTF-16LE with a BOM,
//!   tab-separated.
//! - the **course completion report** (`report/completion/index.php`): "ID", "Nom", identity
//!   fields, per activity its name and "<name> - Date d'achèvement", other criteria, and
//!   "Cours terminé"; dates as `strftimedatetimeshort` (`12 janv. 26, 09:14`).
//!
//! A third, the **mapped** layout, is for customised sites: columns named as `[moodle]` says (an
//! email column, names, and per activity its status and a date column). Anything else is
//! refused whole.
//!
//! Statuses are recognised by Moodle's exact language strings (`lang/fr` and `lang/en`
//! `completion.php`: `completion-y`, `-n`, `-pass`, `-fail`, `-y-override`, `-n-override`),
//! never by a prefix: a status that is none of them rejects its row. Local times are read in
//! `[moodle] timezone` (Europe/Paris by default) and kept in UTC. Every row is judged on its
//! own: bad rows are reported with their line number and reason, good ones kept.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How the columns and values of the reports are recognised, and the timezone of their dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoodleMapping {
    /// The timezone of the person who downloaded the report: Moodle writes dates in it.
    pub timezone: Tz,
    /// The email identity field (`showuseridentity`).
    pub email: Vec<String>,
    /// The ID number identity field: kept as the learner's id in the source when present.
    pub id_number: Vec<String>,
    /// The first column of the course completion report (Moodle's user id), or a user id
    /// column of a mapped file.
    pub user_id: Vec<String>,
    /// The second column of the course completion report (the full name).
    pub name: Vec<String>,
    /// A mapped file's full name, first name and last name columns.
    pub full_name: Vec<String>,
    pub first_name: Vec<String>,
    pub last_name: Vec<String>,
    /// The course completion column (ignored: completions are per module).
    pub course_completion: Vec<String>,
    /// A date column's header: the activity's name, " - " and one of these (course report),
    /// or, in a mapped file, one of these, a header ending with one, or nothing.
    pub date_suffixes: Vec<String>,
    /// Statuses meaning completed: exact strings, `{$a}` standing for the name of whoever set
    /// the completion by hand.
    pub completed: Vec<String>,
    /// Statuses meaning not completed.
    pub not_completed: Vec<String>,
    /// Statuses meaning completed without the pass grade: no completion.
    pub failed: Vec<String>,
}

impl Default for MoodleMapping {
    fn default() -> Self {
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            timezone: chrono_tz::Europe::Paris,
            // core_user\fields::get_display_name: get_string('email') and the like.
            email: v(&[
                "Adresse de courriel",
                "Adresse courriel",
                "Courriel",
                "Adresse e-mail",
                "Email address",
                "Email",
            ]),
            id_number: v(&["Numéro d'identification", "ID number"]),
            // report_completion 'id'; then user id columns of customised files.
            user_id: v(&[
                "ID",
                "ID de l'utilisateur",
                "Identifiant de l'utilisateur",
                "User ID",
            ]),
            // report_completion 'name'.
            name: v(&["Nom", "Name"]),
            full_name: v(&["Nom complet", "Prénom / Nom", "Full name"]),
            first_name: v(&["Prénom", "First name"]),
            last_name: v(&["Nom", "Nom de famille", "Last name", "Surname"]),
            // completion 'coursecomplete'; then the headers of customised files.
            course_completion: v(&[
                "Cours terminé",
                "Course complete",
                "Achèvement du cours",
                "Course completion",
            ]),
            // report_completion 'completiondate'.
            date_suffixes: v(&["Date d'achèvement", "Completion date"]),
            // completion 'completion-y', 'completion-pass', 'completion-y-override'.
            completed: v(&[
                "Terminé",
                "Terminé (note minimale de réussite atteinte)",
                "Terminé (défini par {$a})",
                "Completed",
                "Completed (achieved pass grade)",
                "Completed (set by {$a})",
            ]),
            // 'completion-n', 'completion-n-override' (and the wording of older packs).
            not_completed: v(&[
                "Pas terminé",
                "Non terminé",
                "Non terminé (défini par {$a})",
                "Not completed",
                "Not completed (set by {$a})",
            ]),
            // 'completion-fail': fr 4.x, fr 3.x, en. Apostrophes are compared normalised.
            failed: v(&[
                "Terminé (n’a pas atteint la note minimale de réussite)",
                "Terminé (n'a pas atteint la note pour passer)",
                "Completed (did not achieve pass grade)",
            ]),
        }
    }
}

use crate::domain::ecap::normalize_label as norm;

fn matches_any(value: &str, names: &[String]) -> bool {
    let v = norm(value);
    names.iter().any(|n| norm(n) == v)
}

/// Which report a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `report/progress`: "Achèvement des activités".
    ActivityCompletion,
    /// `report/completion`: "Achèvement de cours".
    CourseCompletion,
    /// Columns named through `[moodle]`.
    Mapped,
}

impl Layout {
    /// What the layout is, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ActivityCompletion => "Moodle's activity completion report",
            Self::CourseCompletion => "Moodle's course completion report",
            Self::Mapped => "a file whose columns are named as [moodle] says",
        }
    }
}

/// A completion found in a row, before it is checked against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCompletion {
    pub line: usize,
    pub user_id: Option<String>,
    pub email: String,
    pub name: String,
    /// The activity's name as written in the file.
    pub activity: String,
    pub completed_at: DateTime<Utc>,
}

/// A row refused, with its line number (1 = the header) and why: `reason` in English, and
/// `problem` for whoever says it in another language (the console does, in French).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
    pub problem: RowProblem,
}

impl Rejected {
    pub fn new(line: usize, problem: RowProblem) -> Self {
        Self {
            line,
            reason: problem.to_string(),
            problem,
        }
    }
}

/// Why a row is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowProblem {
    /// The CSV reader could not read the row.
    UnreadableCsv {
        error: String,
    },
    /// Fewer cells than the header has columns.
    MissingColumns {
        found: usize,
        expected: usize,
    },
    NoEmail,
    BadEmail {
        problem: String,
    },
    /// A status that is none of Moodle's completion strings.
    UnknownStatus {
        activity: String,
        status: String,
    },
    /// Completed, but the date cell is empty.
    NoDate {
        activity: String,
    },
    /// The date cell is not a moment (`problem` says how).
    BadDate {
        activity: String,
        date: String,
        problem: String,
    },
    FutureDate {
        activity: String,
    },
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnreadableCsv { error } => write!(f, "unreadable CSV: {error}"),
            Self::MissingColumns { found, expected } => write!(
                f,
                "{found} columns where the header has {expected} (wrong delimiter or truncated row?)"
            ),
            Self::NoEmail => f.write_str("no email address"),
            Self::BadEmail { problem } => write!(f, "email: {problem}"),
            Self::UnknownStatus { activity, status } => write!(
                f,
                "activity {activity:?}: unknown status {status:?} (not one of Moodle's completion strings; add it to [moodle] completed, not_completed or failed if your site words it otherwise)"
            ),
            Self::NoDate { activity } => write!(
                f,
                "activity {activity:?}: completed without a completion date (in the course completion report, Moodle dates it once its cron has run: download it again later)"
            ),
            Self::BadDate {
                activity,
                date,
                problem,
            } => write!(f, "activity {activity:?}: completion date {date:?} {problem}"),
            Self::FutureDate { activity } => {
                write!(f, "activity {activity:?}: completion date is in the future")
            }
        }
    }
}

/// Everything read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub layout: Layout,
    pub rows: usize,
    pub completions: Vec<RowCompletion>,
    pub rejected: Vec<Rejected>,
    /// Activities found, in order.
    pub activities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is neither UTF-8 nor UTF-16 text: download it again from Moodle as \"CSV (UTF-8)\" or \"CSV compatible Excel\"")]
    NotText,
    #[error("the file is empty")]
    Empty,
    #[error("no {0} column in the header (looked for: {1}); {2}")]
    MissingColumn(&'static str, String, &'static str),
    #[error("no activity in the header: {0}")]
    NoActivity(&'static str),
    #[error("this file is not a Moodle completion report insigne reads. Expected: the activity completion report (Rapports → Achèvement des activités → Télécharger; its first header cell is empty, then \"Adresse de courriel\", then each activity and its expected date), the course completion report (Rapports → Achèvement de cours; headers \"ID\", \"Nom\", …, \"Cours terminé\"), or columns named as [moodle] in insigne.toml says (an email column and, per activity, its status and its date). The header read was: {0}")]
    UnknownLayout(String),
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
}

/// The text of a download: UTF-8 (with or without a BOM) or UTF-16 with its BOM (Moodle's
/// "CSV compatible Excel" is UTF-16LE). std decodes UTF-16 without a crate.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let utf16 = |be: bool| {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(ImportError::NotText);
        }
        let units = body.chunks_exact(2).map(|p| {
            if be {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| ImportError::NotText)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => std::str::from_utf8(bytes)
            .map(|t| t.trim_start_matches('\u{feff}').to_string())
            .map_err(|_| ImportError::NotText),
    }
}

/// The delimiter of the header line: a tab (Excel), `;` (French spreadsheets) or `,`.
pub(crate) fn sniff_delimiter(header: &str) -> u8 {
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
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// Why a date cell is not a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    NotADate,
    /// A local time the clocks skipped (the spring change).
    Skipped(Tz),
}

impl std::fmt::Display for DateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotADate => f.write_str("is not a date"),
            Self::Skipped(tz) => write!(f, "does not exist in {tz} (the clocks went forward)"),
        }
    }
}

/// A completion date as Moodle writes it, local times in `tz`: `2026-01-12 09:14:00` (`%F %T`,
/// the activity report), `12 janv. 26, 09:14` and `12/01/26, 09:14` (`strftimedatetimeshort`,
/// the course report, fr and en), and in mapped files `14/03/2026, 10:32`,
/// `mardi 14 mars 2026, 10:32`, `14 March 2026`, ISO forms. A time the autumn change repeats is
/// taken as its first occurrence.
pub fn parse_moodle_date(text: &str, tz: Tz) -> Result<DateTime<Utc>, DateProblem> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let naive = parse_local(t).ok_or(DateProblem::NotADate)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or(DateProblem::Skipped(tz))
}

fn parse_local(t: &str) -> Option<NaiveDateTime> {
    if t.is_empty() {
        return None;
    }
    // Month names, full and abbreviated (`%b` in French: "janv.", "févr.", "avr."), become
    // numbers; a leading weekday is dropped.
    const MONTHS: [(&str, &str); 47] = [
        ("janvier", "01"),
        ("janv.", "01"),
        ("février", "02"),
        ("févr.", "02"),
        ("mars", "03"),
        ("avril", "04"),
        ("avr.", "04"),
        ("mai", "05"),
        ("juin", "06"),
        ("juillet", "07"),
        ("juil.", "07"),
        ("août", "08"),
        ("septembre", "09"),
        ("sept.", "09"),
        ("octobre", "10"),
        ("oct.", "10"),
        ("novembre", "11"),
        ("nov.", "11"),
        ("décembre", "12"),
        ("déc.", "12"),
        ("january", "01"),
        ("jan", "01"),
        ("february", "02"),
        ("feb", "02"),
        ("march", "03"),
        ("mar", "03"),
        ("april", "04"),
        ("apr", "04"),
        ("may", "05"),
        ("june", "06"),
        ("jun", "06"),
        ("july", "07"),
        ("jul", "07"),
        ("august", "08"),
        ("aug", "08"),
        ("september", "09"),
        ("sep", "09"),
        ("sept", "09"),
        ("october", "10"),
        ("oct", "10"),
        ("november", "11"),
        ("nov", "11"),
        ("december", "12"),
        ("dec", "12"),
        ("janv", "01"),
        ("févr", "02"),
        ("déc", "12"),
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
    let mut s = format!(" {} ", words.join(" "));
    for (name, num) in MONTHS {
        s = s.replace(&format!(" {name} "), &format!("/{num}/"));
    }
    let s = s.trim().replace("/ ", "/").replace(" /", "/");
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
                "%Y-%m-%d %H:%M:%S",
                "%d/%m/%Y %H:%M",
                "%d/%m/%Y %I:%M %p",
                "%Y-%m-%d %H:%M",
                "%d/%m/%Y %Hh%M",
            ],
            &["%d/%m/%Y", "%Y-%m-%d"],
        )
    };
    for fmt in with_time {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&s, fmt) {
            return Some(dt);
        }
    }
    for fmt in date_only {
        if let Ok(d) = NaiveDate::parse_from_str(&s, fmt) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

/// What a status cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Completed,
    NotCompleted,
    Failed,
}

/// `value` is `template`, where `{$a}` stands for any non-empty text.
fn is_string(value: &str, template: &str) -> bool {
    let (v, t) = (norm(value), norm(template));
    match t.split_once("{$a}") {
        None => v == t,
        Some((before, after)) => {
            v.len() > before.len() + after.len() && v.starts_with(before) && v.ends_with(after)
        }
    }
}

fn status(cell: &str, mapping: &MoodleMapping) -> Option<Status> {
    let any = |list: &[String]| list.iter().any(|t| is_string(cell, t));
    // The failure strings first: they are the ones a mistake would turn into a badge.
    if any(&mapping.failed) {
        Some(Status::Failed)
    } else if cell.trim().is_empty() || any(&mapping.not_completed) {
        Some(Status::NotCompleted)
    } else if any(&mapping.completed) {
        Some(Status::Completed)
    } else {
        None
    }
}

/// Moodle's `format_string` escapes `&`, `<`, `>` and quotes in activity names.
fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Where a layout keeps what is read from each row.
struct Shape {
    layout: Layout,
    email: usize,
    user_id: Option<usize>,
    /// The full name, or the first and last names.
    name: Names,
    /// Per activity: its name, the status column and the date column.
    activities: Vec<(String, usize, usize)>,
}

enum Names {
    Full(usize),
    Parts(Option<usize>, Option<usize>),
}

const IDENTITY_HINT: &str = "add it to the identity fields Moodle shows (Administration du site → Utilisateurs → Permissions → Règles utilisateur: showuseridentity) and download the report again, or set [moodle] in insigne.toml if your site names it otherwise";

fn shape(headers: &[String], mapping: &MoodleMapping) -> Result<Shape, ImportError> {
    let n = headers.len();
    let find_in = |range: std::ops::Range<usize>, names: &[String]| {
        range.into_iter().find(|i| matches_any(&headers[*i], names))
    };
    let missing_email =
        || ImportError::MissingColumn("email", mapping.email.join(", "), IDENTITY_HINT);
    // report/progress: an empty first cell, identity fields, then (name, expected date) pairs,
    // counted from the end since the identity fields vary from site to site.
    if n >= 3 && headers[0].is_empty() {
        let is_expected =
            |h: &str| h.is_empty() || NaiveDateTime::parse_from_str(h, "%Y-%m-%d %H:%M:%S").is_ok();
        let mut j = n;
        let mut activities = Vec::new();
        while j >= 3 && is_expected(&headers[j - 1]) && !headers[j - 2].is_empty() {
            activities.push((unescape_html(&headers[j - 2]), j - 2, j - 1));
            j -= 2;
        }
        activities.reverse();
        if activities.is_empty() {
            return Err(ImportError::NoActivity(
                "the activity completion report lists none (is completion tracking enabled for the course's activities?)",
            ));
        }
        let email = find_in(1..j, &mapping.email).ok_or_else(missing_email)?;
        return Ok(Shape {
            layout: Layout::ActivityCompletion,
            email,
            user_id: find_in(1..j, &mapping.id_number),
            name: Names::Full(0),
            activities,
        });
    }
    // report/completion: "ID", "Nom", identity fields, criteria, "Cours terminé".
    if n >= 4
        && matches_any(&headers[0], &mapping.user_id)
        && matches_any(&headers[1], &mapping.name)
        && matches_any(&headers[n - 1], &mapping.course_completion)
    {
        let activities: Vec<(String, usize, usize)> = (2..n - 2)
            .filter(|i| {
                mapping
                    .date_suffixes
                    .iter()
                    .any(|s| norm(&headers[i + 1]) == norm(&format!("{} - {s}", headers[*i])))
            })
            .map(|i| (unescape_html(&headers[i]), i, i + 1))
            .collect();
        let Some(first) = activities.first().map(|a| a.1) else {
            return Err(ImportError::NoActivity(
                "the course completion report has no activity among its criteria (Moodle: Achèvement de cours → Conditions: Achèvement d'activité)",
            ));
        };
        let email = find_in(2..first, &mapping.email).ok_or_else(missing_email)?;
        return Ok(Shape {
            layout: Layout::CourseCompletion,
            email,
            user_id: Some(0),
            name: Names::Full(1),
            activities,
        });
    }
    // Mapped: every column named.
    if let Some(email) = find_in(0..n, &mapping.email) {
        let identity = |h: &str| {
            [
                &mapping.email,
                &mapping.id_number,
                &mapping.user_id,
                &mapping.full_name,
                &mapping.first_name,
                &mapping.last_name,
                &mapping.course_completion,
            ]
            .iter()
            .any(|names| matches_any(h, names))
        };
        let is_date = |i: usize| {
            let h = norm(&headers[i]);
            h.is_empty()
                || mapping.date_suffixes.iter().any(|s| {
                    let s = norm(s);
                    h == s || (h.ends_with(&s) && h.starts_with(&norm(&headers[i - 1])))
                })
        };
        let mut activities = Vec::new();
        let mut i = 0;
        while i + 1 < n {
            if !headers[i].is_empty() && !identity(&headers[i]) && is_date(i + 1) {
                activities.push((headers[i].clone(), i, i + 1));
                i += 2;
            } else {
                i += 1;
            }
        }
        if activities.is_empty() {
            return Err(ImportError::NoActivity(
                "each activity needs its status column followed by its date column (headed by nothing, or by the activity's name and \"- Date d'achèvement\")",
            ));
        }
        let full = find_in(0..n, &mapping.full_name);
        return Ok(Shape {
            layout: Layout::Mapped,
            email,
            user_id: find_in(0..n, &mapping.user_id).or(find_in(0..n, &mapping.id_number)),
            name: match full {
                Some(f) => Names::Full(f),
                None => Names::Parts(
                    find_in(0..n, &mapping.first_name),
                    find_in(0..n, &mapping.last_name),
                ),
            },
            activities,
        });
    }
    let mut shown: String = headers
        .iter()
        .take(8)
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if n > 8 {
        shown.push_str(", …");
    }
    Err(ImportError::UnknownLayout(shown))
}

/// Reads a report. Fails only when the file as a whole cannot be used.
pub fn parse(bytes: &[u8], mapping: &MoodleMapping) -> Result<Parsed, ImportError> {
    let text = decode(bytes)?;
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
    let shape = shape(&headers, mapping)?;

    let mut parsed = Parsed {
        layout: shape.layout,
        rows: 0,
        completions: Vec::new(),
        rejected: Vec::new(),
        activities: shape.activities.iter().map(|a| a.0.clone()).collect(),
    };
    for record in records {
        // The file's own line (a quoted cell may span several), whatever rows were skipped.
        let position = match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        let line = position
            .and_then(|p| usize::try_from(p.line()).ok())
            .unwrap_or(parsed.rows + 2);
        parsed.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                parsed.rejected.push(Rejected::new(
                    line,
                    RowProblem::UnreadableCsv {
                        error: e.to_string(),
                    },
                ));
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            parsed.rows -= 1;
            continue;
        }
        if record.len() < headers.len() {
            parsed.rejected.push(Rejected::new(
                line,
                RowProblem::MissingColumns {
                    found: record.len(),
                    expected: headers.len(),
                },
            ));
            continue;
        }
        match read_row(&record, line, &shape, mapping) {
            Ok(row) => parsed.completions.extend(row),
            Err(problem) => parsed.rejected.push(Rejected::new(line, problem)),
        }
    }
    Ok(parsed)
}

/// The completions of one row, or why the row is refused.
fn read_row(
    record: &csv::StringRecord,
    line: usize,
    shape: &Shape,
    mapping: &MoodleMapping,
) -> Result<Vec<RowCompletion>, RowProblem> {
    let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
    let email = get(Some(shape.email));
    if email.is_empty() {
        return Err(RowProblem::NoEmail);
    }
    let name = match shape.name {
        Names::Full(i) => get(Some(i)).to_string(),
        Names::Parts(first, last) => format!("{} {}", get(first), get(last)).trim().to_string(),
    };
    let name = if name.is_empty() {
        email.to_string()
    } else {
        name
    };
    let user_id = Some(get(shape.user_id).to_string()).filter(|s| !s.is_empty());
    let mut row = Vec::new();
    for (activity, status_col, date_col) in &shape.activities {
        let cell = get(Some(*status_col));
        match status(cell, mapping) {
            None => {
                return Err(RowProblem::UnknownStatus {
                    activity: activity.clone(),
                    status: cell.to_string(),
                })
            }
            Some(Status::NotCompleted | Status::Failed) => continue,
            Some(Status::Completed) => {}
        }
        let date_text = get(Some(*date_col));
        if date_text.is_empty() {
            return Err(RowProblem::NoDate {
                activity: activity.clone(),
            });
        }
        let completed_at =
            parse_moodle_date(date_text, mapping.timezone).map_err(|p| RowProblem::BadDate {
                activity: activity.clone(),
                date: date_text.to_string(),
                problem: p.to_string(),
            })?;
        row.push(RowCompletion {
            line,
            user_id: user_id.clone(),
            email: email.to_string(),
            name: name.clone(),
            activity: activity.clone(),
            completed_at,
        });
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRESS: &[u8] = include_bytes!("../../examples/moodle/progress.e-cap_2025-2026.csv");
    const PROGRESS_EXCEL: &[u8] =
        include_bytes!("../../examples/moodle/progress.e-cap_2025-2026.excel.csv");
    const COURSE: &[u8] = include_bytes!("../../examples/moodle/completion-e-cap2_2025-2026.csv");

    fn parsed(bytes: &[u8]) -> Parsed {
        parse(bytes, &MoodleMapping::default()).expect("parsed")
    }

    fn of<'a>(p: &'a Parsed, email: &str) -> Vec<&'a RowCompletion> {
        p.completions.iter().filter(|c| c.email == email).collect()
    }

    /// The activity completion report, "CSV (UTF-8)" and "CSV compatible Excel": the same rows.
    #[test]
    fn reads_the_activity_completion_report_in_both_encodings() {
        let p = parsed(PROGRESS);
        assert_eq!(p.layout, Layout::ActivityCompletion);
        assert_eq!(p.activities.len(), 11);
        assert_eq!(p.rows, 8);
        assert_eq!(
            p.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            [7, 8],
            "{:?}",
            p.rejected
        );
        assert!(p.rejected[0].reason.contains("no email"));
        assert!(p.rejected[1].reason.contains("\"bientôt\" is not a date"));
        let marie = of(&p, "marie.curie@ac-versailles.fr");
        assert_eq!(marie.len(), 11);
        // 09:14 in Paris in January is 08:14 UTC.
        assert_eq!(
            marie[0].completed_at.to_rfc3339(),
            "2026-01-12T08:14:00+00:00"
        );
        assert_eq!(marie[0].name, "Marie Curie");
        assert_eq!(marie[0].user_id, None);
        // Set by hand by the tutor: a completion.
        assert!(of(&p, "Paul.Langevin@ac-versailles.fr")
            .iter()
            .any(|c| c.activity.contains("e-CAP1 Module 3")));
        // Failed: no completion.
        let jean = of(&p, "jean.perrin@ac-versailles.fr");
        assert_eq!(jean.len(), 1, "{jean:?}");
        assert_eq!(parsed(PROGRESS_EXCEL), p);
    }

    /// The course completion report: fputcsv quoting, `strftimedatetimeshort` dates, Moodle's
    /// user id kept; a failed activity carries a date there and still is no completion.
    #[test]
    fn reads_the_course_completion_report() {
        let p = parsed(COURSE);
        assert_eq!(p.layout, Layout::CourseCompletion);
        assert_eq!(p.activities.len(), 4, "{:?}", p.activities);
        assert_eq!(p.rows, 3);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let irene = of(&p, "irene.joliot-curie@ac-versailles.fr");
        assert_eq!(irene.len(), 2);
        assert_eq!(irene[0].name, "Irène Joliot-Curie");
        assert_eq!(irene[0].user_id.as_deref(), Some("1044"));
        assert_eq!(
            irene[0].completed_at.to_rfc3339(),
            "2026-03-09T08:00:00+00:00"
        );
        let frederic = of(&p, "frederic.joliot@ac-versailles.fr");
        assert_eq!(frederic.len(), 3);
        assert!(!frederic.iter().any(|c| c.activity.contains("Module 3")));
        assert_eq!(of(&p, "marguerite.perey@ac-versailles.fr").len(), 4);
    }

    /// An English site showing the ID number too, with expected dates on every activity.
    #[test]
    fn an_english_report_with_id_number_and_expected_dates() {
        let csv = ",\"ID number\",\"Email address\",\"Quiz & feedback\",\"2026-03-01 00:00:00\",\"Forum\",\"2026-03-08 00:00:00\",\"Workshop\",\"2026-03-15 00:00:00\"\n\
                   \"Ada Lovelace\",\"A-17\",\"ada@ac-versailles.fr\",\"Completed (achieved pass grade)\",\"2026-02-27 10:00:00\",\"Completed (set by Jane Tutor)\",\"2026-03-02 11:30:00\",\"Completed (did not achieve pass grade)\",\"2026-03-14 09:00:00\"\n\
                   \"Alan Turing\",\"A-18\",\"alan@ac-versailles.fr\",\"Not completed\",\"\",\"Not completed (set by Jane Tutor)\",\"2026-03-03 08:00:00\",\"Completed\",\"2026-03-16 17:45:00\"\n";
        let p = parsed(csv.as_bytes());
        assert_eq!(p.layout, Layout::ActivityCompletion);
        assert_eq!(p.activities, ["Quiz & feedback", "Forum", "Workshop"]);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let ada = of(&p, "ada@ac-versailles.fr");
        assert_eq!(
            ada.iter().map(|c| c.activity.as_str()).collect::<Vec<_>>(),
            ["Quiz & feedback", "Forum"]
        );
        assert_eq!(ada[0].user_id.as_deref(), Some("A-17"));
        assert_eq!(ada[0].name, "Ada Lovelace");
        let alan = of(&p, "alan@ac-versailles.fr");
        assert_eq!(alan.len(), 1);
        assert_eq!(alan[0].activity, "Workshop");
    }

    /// `format_string` writes `&` as `&amp;` in activity names.
    #[test]
    fn activity_names_are_unescaped() {
        let csv = ",\"Adresse de courriel\",\"Questions &amp; réponses\",\"\"\n\"A B\",\"ab@ac-versailles.fr\",\"Terminé\",\"2026-02-02 10:00:00\"\n";
        assert_eq!(parsed(csv.as_bytes()).activities, ["Questions & réponses"]);
    }

    /// Moodle's status strings (lang/fr and lang/en `completion.php`, 3.x and 4.x), exactly:
    /// a failed activity is never a completion, and a status that is none of them is unknown.
    #[test]
    fn statuses_are_moodles_exact_strings() {
        let mapping = MoodleMapping::default();
        let check = |cell: &str| status(cell, &mapping);
        for failed in [
            "Terminé (n’a pas atteint la note minimale de réussite)",
            "Terminé (n'a pas atteint la note minimale de réussite)",
            "Terminé (n'a pas atteint la note pour passer)",
            "Completed (did not achieve pass grade)",
        ] {
            assert_eq!(check(failed), Some(Status::Failed), "{failed:?}");
        }
        for not_done in [
            "Pas terminé",
            "Non terminé (défini par Jeanne Tutrice)",
            "Not completed",
            "Not completed (set by Jane Tutor)",
            "",
        ] {
            assert_eq!(check(not_done), Some(Status::NotCompleted), "{not_done:?}");
        }
        for done in [
            "Terminé",
            "terminé",
            "Terminé (note minimale de réussite atteinte)",
            "Terminé (défini par Jeanne Tutrice)",
            "Completed",
            "Completed (achieved pass grade)",
            "Completed (set by Jane Tutor)",
        ] {
            assert_eq!(check(done), Some(Status::Completed), "{done:?}");
        }
        // Never by a prefix.
        for unknown in [
            "Terminé !",
            "Terminé (défini par )",
            "Terminé (note de passage non atteinte)",
            "Completed (failed)",
            "Oui",
            "1",
        ] {
            assert_eq!(check(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn an_unknown_status_rejects_its_row_with_the_value() {
        let csv = ",\"Adresse de courriel\",\"Module A\",\"\"\n\
                   \"A B\",\"ab@ac-versailles.fr\",\"Terminé (presque)\",\"2026-02-02 10:00:00\"\n\
                   \"C D\",\"cd@ac-versailles.fr\",\"Terminé\",\"2026-02-02 10:00:00\"\n";
        let p = parsed(csv.as_bytes());
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].line, 2);
        assert!(
            p.rejected[0]
                .reason
                .contains("unknown status \"Terminé (presque)\""),
            "{}",
            p.rejected[0].reason
        );
        assert_eq!(p.completions.len(), 1);
    }

    /// Times are Paris times across both changes of 2026 (29 March, 25 October).
    #[test]
    fn local_times_across_daylight_saving_changes() {
        let paris = chrono_tz::Europe::Paris;
        let utc = |t: &str| {
            parse_moodle_date(t, paris)
                .map(|d| d.to_rfc3339())
                .map_err(|p| p.to_string())
        };
        assert_eq!(
            utc("2026-03-29 01:30:00"),
            Ok("2026-03-29T00:30:00+00:00".into())
        );
        assert_eq!(
            utc("2026-03-29 03:30:00"),
            Ok("2026-03-29T01:30:00+00:00".into())
        );
        assert!(
            utc("2026-03-29 02:30:00").is_err_and(|e| e.contains("does not exist in Europe/Paris"))
        );
        // 02:30 happens twice on 25 October: the first is taken.
        assert_eq!(
            utc("2026-10-25 02:30:00"),
            Ok("2026-10-25T00:30:00+00:00".into())
        );
        assert_eq!(
            utc("2026-10-25 03:30:00"),
            Ok("2026-10-25T02:30:00+00:00".into())
        );
        let utc_zone = parse_moodle_date("2026-03-29 02:30:00", chrono_tz::UTC).expect("date");
        assert_eq!(utc_zone.to_rfc3339(), "2026-03-29T02:30:00+00:00");
    }

    #[test]
    fn dates_as_moodle_writes_them() {
        let utc = chrono_tz::UTC;
        for (text, iso) in [
            ("2026-03-14 10:32:00", "2026-03-14T10:32:00+00:00"),
            ("14 mars 26, 10:32", "2026-03-14T10:32:00+00:00"),
            ("2 févr. 26, 08:05", "2026-02-02T08:05:00+00:00"),
            ("12 janv. 26, 09:14", "2026-01-12T09:14:00+00:00"),
            ("3 avr. 26, 09:14", "2026-04-03T09:14:00+00:00"),
            ("14/03/26, 10:32", "2026-03-14T10:32:00+00:00"),
            ("14/03/2026, 10:32", "2026-03-14T10:32:00+00:00"),
            ("mardi 14 mars 2026, 10:32", "2026-03-14T10:32:00+00:00"),
            ("1 août 2026", "2026-08-01T00:00:00+00:00"),
            (
                "Saturday, 14 March 2026, 10:32 AM",
                "2026-03-14T10:32:00+00:00",
            ),
            ("2026-03-14", "2026-03-14T00:00:00+00:00"),
            ("2026-03-14T10:32:00+01:00", "2026-03-14T09:32:00+00:00"),
        ] {
            assert_eq!(
                parse_moodle_date(text, utc)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                iso,
                "{text}"
            );
        }
        assert_eq!(
            parse_moodle_date("bientôt", utc),
            Err(DateProblem::NotADate)
        );
    }

    /// A customised site's file, columns named through the mapping: `;`, a BOM, first and last
    /// names, dates in French forms.
    #[test]
    fn a_mapped_file_and_its_bad_rows() {
        let csv = "\u{feff}Prénom;Nom;Adresse de courriel;Module A;Module A - Date d'achèvement;Achèvement du cours\n\
                   Ada;Lovelace;ada@ac-versailles.fr;Terminé;02/02/2026 10:00;Pas terminé\n\
                   Sans;Courriel;;Terminé;02/02/2026 10:00;\n\
                   Bad;Date;bad@ac-versailles.fr;Terminé;hier;\n\
                   Short;Row;short@ac-versailles.fr\n\
                   No;Date;nd@ac-versailles.fr;Terminé;;\n\
                   Not;Done;nd@ac-versailles.fr;Pas terminé;;\n";
        let p = parsed(csv.as_bytes());
        assert_eq!(p.layout, Layout::Mapped);
        assert_eq!(p.rows, 6);
        assert_eq!(p.completions.len(), 1);
        assert_eq!(p.completions[0].name, "Ada Lovelace");
        assert_eq!(
            p.completions[0].completed_at.to_rfc3339(),
            "2026-02-02T09:00:00+00:00"
        );
        let lines: Vec<usize> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{:?}", p.rejected);
        assert!(p.rejected[0].reason.contains("no email"));
        assert!(p.rejected[1].reason.contains("not a date"));
        assert!(p.rejected[2].reason.contains("columns"));
        assert!(p.rejected[3].reason.contains("without a completion date"));
    }

    /// A row of empty cells is skipped, and the lines after it keep the file's numbering.
    #[test]
    fn lines_are_the_files_own() {
        let csv = ",\"Adresse de courriel\",\"Module A\",\"\"\n\"\",\"\",\"\",\"\"\n\"A B\",\"\",\"Terminé\",\"2026-02-02 10:00:00\"\n";
        let p = parsed(csv.as_bytes());
        assert_eq!(p.rows, 1);
        assert_eq!(p.rejected, [Rejected::new(3, RowProblem::NoEmail)]);
    }

    #[test]
    fn whole_file_problems() {
        let m = MoodleMapping::default();
        assert_eq!(parse(b"\xff\xfe\x00", &m), Err(ImportError::NotText));
        assert_eq!(parse(b"\xc3\x28;a\n", &m), Err(ImportError::NotText));
        assert_eq!(parse(b"", &m), Err(ImportError::Empty));
        let unknown = parse(b"a;b;c\n1;2;3\n", &m).expect_err("refused");
        assert!(matches!(unknown, ImportError::UnknownLayout(_)));
        let text = unknown.to_string();
        assert!(text.contains("activity completion report"), "{text}");
        assert!(text.contains("\"a\", \"b\", \"c\""), "{text}");
        // The activity report of a site that does not show emails.
        let no_email = parse(b",\"Numero\",\"Module A\",\"\"\n", &m).expect_err("refused");
        assert!(matches!(
            no_email,
            ImportError::MissingColumn("email", _, _)
        ));
        assert!(no_email.to_string().contains("showuseridentity"));
        // An email column and nothing that reads as an activity.
        assert!(matches!(
            parse(
                b"Adresse de courriel;Module A\nab@ac-versailles.fr;Oui\n",
                &m
            ),
            Err(ImportError::NoActivity(_))
        ));
    }

    #[test]
    fn the_timezone_is_configured_by_name() {
        let m: MoodleMapping = toml::from_str("timezone = \"America/Cayenne\"").expect("toml");
        assert_eq!(m.timezone, chrono_tz::America::Cayenne);
        assert!(toml::from_str::<MoodleMapping>("timezone = \"Europe/Lutèce\"").is_err());
        assert!(toml::from_str::<MoodleMapping>("colour = 1").is_err());
    }

    proptest::proptest! {
        /// Any bytes, and any file built from the pieces of Moodle's headers and cells, in
        /// any encoding: read or refused, never a panic, and every completion is of a row read.
        #[test]
        fn any_file_is_read_or_refused(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            cells in proptest::collection::vec(
                proptest::sample::select(vec![
                    "", "Adresse de courriel", "ID", "Nom", "Prénom", "Cours terminé",
                    "Module A", "Module A - Date d'achèvement", "2026-03-29 02:30:00",
                    "Terminé", "Pas terminé", "Terminé (défini par X)", "9 mars 26, 09:00",
                    "a@ac-versailles.fr", "\"", "&amp;", "\t", ";", "\n", ",",
                ]),
                0..40,
            ),
            utf16 in proptest::bool::ANY,
        ) {
            let mapping = MoodleMapping::default();
            let _ = parse(&bytes, &mapping);
            let text = cells.join(",");
            let encoded = if utf16 {
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                b
            } else {
                text.into_bytes()
            };
            if let Ok(p) = parse(&encoded, &mapping) {
                proptest::prop_assert!(p.completions.iter().all(|c| c.line >= 2));
            }
        }
    }
}
