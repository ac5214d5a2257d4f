//! The user's check, with the real binaries: the demo clinic that books by phone (from the seed
//! `frontdesk serve` loads: `demo-booking`, `+97233337777`), its Google Calendar connected with
//! `frontdesk calendar connect` to a Google stand-in, its webhook at a local receiver, Twilio's
//! Messages API at a stand-in. A call to its number (`simulate call`), the caller asking for
//! "מחר בשלוש" (`simulate booking`, each turn signed like Twilio's callback) and pressing 1; the
//! appointment read back with `appointments list`; serve's own consumers deliver the signed
//! `appointment.booked`, send the caller's SMS confirmation and put one event in the calendar.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use frontdesk::http::form;
use frontdesk_testkit::serve::ServeProcess;
use frontdesk_testkit::standins::google::GoogleStandIn;
use frontdesk_testkit::standins::provider::{answering, ProviderStandIn};
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer, Kind, StandIn};
use serde_json::{json, Value};

use super::FRONTDESK;

const TOKEN: &str = "phone-auth-token-0123456789abcdef";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const CLINIC: &str = "demo-booking";
const NUMBER: &str = "+97233337777";
const CALLER: &str = "+972501234567";
const CALL_SID: &str = "CA00000000000000000000000000000042";
const CALENDAR: &str = "demo-clinic@group.calendar.google.com";

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/seed")
}

/// The repository's seed with the clinic's webhook pointed at `receiver` (the greeting kept).
fn seed(dir: &Path, receiver: &str) -> PathBuf {
    let text = std::fs::read_to_string(seed_dir().join("businesses.json")).unwrap();
    let mut businesses: Vec<Value> = serde_json::from_str(&text).unwrap();
    for business in &mut businesses {
        if let Some(mp3) = business["greeting_mp3"].as_str() {
            business["greeting_mp3"] = json!(seed_dir().join(mp3));
        }
        let demo_calls = business
            .pointer_mut("/demo/calls")
            .and_then(Value::as_array_mut);
        for call in demo_calls.into_iter().flatten() {
            if let Some(mp3) = call["voicemail_mp3"].as_str() {
                call["voicemail_mp3"] = json!(seed_dir().join(mp3));
            }
        }
        if business["id"] == CLINIC {
            business["generic_webhook_url"] = json!(format!("{receiver}/hooks"));
        }
    }
    let path = dir.join("seed.json");
    std::fs::write(&path, serde_json::to_string(&businesses).unwrap()).unwrap();
    path
}

fn run(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .env("FRONTDESK_DATA_DIR", data)
        .envs(env.iter().copied())
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

/// Waits until `done` holds, for at most 20 s.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn tomorrow_at_three() -> jiff::Timestamp {
    let zone = jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap();
    let tomorrow = jiff::Timestamp::now()
        .to_zoned(zone.clone())
        .date()
        .tomorrow()
        .unwrap();
    tomorrow.at(15, 0, 0, 0).to_zoned(zone).unwrap().timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_clinic_books_tomorrow_at_three_by_phone_confirms_it_and_tells_everyone() {
    let data = tempfile::tempdir().unwrap();
    let receiver = StandIn::start(
        Kind::Receiver,
        &[Answer::Status(200)],
        bytes::Bytes::new(),
        TOKEN,
    )
    .await;
    let twilio: ProviderStandIn = answering(
        201,
        |n| json!({"sid": format!("SM{n:032x}"), "status": "queued"}),
    )
    .await;
    let google = GoogleStandIn::start().await;
    google.share(CALENDAR);
    let calendar_base = google.calendar_base_url();
    let seed = seed(data.path(), &receiver.base_url);
    let server = ServeProcess::start(
        Path::new(FRONTDESK),
        data.path(),
        Some(seed.to_str().unwrap()),
        &[
            ("TWILIO_AUTH_TOKEN", TOKEN),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
            ("TWILIO_API_BASE_URL", &twilio.url),
            ("GOOGLE_CALENDAR_BASE_URL", &calendar_base),
            ("RUST_LOG", "warn"),
        ],
    );
    let key = data.path().join("service-account.json");
    std::fs::write(&key, google.key_json()).unwrap();
    ok(&run(
        data.path(),
        &[
            "calendar",
            "connect",
            CLINIC,
            "--service-account",
            key.to_str().unwrap(),
            "--calendar-id",
            CALENDAR,
        ],
        &[("GOOGLE_CALENDAR_BASE_URL", &calendar_base)],
    ));
    let secret = ok(&run(
        data.path(),
        &["business", "webhook-secret", CLINIC],
        &[],
    ));

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
    assert!(offer.contains("/webhook/voice_booking?step=2"), "{offer}");
    // The clinic closes at 13:00 on Fridays and all Saturday: then three alternatives are
    // offered, and 1 books the first, as 1 confirms an offered time.
    let free = offer.contains("יש תור פנוי מחר");
    if free {
        assert!(offer.contains("בשלוש אחר הצהריים"), "{offer}");
        assert!(offer.contains("לאישור הקישו 1"), "{offer}");
    } else {
        assert!(offer.contains("לתור"), "alternatives: {offer}");
        assert!(offer.contains("הקישו 1"), "alternatives: {offer}");
    }

    let (status, done) = simulate(&server, "booking", &["--step", "2", "--digits", "1"]);
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("התור נקבע: בדיקה"), "{done}");
    assert!(done.ends_with("<Hangup/></Response>"), "{done}");

    let listed = || -> Vec<Value> {
        let listed: Value = serde_json::from_str(&ok(&run(
            data.path(),
            &["appointments", "list", CLINIC, "--json"],
            &[],
        )))
        .unwrap();
        listed
            .as_array()
            .unwrap_or_else(|| panic!("a list: {listed}"))
            .clone()
    };
    let list = listed();
    assert_eq!(list.len(), 1, "{list:?}");
    let appointment = &list[0];
    assert_eq!(appointment["channel"], "voice");
    assert_eq!(appointment["phone"], CALLER);
    assert_eq!(appointment["status"], "booked");
    let id = appointment["appointment_id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id: {appointment}"))
        .to_string();
    if free {
        let start: jiff::Timestamp = appointment["start"].as_str().unwrap().parse().unwrap();
        assert_eq!(start, tomorrow_at_three());
    }

    // serve's consumers: the signed event, the calendar's one event, the caller's SMS.
    eventually("appointment.booked delivered", || {
        receiver.requests().len() == 1
    })
    .await;
    let delivered = &receiver.requests()[0];
    verify_with_python(secret.trim(), delivered).unwrap();
    let event: Value = serde_json::from_slice(&delivered.body).unwrap();
    assert_eq!(event["type"], "appointment.booked");
    assert_eq!(event["data"]["appointment_id"], id.as_str(), "{event}");

    eventually("one calendar event", || google.events(CALENDAR).len() == 1).await;
    let events = google.events(CALENDAR);
    assert!(events.contains_key(&id), "{:?}", events.keys());

    eventually("the SMS confirmation", || {
        twilio.received.lock().unwrap().len() == 1
    })
    .await;
    let sms = twilio.received.lock().unwrap()[0].clone();
    let sms = form::parse(&sms.body).unwrap();
    assert_eq!(sms.get("To"), Some(CALLER));
    assert_eq!(sms.get("From"), Some(NUMBER));
    let body = sms.get("Body").unwrap();
    assert!(
        body.starts_with("Demo Dental Clinic: נקבע לך תור לבדיקה"),
        "{body}"
    );

    eventually("both follow-ups recorded", || {
        let list = listed();
        list[0]["calendar"]["state"] == "done" && list[0]["confirmation"]["channel"] == "sms"
    })
    .await;
    assert_eq!(listed()[0]["confirmation"]["status"], "queued");

    // Twilio retrying the confirming turn books nothing more and hears the same answer.
    let (_, again) = simulate(&server, "booking", &["--step", "2", "--digits", "1"]);
    assert_eq!(again, done);
    assert_eq!(listed().len(), 1);

    // A turn with nothing heard is a silent caller; a bad step is refused by the flag.
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
