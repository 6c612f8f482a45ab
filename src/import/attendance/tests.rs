use super::*;

const LIST: &[u8] = include_bytes!("../../../examples/attendance/classe-virtuelle-magistere.csv");
const ZOOM: &[u8] = include_bytes!("../../../examples/attendance/zoom-participants.csv");
const TEAMS: &[u8] = include_bytes!("../../../examples/attendance/teams-attendance.csv");
const DASHBOARD: &[u8] = include_bytes!("../../../examples/attendance/bbb-learning-dashboard.csv");

fn parsed(bytes: &[u8]) -> Parsed {
    parse(bytes, &AttendanceMapping::default()).expect("read")
}

fn of<'a>(p: &'a Parsed, email: &str) -> Vec<&'a AttendanceRow> {
    p.attendances.iter().filter(|a| a.email == email).collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("date")
}

#[test]
fn the_list_sample_adds_up_reconnections_and_rejects_what_it_cannot_read() {
    let p = parsed(LIST);
    assert_eq!(p.layout, Layout::List);
    assert_eq!(p.rows, 9);
    let claire = of(&p, "claire.martin@ac-versailles.fr");
    assert_eq!(
        claire.iter().map(|a| a.minutes).collect::<Vec<_>>(),
        [92, 83, 65]
    );
    // 17:00 in Paris in winter is 16:00 UTC.
    assert_eq!(claire[0].started_at, utc("2026-01-08T16:00:00Z"));
    assert_eq!(
        claire[0].session,
        "Jeudis de la recherche — L'attention en classe"
    );
    assert_eq!(claire[1].line, 5);
    let julien = of(&p, "julien.bernard@ac-versailles.fr");
    assert_eq!(
        julien.iter().map(|a| a.minutes).collect::<Vec<_>>(),
        [88, 81, 32]
    );
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].line, 10);
    assert!(matches!(
        p.rejected[0].problem,
        RowProblem::BadDuration { .. }
    ));
}

#[test]
fn the_zoom_sample_leaves_the_host_out_and_adds_up_connections() {
    let p = parsed(ZOOM);
    assert_eq!(p.layout, Layout::Zoom);
    assert_eq!(p.rows, 5);
    assert_eq!(p.attendances.len(), 3);
    let karim = of(&p, "karim.benali@ac-versailles.fr");
    assert_eq!(karim[0].minutes, 62);
    assert_eq!(
        karim[0].session,
        "Webinaire m@gistère — Concevoir un parcours hybride"
    );
    assert_eq!(karim[0].started_at, utc("2026-01-21T12:55:32Z"));
    assert_eq!(
        of(&p, "nathalie.dubois@ac-versailles.fr")[0].name,
        "Nathalie Dubois"
    );
    assert!(of(&p, "dane.webinaires@ac-versailles.fr").is_empty());
}

#[test]
fn the_teams_sample_in_utf16_reads_the_participants_section() {
    let p = parsed(TEAMS);
    assert_eq!(p.layout, Layout::Teams);
    assert_eq!(p.rows, 4);
    let minutes: Vec<(&str, u32)> = p
        .attendances
        .iter()
        .map(|a| (a.email.as_str(), a.minutes))
        .collect();
    assert_eq!(
        minutes,
        [
            ("karim.benali@ac-versailles.fr", 59),
            ("nathalie.dubois@ac-versailles.fr", 24),
            // No email: the UPN is the address.
            ("sophie.lefebvre@ac-versailles.fr", 62),
        ]
    );
    assert_eq!(p.attendances[0].started_at, utc("2026-02-11T12:58:12Z"));
    // The same report re-saved as UTF-8 with a BOM reads the same.
    let text = super::super::moodle::decode(TEAMS).expect("text");
    let again = parsed(format!("\u{feff}{text}").as_bytes());
    assert_eq!(again.attendances, p.attendances);
}

#[test]
fn unknown_files_and_the_dashboard_are_refused_whole() {
    let m = AttendanceMapping::default();
    assert_eq!(
        parse(DASHBOARD, &m),
        Err(AttendanceError::LearningDashboard)
    );
    let err = parse(b"Nom;Classe\nClaire;4e B\n", &m).expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("Zoom participants report"), "{message}");
    assert!(message.contains("Teams attendance report"), "{message}");
    assert!(message.contains("Nom;Classe"), "{message}");
    assert_eq!(parse(b"", &m), Err(AttendanceError::Empty));
    assert_eq!(
        parse(&[0xff, 0xfe, 0x00], &m),
        Err(AttendanceError::NotText)
    );
    let zoom_alone =
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n";
    assert_eq!(
        parse(zoom_alone, &m),
        Err(AttendanceError::ZoomWithoutMeeting)
    );
}

#[test]
fn a_mapped_list_names_its_columns() {
    let m = AttendanceMapping {
        email: vec!["Mél".into()],
        session: vec!["Conférence".into()],
        date: vec!["Le".into()],
        duration: vec!["Présence".into()],
        ..AttendanceMapping::default()
    };
    let p = parse(
        "Mél,Prénom,Nom de famille,Conférence,Le,Présence\nana.roux@ac-versailles.fr,Ana,Roux,Jeudis de la recherche — X,2026-03-12,1 h 05\n"
            .as_bytes(),
        &m,
    )
    .expect("read");
    assert_eq!(p.attendances[0].name, "Ana Roux");
    assert_eq!(p.attendances[0].minutes, 65);
    assert_eq!(p.attendances[0].started_at, utc("2026-03-11T23:00:00Z"));
}

#[test]
fn durations_as_the_tools_write_them() {
    for (text, minutes) in [
        ("1:02:03", Some(62)),
        ("00:45:10", Some(45)),
        ("62 min", Some(62)),
        ("62", Some(62)),
        ("62 mn", Some(62)),
        ("1:02", Some(62)),
        ("1h 2m 3s", Some(62)),
        ("45m 10s", Some(45)),
        ("59s", Some(0)),
        ("1 h 05", Some(65)),
        ("1h05", Some(65)),
        ("45,5", Some(45)),
        ("", None),
        ("-", None),
        ("1:75:00", None),
        ("trois quarts d'heure", None),
    ] {
        assert_eq!(parse_duration(text), minutes, "{text:?}");
    }
}

#[test]
fn dates_are_local_to_paris_and_kept_in_utc() {
    let paris = chrono_tz::Europe::Paris;
    let at = |t: &str, us: bool| parse_when(t, paris, us).map(|(d, _)| d);
    assert_eq!(
        at("08/01/2026 17:00", false),
        Some(utc("2026-01-08T16:00:00Z"))
    );
    // Summer time: two hours.
    assert_eq!(
        at("11/06/2026 17:00", false),
        Some(utc("2026-06-11T15:00:00Z"))
    );
    assert_eq!(
        at("06/11/2026 05:00:00 PM", true),
        Some(utc("2026-06-11T15:00:00Z"))
    );
    assert_eq!(
        at("2/11/26, 1:58:12 PM", true),
        Some(utc("2026-02-11T12:58:12Z"))
    );
    assert_eq!(at("2026-01-08", false), Some(utc("2026-01-07T23:00:00Z")));
    assert_eq!(
        at("2026-01-08T17:00:00+01:00", false),
        Some(utc("2026-01-08T16:00:00Z"))
    );
    // The local day, not the UTC one, recognises the session.
    let (_, day) = parse_when("2026-01-08T23:30:00Z", paris, false).expect("date");
    assert_eq!(day.to_string(), "2026-01-09");
    assert_eq!(at("hier", false), None);
}
