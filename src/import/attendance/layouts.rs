//! The layouts, each read as its tool writes it.

use chrono_tz::Tz;

use super::{
    parse_duration, parse_when, AttendanceError, AttendanceMapping, AttendanceRow, Layout, Parsed,
    RejectedRow, RowProblem,
};
use crate::domain::ecap::normalize_label as norm;

/// The cells of one line (quotes as CSV writes them).
pub(super) fn split(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_string()).collect())
        .unwrap_or_default()
}

fn position(header: &[String], names: &[String]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| norm(n) == norm(h)))
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A cell's text, empty when the row is short.
fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}

/// The data rows of a section: `(line number, cells)` from `start` to the first blank line.
fn section<'a>(
    lines: &'a [&'a str],
    start: usize,
    delimiter: u8,
) -> impl Iterator<Item = (usize, Vec<String>)> + 'a {
    lines[start..]
        .iter()
        .enumerate()
        .take_while(|(_, l)| !l.trim().is_empty() && !l.trim().trim_matches('\t').is_empty())
        .map(move |(i, l)| (start + i + 1, split(l, delimiter)))
}

pub(super) fn is_list(header: &[String], m: &AttendanceMapping) -> bool {
    position(header, &m.email).is_some()
        && position(header, &m.session).is_some()
        && position(header, &m.date).is_some()
        && position(header, &m.duration).is_some()
}

/// Judges the person's cells shared by every layout.
fn attendee(email: &str, name: &str, duration: &str) -> Result<(String, String, u32), RowProblem> {
    let email = email.trim();
    if email.is_empty() {
        return Err(RowProblem::NoEmail);
    }
    if let Err(problem) = crate::domain::EmailAddress::parse(email) {
        return Err(RowProblem::BadEmail { problem });
    }
    let minutes = parse_duration(duration).ok_or_else(|| RowProblem::BadDuration {
        duration: duration.to_string(),
    })?;
    Ok((email.to_string(), name.trim().to_string(), minutes))
}

/// The list layout: one row per attendee (or connection) and session, columns named by the
/// mapping.
pub(super) fn list(
    lines: &[&str],
    first: usize,
    m: &AttendanceMapping,
) -> Result<Parsed, AttendanceError> {
    let delimiter = super::super::moodle::sniff_delimiter(lines[first]);
    let header = split(lines[first], delimiter);
    let need = |what: &'static str, list: &[String]| {
        position(&header, list).ok_or_else(|| AttendanceError::MissingColumn(what, list.join(", ")))
    };
    let email = need("email", &m.email)?;
    let session = need("session", &m.session)?;
    let date = need("date", &m.date)?;
    let duration = need("duration", &m.duration)?;
    let name = position(&header, &m.name);
    let first_name = position(&header, &m.first_name);
    let last_name = position(&header, &m.last_name);
    let mut out = Parsed {
        layout: Layout::List,
        rows: 0,
        attendances: Vec::new(),
        rejected: Vec::new(),
    };
    // Read with the CSV reader, so that quoted cells may hold line breaks.
    let body = lines[first..].join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(body.as_bytes());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.rows += 1;
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0) + first;
                out.rejected.push(RejectedRow::new(
                    line,
                    RowProblem::UnreadableCsv {
                        error: e.to_string(),
                    },
                ));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0) + first;
        let row: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if row.iter().all(String::is_empty) {
            continue;
        }
        out.rows += 1;
        if row.len() < header.len() {
            out.rejected.push(RejectedRow::new(
                line,
                RowProblem::MissingColumns {
                    found: row.len(),
                    expected: header.len(),
                },
            ));
            continue;
        }
        let full_name = match (name, first_name, last_name) {
            (Some(n), _, _) => cell(&row, n).to_string(),
            (None, Some(f), Some(l)) => format!("{} {}", cell(&row, f), cell(&row, l)),
            _ => String::new(),
        };
        let judged = attendee(cell(&row, email), &full_name, cell(&row, duration)).and_then(
            |(email, name, minutes)| {
                let title = cell(&row, session);
                if title.is_empty() {
                    return Err(RowProblem::NoSession);
                }
                let when = cell(&row, date);
                let (started_at, day) =
                    parse_when(when, m.timezone, false).ok_or_else(|| RowProblem::BadDate {
                        date: when.to_string(),
                    })?;
                Ok(AttendanceRow {
                    line,
                    email,
                    name,
                    session: title.to_string(),
                    started_at,
                    day,
                    minutes,
                })
            },
        );
        match judged {
            Ok(a) => out.attendances.push(a),
            Err(problem) => out.rejected.push(RejectedRow::new(line, problem)),
        }
    }
    Ok(out)
}

/// Zoom's participants report with the meeting's data: a header and one row for the meeting,
/// a blank line, then a header and one row per connection. Times are the account's local time,
/// month first.
pub(super) fn zoom(lines: &[&str], first: usize, tz: Tz) -> Result<Parsed, AttendanceError> {
    let meeting_header = split(lines[first], b',');
    let meeting = split(lines.get(first + 1).copied().unwrap_or(""), b',');
    let at = |n: &str| position(&meeting_header, &names(&[n])).map(|i| cell(&meeting, i));
    let topic = at("Topic").unwrap_or("").to_string();
    let start = at("Start Time").unwrap_or("").to_string();
    let host = at("User Email").unwrap_or("").to_lowercase();
    let unknown = || AttendanceError::UnknownLayout(lines[first].chars().take(300).collect());
    let (started_at, day) = parse_when(&start, tz, true).ok_or_else(unknown)?;
    if topic.is_empty() {
        return Err(unknown());
    }
    let Some(h) = (first + 2..lines.len()).find(|&i| {
        let cells = split(lines[i], b',');
        position(&cells, &names(&["User Email"])).is_some()
            && position(&cells, &names(&["Duration (Minutes)"])).is_some()
    }) else {
        return Err(unknown());
    };
    let header = split(lines[h], b',');
    let col = |n: &[&str]| position(&header, &names(n));
    let (Some(email), Some(duration)) = (col(&["User Email"]), col(&["Duration (Minutes)"])) else {
        return Err(unknown());
    };
    let name = col(&["Name (Original Name)", "Name (original name)", "Name"]);
    let mut out = Parsed {
        layout: Layout::Zoom,
        rows: 0,
        attendances: Vec::new(),
        rejected: Vec::new(),
    };
    for (line, row) in section(lines, h + 1, b',') {
        out.rows += 1;
        // The host's own connections are not attendance.
        if !host.is_empty() && cell(&row, email).to_lowercase() == host {
            continue;
        }
        // "Claire Martin (Claire M.)": the name the attendee gave, then the original one.
        let shown = name.map(|n| cell(&row, n)).unwrap_or("");
        let shown = shown.split(" (").next().unwrap_or(shown);
        match attendee(cell(&row, email), shown, cell(&row, duration)) {
            Ok((email, name, minutes)) => out.attendances.push(AttendanceRow {
                line,
                email,
                name,
                session: topic.clone(),
                started_at,
                day,
                minutes,
            }),
            Err(problem) => out.rejected.push(RejectedRow::new(line, problem)),
        }
    }
    Ok(out)
}

pub(super) fn is_teams_summary(line: &str) -> bool {
    let l = norm(line.trim_matches(|c: char| c == '\t' || c == '"' || c.is_whitespace()));
    l == "1. summary" || l == "1. résumé"
}

/// Teams' attendance report: "1. Summary" (key and value per line), "2. Participants" (a
/// header and one row per attendee, durations already added up), "3. In-Meeting Activities"
/// (each connection; not read). Tab-separated.
pub(super) fn teams(lines: &[&str], first: usize, tz: Tz) -> Result<Parsed, AttendanceError> {
    let delimiter = if lines.iter().any(|l| l.contains('\t')) {
        b'\t'
    } else {
        super::super::moodle::sniff_delimiter(lines[first])
    };
    let mut title = None;
    let mut start = None;
    for (_, kv) in section(lines, first + 1, delimiter) {
        let (key, value) = (norm(cell(&kv, 0)), cell(&kv, 1).to_string());
        match key.as_str() {
            "meeting title" | "titre de la réunion" => title = Some(value),
            "start time" | "heure de début" => start = Some(value),
            _ => {}
        }
    }
    let title = title
        .filter(|t| !t.is_empty())
        .ok_or(AttendanceError::TeamsSummary("meeting title"))?;
    let start = start.ok_or(AttendanceError::TeamsSummary("start time"))?;
    let (started_at, day) = parse_when(&start, tz, !start.contains('/') || us_date(&start))
        .ok_or(AttendanceError::TeamsSummary("readable start time"))?;
    let Some(p) = lines.iter().position(|l| {
        let l = norm(l.trim_matches(|c: char| c == '\t' || c == '"' || c.is_whitespace()));
        l == "2. participants"
    }) else {
        return Err(AttendanceError::TeamsSummary("\"2. Participants\" section"));
    };
    let header = split(lines.get(p + 1).copied().unwrap_or(""), delimiter);
    let col = |n: &[&str]| position(&header, &names(n));
    let email = col(&["Email", "E-mail", "Adresse e-mail", "Adresse de messagerie"]);
    let upn = col(&["Participant ID (UPN)", "ID du participant (UPN)"]);
    let duration = col(&[
        "In-Meeting Duration",
        "Durée de la réunion",
        "Durée dans la réunion",
    ])
    .ok_or(AttendanceError::TeamsSummary(
        "\"In-Meeting Duration\" column",
    ))?;
    let name = col(&["Name", "Nom"]);
    let role = col(&["Role", "Rôle"]);
    let mut out = Parsed {
        layout: Layout::Teams,
        rows: 0,
        attendances: Vec::new(),
        rejected: Vec::new(),
    };
    for (line, row) in section(lines, p + 2, delimiter) {
        out.rows += 1;
        let role = role.map(|r| norm(cell(&row, r))).unwrap_or_default();
        if role == "organizer" || role == "organisateur" {
            continue;
        }
        // External attendees may have no email; their UPN is their address then.
        let address = email
            .map(|e| cell(&row, e))
            .filter(|e| !e.is_empty())
            .or_else(|| upn.map(|u| cell(&row, u)))
            .unwrap_or("");
        let shown = name.map(|n| cell(&row, n)).unwrap_or("");
        match attendee(address, shown, cell(&row, duration)) {
            Ok((email, name, minutes)) => out.attendances.push(AttendanceRow {
                line,
                email,
                name,
                session: title.clone(),
                started_at,
                day,
                minutes,
            }),
            Err(problem) => out.rejected.push(RejectedRow::new(line, problem)),
        }
    }
    Ok(out)
}

/// Teams in English writes `1/22/26, 4:58:01 PM`: an AM/PM time means month first.
fn us_date(text: &str) -> bool {
    let t = text.to_uppercase();
    t.ends_with("AM") || t.ends_with("PM")
}
