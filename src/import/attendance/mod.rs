//! Attendance exports of virtual classes: who attended which session, when, for how long.
//!
//! Three layouts are read, recognised by their headers (`examples/attendance/README.md` says
//! where each comes from and how each column maps):
//!
//! - the **list** layout: one row per attendee and session, columns named as `[attendance]`
//!   says (by default in French and English: "Adresse de courriel", "Nom complet", "Session",
//!   "Date", "Durée"). It is how BigBlueButton's attendance (m@gistère's classes virtuelles,
//!   Visio-agents, the CNED's) reaches insigne, since none of its own exports names the
//!   attendee's address;
//! - Zoom's **participants report** exported with the meeting's data (a meeting block: "Meeting
//!   ID", "Topic", "Start Time"…, then one row per connection: "Name (Original Name)", "User
//!   Email", "Join Time", "Leave Time", "Duration (Minutes)");
//! - Teams' **attendance report** (sections "1. Summary" with the meeting title and start time,
//!   "2. Participants" with each attendee's email and "In-Meeting Duration"), UTF-16 with tabs
//!   as Teams downloads it, or re-saved as UTF-8.
//!
//! BigBlueButton's Learning Analytics Dashboard download is recognised and refused whole with
//! why: it has neither addresses nor the session's title. Anything else is refused whole, the
//! message naming the layouts known. Encodings as for Moodle's reports (UTF-8 with or without a
//! BOM, UTF-16 with its BOM). Within one file, rows of the same person and session are added up
//! (Zoom and the list write one row per connection when someone reconnects); across files the
//! longest attendance is kept (storage's concern).

mod layouts;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::ecap::normalize_label;

/// How the list layout's columns are named, and the timezone of the exports' local times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttendanceMapping {
    /// The timezone the tools write local times in (the académie's).
    pub timezone: Tz,
    pub email: Vec<String>,
    pub name: Vec<String>,
    /// A name may also come in two columns.
    pub first_name: Vec<String>,
    pub last_name: Vec<String>,
    /// The session's title.
    pub session: Vec<String>,
    /// The session's date, or its start (date and time).
    pub date: Vec<String>,
    /// How long the person attended: minutes, or a duration (`1:02:03`, `62 min`).
    pub duration: Vec<String>,
}

impl Default for AttendanceMapping {
    fn default() -> Self {
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            timezone: chrono_tz::Europe::Paris,
            email: v(&[
                "Adresse de courriel",
                "Adresse courriel",
                "Courriel",
                "Adresse e-mail",
                "E-mail",
                "Email address",
                "Email",
            ]),
            name: v(&["Nom complet", "Participant", "Full name", "Name", "Nom"]),
            first_name: v(&["Prénom", "First name"]),
            last_name: v(&["Nom de famille", "Last name", "Surname"]),
            session: v(&[
                "Session",
                "Séance",
                "Titre de la session",
                "Classe virtuelle",
                "Session title",
                "Meeting",
            ]),
            date: v(&[
                "Date",
                "Date de la session",
                "Début",
                "Session date",
                "Start time",
            ]),
            duration: v(&[
                "Durée",
                "Durée (minutes)",
                "Minutes",
                "Temps de présence",
                "Duration",
                "Minutes attended",
            ]),
        }
    }
}

/// Which export a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AttendanceLayout)]
pub enum Layout {
    List,
    Zoom,
    Teams,
}

impl Layout {
    pub fn describe(self) -> &'static str {
        match self {
            Layout::List => "an attendance list (email, name, session, date, duration)",
            Layout::Zoom => "a Zoom participants report",
            Layout::Teams => "a Teams attendance report",
        }
    }

    /// The source recorded with what it gave.
    pub fn source(self) -> &'static str {
        match self {
            Layout::List => "list",
            Layout::Zoom => "zoom",
            Layout::Teams => "teams",
        }
    }
}

/// One person at one session, rows of the same file added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    /// The first line that names it (1 = the first line of the file).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub session: String,
    /// The session's start, or its day at local midnight when only the day is written.
    pub started_at: DateTime<Utc>,
    /// The session's local day: with its title, what recognises it.
    pub day: NaiveDate,
    pub minutes: u32,
}

impl AttendanceRow {
    /// What recognises the session in any file: its title as people type it and its day.
    pub fn session_key(&self) -> String {
        session_key(&self.session, self.day)
    }
}

pub fn session_key(title: &str, day: NaiveDate) -> String {
    format!("{}|{}", normalize_label(title), day.format("%Y-%m-%d"))
}

/// A row refused, with its line (1 = the file's first line) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RejectedRow {
    pub line: usize,
    pub reason: String,
    pub problem: RowProblem,
}

impl RejectedRow {
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
#[schema(as = AttendanceRowProblem)]
pub enum RowProblem {
    UnreadableCsv { error: String },
    MissingColumns { found: usize, expected: usize },
    NoEmail,
    BadEmail { problem: String },
    NoSession,
    BadDate { date: String },
    BadDuration { duration: String },
    FutureDate,
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
            Self::NoSession => f.write_str("no session title"),
            Self::BadDate { date } => write!(f, "session date {date:?} is not a date"),
            Self::BadDuration { duration } => write!(
                f,
                "duration {duration:?} is not a duration (62, 62 min, 1:02:03, 1h 2m 3s)"
            ),
            Self::FutureDate => f.write_str("the session's date is in the future"),
        }
    }
}

/// Everything read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub layout: Layout,
    /// Data rows read (connections, for the layouts that write one per connection).
    pub rows: usize,
    pub attendances: Vec<AttendanceRow>,
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("the file is neither UTF-8 nor UTF-16 text: save it again as CSV (UTF-8)")]
    NotText,
    #[error("the file is empty")]
    Empty,
    #[error("this is BigBlueButton's Learning Analytics Dashboard download: it names neither the attendees' addresses nor the session, so it cannot be imported; write its rows as an attendance list (columns \"Adresse de courriel\", \"Nom complet\", \"Session\", \"Date\", \"Durée\") instead")]
    LearningDashboard,
    #[error("this Zoom participants report was exported without the meeting's data (no topic nor date): export it again with \"Export with meeting data\" checked")]
    ZoomWithoutMeeting,
    #[error("this Teams attendance report has no {0} in its summary")]
    TeamsSummary(&'static str),
    #[error("no {0} column in the header (looked for: {1}); name it as [attendance] in insigne.toml says")]
    MissingColumn(&'static str, String),
    #[error("this file is not an attendance export insigne reads. Expected: an attendance list (columns for the email, the name, the session, its date and the duration, named as [attendance] in insigne.toml says: by default \"Adresse de courriel\", \"Nom complet\", \"Session\", \"Date\", \"Durée\"), a Zoom participants report exported with the meeting's data (\"Meeting ID\", \"Topic\", \"Start Time\"…, then \"Name (Original Name)\", \"User Email\", \"Join Time\", \"Leave Time\", \"Duration (Minutes)\"), or a Teams attendance report (\"1. Summary\" with \"Meeting title\" and \"Start time\", then \"2. Participants\"). The first line read was: {0}")]
    UnknownLayout(String),
}

/// Reads an attendance export: its layout recognised by its headers, its rows judged one by one.
pub fn parse(bytes: &[u8], mapping: &AttendanceMapping) -> Result<Parsed, AttendanceError> {
    let text = super::moodle::decode(bytes).map_err(|_| AttendanceError::NotText)?;
    let lines: Vec<&str> = text.lines().collect();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Err(AttendanceError::Empty);
    };
    let head = lines[first];
    let cells = layouts::split(head, super::moodle::sniff_delimiter(head));
    let has = |name: &str| {
        cells
            .iter()
            .any(|c| normalize_label(c) == normalize_label(name))
    };
    let parsed = if has("Activity Score") || has("Score d'activité") {
        return Err(AttendanceError::LearningDashboard);
    } else if has("Meeting ID") && has("Topic") {
        layouts::zoom(&lines, first, mapping.timezone)?
    } else if has("Name (Original Name)") && has("Join Time") {
        return Err(AttendanceError::ZoomWithoutMeeting);
    } else if layouts::is_teams_summary(head) {
        layouts::teams(&lines, first, mapping.timezone)?
    } else if layouts::is_list(&cells, mapping) {
        layouts::list(&lines, first, mapping)?
    } else {
        return Err(AttendanceError::UnknownLayout(
            head.chars().take(300).collect::<String>(),
        ));
    };
    Ok(merged(parsed))
}

/// Adds up the rows of the same person and session (reconnections), keeping the first line
/// and the earliest start.
fn merged(mut parsed: Parsed) -> Parsed {
    let mut out: Vec<AttendanceRow> = Vec::new();
    let mut index: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for row in parsed.attendances {
        let key = (row.email.to_lowercase(), row.session_key());
        match index.get(&key) {
            Some(&i) => {
                let kept = &mut out[i];
                kept.minutes = kept.minutes.saturating_add(row.minutes);
                kept.started_at = kept.started_at.min(row.started_at);
            }
            None => {
                index.insert(key, out.len());
                out.push(row);
            }
        }
    }
    parsed.attendances = out;
    parsed
}

/// A duration as the tools write it, in whole minutes (seconds dropped): `62` and `62 min`
/// (minutes), `1:02:03` and `00:45:10` (h:mm:ss), `1:02` (h:mm), `1h 2m 3s`, `45m 10s`,
/// `1 h 05` (Teams, French spreadsheets).
pub fn parse_duration(text: &str) -> Option<u32> {
    let t = text.trim().to_lowercase().replace(',', ".");
    if t.is_empty() {
        return None;
    }
    if t.contains(':') {
        let parts: Vec<&str> = t.split(':').map(str::trim).collect();
        let n: Vec<u64> = parts
            .iter()
            .map(|p| p.parse::<u64>().ok())
            .collect::<Option<_>>()?;
        let seconds = match n.as_slice() {
            [h, m, s] if *m < 60 && *s < 60 => h * 3600 + m * 60 + s,
            [h, m] if *m < 60 => h * 3600 + m * 60,
            _ => return None,
        };
        return u32::try_from(seconds / 60).ok();
    }
    if let Ok(minutes) = t.parse::<f64>() {
        return (0.0..1e6).contains(&minutes).then_some(minutes as u32);
    }
    // Numbers each followed by a unit: h, m/min/mn/minutes, s/sec/secondes; a bare number after
    // hours is minutes (`1 h 05`).
    let mut seconds = 0u64;
    let mut rest = t.as_str();
    let mut last_unit = "";
    let mut any = false;
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "h" | "hr" | "hrs" | "heure" | "heures" | "hour" | "hours" => 3600,
            "m" | "min" | "mn" | "mins" | "minute" | "minutes" => 60,
            "s" | "sec" | "secs" | "seconde" | "secondes" | "second" | "seconds" => 1,
            "" if last_unit == "h" => 60,
            _ => return None,
        };
        last_unit = if factor == 3600 { "h" } else { "other" };
        seconds += n * factor;
        any = true;
    }
    any.then(|| u32::try_from(seconds / 60).ok()).flatten()
}

/// A session's date or start as the tools write it, local times in `tz`. `us_first`: month
/// before day (Zoom and Teams in English write `01/15/2026`); otherwise day first, as French
/// spreadsheets and Moodle do. Returns the moment (UTC) and the local day.
pub fn parse_when(text: &str, tz: Tz, us_first: bool) -> Option<(DateTime<Utc>, NaiveDate)> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        let utc = d.with_timezone(&Utc);
        return Some((utc, utc.with_timezone(&tz).date_naive()));
    }
    let s = t.replace(", ", " ").replace(',', " ");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let us: &[&str] = &[
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%y %I:%M:%S %p",
        "%m/%d/%y %I:%M %p",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ];
    let fr: &[&str] = &[
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %Hh%M",
        "%d/%m/%y %H:%M:%S",
        "%d/%m/%y %H:%M",
    ];
    let iso: &[&str] = &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"];
    let (first, second) = if us_first { (us, fr) } else { (fr, us) };
    // A two-digit year is 20xx: `%Y` would read "26" as the year 26.
    let short_year = s
        .split(' ')
        .next()
        .and_then(|d| d.rsplit('/').next())
        .is_some_and(|y| y.len() == 2 && s.contains('/'));
    let fits = |f: &&&str| f.contains("%y") == short_year;
    let naive = first
        .iter()
        .chain(second)
        .filter(fits)
        .chain(iso)
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
        .or_else(|| {
            let days: &[&str] = if us_first {
                &["%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y"]
            } else {
                &["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y"]
            };
            days.iter()
                .find_map(|f| NaiveDate::parse_from_str(&s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    let local = tz.from_local_datetime(&naive).earliest()?;
    Some((local.with_timezone(&Utc), naive.date()))
}
