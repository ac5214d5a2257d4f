//! The user's check, with the real binaries: a business set up to book by phone (`business
//! create --call-goal appointment`, `booking set`), the real `frontdesk serve`, a call to its
//! number (`simulate call`), the caller asking for tomorrow at three and confirming with 1
//! (`simulate booking`, each turn signed like Twilio's callback), and the appointment read back
//! with `appointments list`.

use std::path::Path;
use std::process::{Command, Output};

use frontdesk_testkit::serve::ServeProcess;
use serde_json::Value;

use super::FRONTDESK;

const TOKEN: &str = "phone-auth-token-0123456789abcdef";
const NUMBER: &str = "+15550008888";
const CALLER: &str = "+972501234567";
const CALL_SID: &str = "CA00000000000000000000000000000042";

/// Open every day, so tomorrow at three is free whenever the test runs.
const SETTINGS: &str = r#"{"timezone": "Asia/Jerusalem",
  "hours": {"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
            "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]],
            "sat": [["09:00","17:00"]]},
  "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}],
  "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}"#;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .env("FRONTDESK_DATA_DIR", data)
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `frontdesk simulate EVENT --json ARGS…` against `server`: the answer's status and body.
fn simulate(server: &ServeProcess, event: &str, args: &[&str]) -> (u64, String) {
    let output = Command::new(FRONTDESK)
        .args(["simulate", event, "--base", &server.base, "--json"])
        .args(["--to", NUMBER, "--from", CALLER, "--call-sid", CALL_SID])
        .args(args)
        .env_clear()
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    let answer: Value = serde_json::from_str(&ok(&output)).unwrap();
    (
        answer["status"].as_u64().unwrap(),
        answer["body"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_call_asks_for_tomorrow_at_three_confirms_and_the_appointment_is_stored() {
    let data = tempfile::tempdir().unwrap();
    ok(&run(
        data.path(),
        &[
            "business",
            "create",
            "clinic",
            "--name",
            "Clinic",
            "--number",
            NUMBER,
            "--calendar",
            "true",
            "--call-goal",
            "appointment",
        ],
    ));
    let settings = data.path().join("booking.json");
    std::fs::write(&settings, SETTINGS).unwrap();
    ok(&run(
        data.path(),
        &[
            "booking",
            "set",
            "clinic",
            "--file",
            settings.to_str().unwrap(),
        ],
    ));
    let server = ServeProcess::start(
        Path::new(FRONTDESK),
        data.path(),
        None,
        &[("TWILIO_AUTH_TOKEN", TOKEN), ("RUST_LOG", "warn")],
    );

    let (status, menu) = simulate(&server, "call", &[]);
    assert_eq!(status, 200, "{menu}");
    assert!(menu.contains("/webhook/voice_booking?step=1"), "{menu}");
    assert!(menu.contains("לקביעת תור אמרו יום ושעה"), "{menu}");

    let (status, offer) = simulate(
        &server,
        "booking",
        &[
            "--step",
            "1",
            "--speech",
            "מחר בשלוש",
            "--confidence",
            "0.9",
        ],
    );
    assert_eq!(status, 200, "{offer}");
    assert!(offer.contains("יש תור פנוי מחר"), "{offer}");
    assert!(offer.contains("בשלוש אחר הצהריים"), "{offer}");
    assert!(offer.contains("/webhook/voice_booking?step=2"), "{offer}");

    let (status, done) = simulate(&server, "booking", &["--step", "2", "--digits", "1"]);
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("התור נקבע: בדיקה, מחר"), "{done}");
    assert!(done.ends_with("<Hangup/></Response>"), "{done}");

    let listed: Value = serde_json::from_str(&ok(&run(
        data.path(),
        &["appointments", "list", "clinic", "--json"],
    )))
    .unwrap();
    let list = listed
        .get("appointments")
        .unwrap_or(&listed)
        .as_array()
        .unwrap_or_else(|| panic!("a list: {listed}"))
        .clone();
    assert_eq!(list.len(), 1, "{listed}");
    assert_eq!(list[0]["channel"], "voice");
    assert_eq!(list[0]["phone"], CALLER);
    let start: jiff::Timestamp = list[0]["start"].as_str().unwrap().parse().unwrap();
    let zone = jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap();
    let local = zone.to_datetime(start);
    let tomorrow = jiff::Timestamp::now()
        .to_zoned(zone)
        .date()
        .tomorrow()
        .unwrap();
    assert_eq!(
        (local.date(), local.hour(), local.minute()),
        (tomorrow, 15, 0)
    );

    // A turn with nothing heard is a silent caller; a bad step is Twilio's malformed request.
    let (status, silent) = simulate(&server, "booking", &["--step", "3"]);
    assert_eq!(status, 200);
    assert!(silent.contains("לא שמעתי."), "{silent}");
    let output = Command::new(FRONTDESK)
        .args(["simulate", "booking", "--base", &server.base, "--step", "0"])
        .env_clear()
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(!output.status.success(), "step 0 is refused by the flag");
}
