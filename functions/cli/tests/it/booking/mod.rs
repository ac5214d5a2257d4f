//! `frontdesk booking`, `availability` and `appointments` with the real binary on a local store:
//! settings from a JSON file, a TOML file and flags alike, `show --json` round-tripping them,
//! each bad value refused with nothing stored, free slots in local time around a closed date,
//! book → list → reschedule → cancel with the slot freed again and each business event on the local
//! queue, and a refused time answered with the nearest free ones. The settings tests are in
//! `settings`, the slots and appointments in `appointments`; this module is what they share.

use std::process::{Command, Output};

use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::FRONTDESK;

mod appointments;
mod settings;

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

pub const SETTINGS_TOML: &str = r#"
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
pub const SETTINGS_FLAGS: &[&str] = &[
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
pub struct Local {
    dir: tempfile::TempDir,
}

impl Local {
    pub fn new() -> Self {
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

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(FRONTDESK)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("FRONTDESK_DATA_DIR", self.dir.path())
            .output()
            .expect("frontdesk runs")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs a command that must exit 1; its stdout and stderr.
    pub fn fails(&self, args: &[&str]) -> (String, String) {
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

    pub fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}:\n{stdout}"))
    }

    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    pub fn settings(&self) -> Value {
        self.json(&["booking", "show", "acme", "--json"])
    }

    /// The business events on the local notify queue: (type, appointment id).
    pub fn events(&self) -> Vec<(String, String)> {
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
pub fn starts_on(availability: &Value, date: Date) -> Vec<String> {
    availability["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["date"] == date.to_string())
        .map(|s| s["time"].as_str().unwrap().to_string())
        .collect()
}
