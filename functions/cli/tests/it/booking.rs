//! `frontdesk booking`, `availability` and `appointments` with the real binary on a local store:
//! settings from a JSON file, a TOML file and flags alike, `show --json` round-tripping them,
//! each bad value refused with nothing stored, free slots in local time around a closed date,
//! book → list → reschedule → cancel with the slot freed again and each business event on the local
//! queue, and a refused time answered with the nearest free ones.

use std::process::{Command, Output};

use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::FRONTDESK;

/// The settings in the shape `booking show --json` prints them: every weekday, keys in order.
pub const SETTINGS_JSON: &str = r#"{
  "timezone": "Asia/Jerusalem",
  "hours": {
    "fri": [["09:00", "13:00"]],
    "mon": [["09:00", "17:00"]],
    "sat": [["10:00", "12:00"]],
    "sun": [["09:00", "17:00"]],
    "thu": [["09:00", "17:00"]],
    "tue": [["09:00", "17:00"]],
    "wed": [["09:00", "12:00"], ["13:00", "17:00"]]
  },
  "closed_dates": ["2026-12-25"],
  "services": [
    {"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30,
     "buffer_before_minutes": 0, "buffer_after_minutes": 10},
    {"id": "cleaning", "name_he": "ניקוי", "name_en": "Cleaning", "duration_minutes": 45,
     "buffer_before_minutes": 5, "buffer_after_minutes": 10}
  ],
  "slot_step_minutes": 15,
  "min_notice_minutes": 60,
  "max_days_ahead": 30,
  "capacity": 1
}"#;

const SETTINGS_TOML: &str = r#"
timezone = "Asia/Jerusalem"
closed_dates = [2026-12-25]
slot_step_minutes = 15
min_notice_minutes = 60
max_days_ahead = 30
capacity = 1

[hours]
sun = [["09:00", "17:00"]]
mon = [["09:00", "17:00"]]
tue = [["09:00", "17:00"]]
wed = [["09:00", "12:00"], ["13:00", "17:00"]]
thu = [["09:00", "17:00"]]
fri = [["09:00", "13:00"]]
sat = [["10:00", "12:00"]]

[[services]]
id = "checkup"
name_he = "בדיקה"
name_en = "Checkup"
duration_minutes = 30
buffer_after_minutes = 10

[[services]]
id = "cleaning"
name_he = "ניקוי"
name_en = "Cleaning"
duration_minutes = 45
buffer_before_minutes = 5
buffer_after_minutes = 10
"#;

/// The same settings as flags.
const SETTINGS_FLAGS: &[&str] = &[
    "--timezone",
    "Asia/Jerusalem",
    "--hours",
    "sun-tue=09:00-17:00",
    "--hours",
    "wed=09:00-12:00,13:00-17:00",
    "--hours",
    "thu=09:00-17:00",
    "--hours",
    "fri=09:00-13:00",
    "--hours",
    "sat=10:00-12:00",
    "--closed",
    "2026-12-25",
    "--service",
    "checkup:בדיקה:Checkup:30:0:10",
    "--service",
    "cleaning:ניקוי:Cleaning:45:5:10",
    "--step",
    "15",
    "--notice",
    "60",
    "--days-ahead",
    "30",
    "--capacity",
    "1",
];

pub const PHONE: &str = "+972501234567";

/// A local store with one booking business, `acme`, driven through the binary.
struct Local {
    dir: tempfile::TempDir,
}

impl Local {
    fn new() -> Self {
        let local = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        local.ok(&[
            "business",
            "create",
            "acme",
            "--name",
            "Acme Dental",
            "--calendar",
            "true",
            "--call-goal",
            "appointment",
        ]);
        local
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(FRONTDESK)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("FRONTDESK_DATA_DIR", self.dir.path())
            .output()
            .expect("frontdesk runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must exit 1; its stdout and stderr.
    fn fails(&self, args: &[&str]) -> (String, String) {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            describe(&output)
        );
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}:\n{stdout}"))
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn settings(&self) -> Value {
        self.json(&["booking", "show", "acme", "--json"])
    }

    /// The business events on the local notify queue: (type, appointment id).
    fn events(&self) -> Vec<(String, String)> {
        let queue = EmbeddedQueue::open(&self.dir.path().join("frontdesk.sqlite3")).unwrap();
        queue
            .messages(QueueName::Notify)
            .unwrap()
            .into_iter()
            .map(|m| {
                let body: Value = serde_json::from_str(&m.body).unwrap();
                (
                    body["event"].as_str().unwrap_or_default().to_string(),
                    body["appointment"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    }
}

fn describe(output: &Output) -> String {
    format!(
        "{}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

/// The local date `days` from today in the business's zone.
pub fn in_days(days: i64) -> Date {
    let today = jiff::Timestamp::now().to_zoned(zone()).date();
    today.checked_add(jiff::Span::new().days(days)).unwrap()
}

/// The local `HH:MM` starts offered on `date`.
fn starts_on(availability: &Value, date: Date) -> Vec<String> {
    availability["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["date"] == date.to_string())
        .map(|s| s["time"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn settings_from_json_toml_and_flags_are_the_same_and_show_round_trips_them() {
    let local = Local::new();
    let expected: Value = serde_json::from_str(SETTINGS_JSON).unwrap();

    let json = local.file("booking.json", SETTINGS_JSON);
    let stored = local.ok(&["booking", "set", "acme", "--file", &json]);
    assert!(stored.contains("Wed  09:00-12:00, 13:00-17:00"), "{stored}");
    let shown = local.ok(&["booking", "show", "acme", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&shown).unwrap(), expected);

    // What show prints, set again, shows again byte for byte.
    let again = local.file("shown.json", &shown);
    local.ok(&["booking", "set", "acme", "--file", &again]);
    assert_eq!(local.ok(&["booking", "show", "acme", "--json"]), shown);

    let toml = local.file("booking.toml", SETTINGS_TOML);
    let fresh = Local::new();
    fresh.ok(&["booking", "set", "acme", "--file", &toml]);
    assert_eq!(fresh.settings(), expected);

    let flags = Local::new();
    let mut args = vec!["booking", "set", "acme"];
    args.extend_from_slice(SETTINGS_FLAGS);
    flags.ok(&args);
    assert_eq!(flags.settings(), expected);

    // One flag changes one part; the zone becomes the business's too.
    flags.ok(&["booking", "set", "acme", "--timezone", "Europe/London"]);
    let business = flags.json(&["business", "show", "acme", "--json"]);
    assert_eq!(business["timezone"], "Europe/London");
    assert_eq!(business["booking"]["timezone"], "Europe/London");
    assert_eq!(business["booking"]["services"], expected["services"]);
    let text = flags.ok(&["business", "show", "acme"]);
    assert!(text.contains("Sat  10:00-12:00"), "{text}");
    assert!(
        text.contains("cleaning  ניקוי / Cleaning, 45 min, buffers 5 before and 10 after"),
        "{text}"
    );
    flags.ok(&["booking", "set", "acme", "--remove-service", "cleaning"]);
    assert_eq!(flags.settings()["services"].as_array().unwrap().len(), 1);

    let table = local.ok(&["booking", "show", "acme"]);
    for line in [
        "timezone      Asia/Jerusalem",
        "Fri  09:00-13:00",
        "closed dates  2026-12-25",
        "slot step     15 minutes",
        "notice        60 minutes",
        "days ahead    30",
        "capacity      1 at a time",
    ] {
        assert!(table.contains(line), "{line}:\n{table}");
    }
}

#[test]
fn each_bad_value_is_refused_with_its_field_and_nothing_is_stored() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let before = local.settings();
    let unknown_day = local.file(
        "bad.json",
        &SETTINGS_JSON.replace("\"sun\":", "\"sunday\":"),
    );
    for (args, words) in [
        (
            vec!["--hours", "funday=09:00-17:00"],
            "hours: `funday` is not one of sun, mon, tue, wed, thu, fri, sat",
        ),
        (vec!["--file", &unknown_day], "`sunday` is not one of"),
        (
            vec!["--hours", "sun=09:00-25:00"],
            "hours.sun: `25:00` is not a time of day",
        ),
        (
            vec!["--hours", "mon=09:00-12:00,11:30-17:00"],
            "hours.mon: intervals overlap",
        ),
        (
            vec!["--step", "7"],
            "slot_step_minutes: 7 is not a multiple of 5 minutes",
        ),
        (
            vec!["--service", "long:ארוך:Long:200:30:30"],
            "services.long.duration_minutes: with its buffers it is 260 minutes; at most 240",
        ),
        (
            vec!["--timezone", "Mars/Olympus"],
            "timezone: `Mars/Olympus` is not an IANA time zone",
        ),
        (vec!["--capacity", "0"], "capacity: must be 1 to 50"),
    ] {
        let mut command = vec!["booking", "set", "acme"];
        command.extend(args.iter().copied());
        let (_, stderr) = local.fails(&command);
        assert!(stderr.contains("booking settings not stored"), "{stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert_eq!(local.settings(), before, "{args:?} stored nothing");
    }
    let (_, stderr) = local.fails(&["booking", "set", "acme"]);
    assert!(stderr.contains("nothing to set"), "{stderr}");
}

#[test]
fn availability_lists_local_slots_and_skips_a_closed_date() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    let (day, closed) = (in_days(3), in_days(4));
    let closed_flag = closed.to_string();
    local.ok(&[
        "booking",
        "set",
        "acme",
        "--file",
        &json,
        "--closed",
        &closed_flag,
    ]);
    let from = day.to_string();
    let args = [
        "availability",
        "acme",
        "--service",
        "checkup",
        "--from",
        &from,
        "--days",
        "2",
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let free = local.json(&with_json);
    assert_eq!(free["timezone"], "Asia/Jerusalem");
    let starts = starts_on(&free, day);
    assert!(starts.contains(&"10:00".to_string()), "{free:#}");
    assert!(starts_on(&free, closed).is_empty(), "{free:#}");
    let first = &free["slots"][0];
    let start: jiff::Timestamp = first["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        start.to_zoned(zone()).strftime("%H:%M").to_string(),
        first["time"].as_str().unwrap()
    );
    // Israel is at +02:00 in winter and +03:00 in summer: never UTC's `Z`.
    let rfc3339 = first["start"].as_str().unwrap();
    let offset = zone().to_offset(start).seconds() / 3600;
    assert!(
        rfc3339.ends_with(&format!("+{offset:02}:00")),
        "RFC 3339 with the business's offset: {first}"
    );
    let text = local.ok(&args);
    let label = day.strftime("%a %Y-%m-%d").to_string();
    assert!(text.contains(&label), "{text}");
    assert!(
        !text.contains(&closed.strftime("%a %Y-%m-%d").to_string()),
        "{text}"
    );
}

#[test]
fn book_list_reschedule_cancel_frees_the_slot_and_queues_each_event() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let day = in_days(3);
    let from = day.to_string();
    let free = || {
        local.json(&[
            "availability",
            "acme",
            "--service",
            "checkup",
            "--from",
            &from,
            "--days",
            "1",
            "--json",
        ])
    };
    assert!(starts_on(&free(), day).contains(&"10:00".to_string()));

    let start = format!("{day} 10:00");
    let booked = local.ok(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &start,
        "--phone",
        PHONE,
        "--name",
        "Dana",
    ]);
    let id = booked
        .split_whitespace()
        .nth(1)
        .expect("booked ID …")
        .to_string();
    assert!(
        booked.contains(&format!("{} 10:00-10:30", day.strftime("%a %Y-%m-%d"))),
        "{booked}"
    );
    let starts = starts_on(&free(), day);
    assert!(!starts.contains(&"10:00".to_string()), "{starts:?}");
    assert!(
        !starts.contains(&"09:45".to_string()),
        "its block reaches 10:00"
    );

    let listed = local.json(&["appointments", "list", "acme", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["appointment_id"], id.as_str());
    assert_eq!(listed[0]["status"], "booked");
    assert_eq!(listed[0]["name"], "Dana");
    assert_eq!(listed[0]["channel"], "api");
    assert!(listed[0]["start"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{day}T10:00:00+0")));
    let table = local.ok(&["appointments", "list", "acme"]);
    assert!(table.contains(&id) && table.contains(PHONE), "{table}");

    // The same time again is taken, with other times offered.
    let (taken, _) = local.fails(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &start,
        "--phone",
        "+972501111111",
    ]);
    assert!(taken.contains("already taken"), "{taken}");
    assert!(taken.contains("nearest free times"), "{taken}");

    assert_eq!(local.events(), [("appointment.booked".into(), id.clone())]);

    // Moved an hour later: the old time is free again, the new one taken.
    let later = format!("{day} 11:00");
    let moved = local.ok(&["appointments", "reschedule", "acme", &id, "--start", &later]);
    assert!(moved.starts_with(&format!("rescheduled {id}")), "{moved}");
    let starts = starts_on(&free(), day);
    assert!(starts.contains(&"10:00".to_string()), "{starts:?}");
    assert!(!starts.contains(&"11:00".to_string()), "{starts:?}");
    let closing = format!("{day} 16:45");
    let (refused, _) = local.fails(&[
        "appointments",
        "reschedule",
        "acme",
        &id,
        "--start",
        &closing,
    ]);
    assert!(
        refused.contains("not rescheduled: the appointment would run past closing time"),
        "{refused}"
    );

    let cancelled = local.ok(&["appointments", "cancel", "acme", &id]);
    assert!(cancelled.starts_with("cancelled"), "{cancelled}");
    assert!(starts_on(&free(), day).contains(&"11:00".to_string()));
    let by_status = local.json(&[
        "appointments",
        "list",
        "acme",
        "--status",
        "cancelled",
        "--json",
    ]);
    assert_eq!(by_status[0]["appointment_id"], id.as_str());
    assert_eq!(by_status[0]["status"], "cancelled");
    let booked_only = local.json(&[
        "appointments",
        "list",
        "acme",
        "--status",
        "booked",
        "--json",
    ]);
    assert_eq!(booked_only, serde_json::json!([]));
    assert_eq!(
        local.events(),
        [
            ("appointment.booked".into(), id.clone()),
            ("appointment.rescheduled".into(), id.clone()),
            ("appointment.cancelled".into(), id.clone())
        ]
    );
    let (again, _) = local.fails(&["appointments", "cancel", "acme", &id]);
    assert!(again.contains("not booked"), "{again}");
}

#[test]
fn a_refused_time_prints_the_reason_and_the_nearest_free_times() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let day = in_days(3);
    let late = format!("{day} 20:00");
    let book = [
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &late,
        "--phone",
        PHONE,
    ];
    let (refused, _) = local.fails(&book);
    assert!(
        refused.contains("not booked: that is outside our opening hours"),
        "{refused}"
    );
    assert!(refused.contains("nearest free times:"), "{refused}");
    assert!(
        refused.contains(&day.strftime("%a %Y-%m-%d").to_string()),
        "{refused}"
    );
    let mut with_json = book.to_vec();
    with_json.push("--json");
    let output = local.run(&with_json);
    assert_eq!(output.status.code(), Some(1));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["booked"], false);
    assert_eq!(answer["reason"], "outside_hours");
    assert_eq!(
        answer["alternatives"].as_array().unwrap().len(),
        3,
        "{answer:#}"
    );
    assert!(local.events().is_empty(), "a refusal raises no event");

    let (_, stderr) = local.fails(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "massage",
        "--start",
        &late,
        "--phone",
        PHONE,
    ]);
    assert!(
        stderr.contains("no service `massage` (it has: checkup, cleaning)"),
        "{stderr}"
    );
}

#[test]
fn commands_on_a_business_without_booking_say_how_to_set_it_up() {
    let local = Local::new();
    for args in [
        vec!["availability", "acme"],
        vec!["booking", "show", "acme"],
    ] {
        let (_, stderr) = local.fails(&args);
        assert!(
            stderr.contains("frontdesk booking set acme"),
            "{args:?}: {stderr}"
        );
    }
    let shown = local.ok(&["business", "show", "acme"]);
    assert!(shown.contains("booking  (not set"), "{shown}");
}
