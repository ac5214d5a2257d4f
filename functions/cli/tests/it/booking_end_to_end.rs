//! Booking end to end, as an operator and a customer meet it: the business set up with the real
//! `frontdesk` binary (business, webhook secret, booking settings, API key), the real
//! `frontdesk serve` running its consumers, and a customer's Hebrew WhatsApp conversation sent as
//! signed Twilio webhooks by `frontdesk simulate`. The appointment is booked, moved and
//! cancelled; the business's receiver gets each change as a signed event (checked by an
//! independent implementation); the API and the CLI list the same appointment at every step.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use bytes::Bytes;
use frontdesk::http::form;
use frontdesk_testkit::serve::ServeProcess;
use frontdesk_testkit::standins::provider::{answering, ProviderStandIn};
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer, Kind, StandIn};
use serde_json::{json, Value};

use super::FRONTDESK;

const TOKEN: &str = "e2e-auth-token-0123456789abcdef";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const NUMBER: &str = "+15550007777";
const CUSTOMER: &str = "+972501234567";

/// Open every day, so "tomorrow" has free slots whenever the test runs.
const SETTINGS: &str = r#"{"timezone": "Asia/Jerusalem",
  "hours": {"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
            "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]],
            "sat": [["09:00","17:00"]]},
  "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}],
  "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}"#;

struct World {
    data: tempfile::TempDir,
    twilio: ProviderStandIn,
    receiver: StandIn,
    secret: String,
    api_key: String,
    server: ServeProcess,
}

impl World {
    async fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let receiver =
            StandIn::start(Kind::Receiver, &[Answer::Status(200)], Bytes::new(), TOKEN).await;
        let twilio = answering(
            201,
            |n| json!({"sid": format!("SM{n:032x}"), "status": "queued"}),
        )
        .await;
        let cli = |args: &[&str]| run(data.path(), args);
        ok(&cli(&[
            "business",
            "create",
            "e2e",
            "--name",
            "Clinic",
            "--number",
            NUMBER,
            "--webhook-url",
            &format!("{}/hooks", receiver.base_url),
            "--calendar",
            "true",
        ]));
        let secret = stdout(&cli(&["business", "webhook-secret", "e2e"]));
        let settings = data.path().join("booking.json");
        std::fs::write(&settings, SETTINGS).unwrap();
        ok(&cli(&[
            "booking",
            "set",
            "e2e",
            "--file",
            settings.to_str().unwrap(),
        ]));
        let api_key = stdout(&cli(&["business", "api-key", "e2e"]));
        let server = ServeProcess::start(
            Path::new(FRONTDESK),
            data.path(),
            None,
            &[
                ("TWILIO_AUTH_TOKEN", TOKEN),
                ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
                ("TWILIO_API_BASE_URL", &twilio.url),
                ("RUST_LOG", "warn"),
            ],
        );
        Self {
            data,
            twilio,
            receiver,
            secret: secret.trim().to_string(),
            api_key: api_key.trim().to_string(),
            server,
        }
    }

    /// The customer writes `text` over WhatsApp; returns the one reply Twilio was asked to send.
    fn says(&self, text: &str) -> String {
        let before = self.twilio.received.lock().unwrap().len();
        let output = Command::new(FRONTDESK)
            .args(["simulate", "whatsapp", "--base", &self.server.base])
            .args(["--from", CUSTOMER, "--to", NUMBER, "--body", text])
            .env_clear()
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .output()
            .unwrap();
        ok(&output);
        let sent = self.twilio.received.lock().unwrap().clone();
        assert_eq!(sent.len(), before + 1, "one reply to `{text}`");
        let reply = form::parse(&sent[before].body).unwrap();
        reply.get("Body").unwrap().to_string()
    }

    /// `frontdesk appointments list e2e --json`: (id, start, status) of each.
    fn cli_list(&self) -> Vec<(String, String, String)> {
        let listed: Value = serde_json::from_str(&stdout(&run(
            self.data.path(),
            &["appointments", "list", "e2e", "--json"],
        )))
        .unwrap();
        rows(&listed)
    }

    /// `GET /api/appointments` with the business's key: (id, start, status) of each.
    async fn api_list(&self) -> Vec<(String, String, String)> {
        let response = frontdesk_testkit::http_client()
            .get(format!("{}/api/appointments", self.server.base))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        rows(&response.json::<Value>().await.unwrap())
    }

    /// Waits for the receiver to hold `n` events; returns their `type`s, each signature checked.
    async fn events(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.receiver.requests().len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let requests = self.receiver.requests();
        assert_eq!(requests.len(), n, "events delivered");
        requests
            .iter()
            .map(|request| {
                verify_with_python(&self.secret, request).unwrap();
                let event: Value = serde_json::from_slice(&request.body).unwrap();
                event["type"].as_str().unwrap().to_string()
            })
            .collect()
    }
}

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .env("FRONTDESK_DATA_DIR", data)
        .output()
        .unwrap()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn stdout(output: &Output) -> String {
    ok(output);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// (id, start instant, status) of every appointment in a listing, whatever its offset.
fn rows(listing: &Value) -> Vec<(String, String, String)> {
    let list = listing
        .get("appointments")
        .unwrap_or(listing)
        .as_array()
        .unwrap_or_else(|| panic!("a list of appointments: {listing}"));
    let mut rows: Vec<_> = list
        .iter()
        .map(|a| {
            let start: jiff::Timestamp = a["start"].as_str().unwrap().parse().unwrap();
            (
                a["id"]
                    .as_str()
                    .or(a["appointment_id"].as_str())
                    .unwrap()
                    .to_string(),
                start.to_string(),
                a["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hebrew_whatsapp_booking_is_moved_and_cancelled_and_every_channel_agrees() {
    let world = World::start().await;

    let offer = world.says("אפשר תור למחר?");
    assert!(offer.contains("1.") && offer.contains("3."), "{offer}");
    let booked = world.says("2");
    assert!(booked.contains("התור נקבע"), "{booked}");
    let api = world.api_list().await;
    assert_eq!(api.len(), 1, "{api:?}");
    assert_eq!(api[0].2, "booked");
    assert_eq!(world.cli_list(), api, "the CLI lists what the API lists");

    let options = world.says("שינוי");
    assert!(options.contains("1."), "{options}");
    let moved = world.says("1");
    assert!(!moved.is_empty());
    let after_move = world.api_list().await;
    assert_eq!(after_move.len(), 1, "{after_move:?}");
    assert_eq!(after_move[0].0, api[0].0, "the same appointment, moved");
    assert_ne!(after_move[0].1, api[0].1, "to another time");
    assert_eq!(world.cli_list(), after_move);

    let cancelled = world.says("ביטול");
    assert!(cancelled.contains("בוטל"), "{cancelled}");
    assert_eq!(
        world.events(3).await,
        [
            "appointment.booked",
            "appointment.rescheduled",
            "appointment.cancelled"
        ]
    );
    let listed = world.api_list().await;
    assert!(
        listed.iter().all(|(_, _, status)| status == "cancelled"),
        "{listed:?}"
    );
    assert_eq!(world.cli_list(), listed);
}
