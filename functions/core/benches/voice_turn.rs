//! A booking-by-phone turn's latency, the way Twilio meets it: a signed `<Gather>` callback
//! dispatched through the route table to `POST /webhook/voice_booking` (signature, the
//! business by number, the call's conversation read and written by compare-and-set, the
//! engine, the TwiML), on SQLite, and on DynamoDB/SQS through a local moto server when one is
//! running. Each call says a distinct free day and time ("offer": checked and offered back in
//! words), then presses 1 ("book": the booking's transaction and its event too). Prints p50,
//! p99 and the max of each kind against the voice deadline.
//!
//! `cargo bench -p frontdesk --bench voice_turn [-- N]` (N calls per backend, default 200).
//! With moto: `./infra/bench.sh voice` starts it and passes `FRONTDESK_TEST_AWS_ENDPOINT`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking;
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use frontdesk::domain::{Business, BusinessId, CallGoal, PhoneNumber};
use frontdesk::http::{FormParams, InboundRequest};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::voice::VOICE_DEADLINE;
use frontdesk::{App, Route};
use frontdesk_testkit::config::config;
use frontdesk_testkit::signing::sign_form;
use frontdesk_testkit::TEST_TOKEN;
use http::{HeaderMap, HeaderValue, Method};
use jiff::tz::TimeZone;
use jiff::Timestamp;

const NUMBER: &str = "+15550001234";
const HOST: &str = "bench.frontdesk.test";

/// Open every day from 08:00 to 20:00, 15-minute slots of a 15-minute service: enough distinct
/// slots in 60 days for any run.
fn settings() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem",
            "hours": {"sun": [["08:00","20:00"]], "mon": [["08:00","20:00"]], "tue": [["08:00","20:00"]],
                      "wed": [["08:00","20:00"]], "thu": [["08:00","20:00"]], "fri": [["08:00","20:00"]],
                      "sat": [["08:00","20:00"]]},
            "services": [{"id": "visit", "name_he": "ביקור", "name_en": "Visit", "duration_minutes": 15}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 60, "capacity": 1}"#,
    )
    .unwrap()
}

async fn bench_business(app: &App, id: &str) -> Business {
    let mut business = Business::new(BusinessId::parse(id).unwrap(), "Bench");
    business.phone_numbers = vec![PhoneNumber::parse(NUMBER).unwrap()];
    business.call_goal = CallGoal::Appointment;
    business.booking = Some(settings());
    app.store().put_business(&business).await.unwrap();
    business
}

/// One signed callback of call `sid` at `step`, with what the caller said or pressed.
fn callback(sid: &str, step: u32, heard: &[(&str, &str)]) -> InboundRequest {
    let mut pairs = vec![
        ("CallSid", sid),
        ("AccountSid", "AC123"),
        ("From", "+972501234567"),
        ("To", NUMBER),
        ("CallStatus", "in-progress"),
        ("Direction", "inbound"),
    ];
    pairs.extend_from_slice(heard);
    let form = FormParams::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    let path = format!("{}?step={step}", Route::VoiceBooking.path());
    let signature = sign_form(TEST_TOKEN, &format!("http://{HOST}{path}"), &form);
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers.insert("x-twilio-signature", signature.parse().unwrap());
    InboundRequest::local(
        Method::POST,
        &path,
        headers,
        Bytes::from(form.encode()),
        format!("bench-{sid}-{step}"),
    )
}

/// Sends `request` through the route table; its latency, checking the answer says `expect`.
async fn turn(app: &App, request: InboundRequest, expect: &str) -> Duration {
    let started = Instant::now();
    let response = frontdesk::routes::dispatch(app, request).await;
    let took = started.elapsed();
    assert_eq!(response.status(), 200);
    let body = String::from_utf8_lossy(response.body()).into_owned();
    assert!(body.contains(expect), "{expect}: {body}");
    took
}

/// `n` calls, each saying a distinct free slot and confirming it: (offer, book) latencies.
async fn run(app: &App, business: &Business, n: usize) -> (Vec<Duration>, Vec<Duration>) {
    let zone = TimeZone::get("Asia/Jerusalem").unwrap();
    let now = Timestamp::now();
    let service = ServiceId::parse("visit").unwrap();
    let today = now.to_zoned(zone.clone()).date();
    let slots = booking::availability(app, business, &service, today, 60, now)
        .await
        .unwrap();
    // Tomorrow on: a slot today may pass while the run goes on.
    let slots: Vec<_> = slots
        .into_iter()
        .filter(|s| zone.to_datetime(s.start).date() > today)
        .take(n)
        .collect();
    assert_eq!(slots.len(), n, "enough free slots");
    let (mut offers, mut books) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (i, slot) in slots.iter().enumerate() {
        let sid = format!("CA{:032x}", i + 1);
        let local = zone.to_datetime(slot.start);
        let said = format!(
            "{}/{}/{} ב-{:02}:{:02}",
            local.day(),
            local.month(),
            local.year(),
            local.hour(),
            local.minute()
        );
        let speech = [("SpeechResult", said.as_str()), ("Confidence", "0.9")];
        offers.push(turn(app, callback(&sid, 1, &speech), "יש תור פנוי").await);
        books.push(turn(app, callback(&sid, 2, &[("Digits", "1")]), "התור נקבע").await);
    }
    (offers, books)
}

fn report(name: &str, kind: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    let max = *latencies.last().unwrap();
    println!(
        "voice turn, {name}, {kind}: {} turns, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (deadline {} ms)",
        latencies.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        VOICE_DEADLINE.as_millis(),
    );
}

fn report_all(name: &str, (offers, books): (Vec<Duration>, Vec<Duration>)) {
    let all: Vec<Duration> = offers.iter().chain(&books).copied().collect();
    report(name, "offer", offers);
    report(name, "book", books);
    report(name, "all", all);
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: Arc::new(EmbeddedQueue::open(&db).unwrap()),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        let app = App::new(config(&[]), backends);
        let business = bench_business(&app, "bench-sqlite").await;
        report_all("SQLite (embedded)", run(&app, &business, n).await);

        match std::env::var("FRONTDESK_TEST_AWS_ENDPOINT") {
            Ok(_) => {
                let stack = frontdesk_testkit::Stack::new().await;
                let app = stack.app(&[]).await;
                let business = bench_business(&app, "bench-moto").await;
                report_all("DynamoDB + SQS on moto", run(&app, &business, n).await);
            }
            Err(_) => println!(
                "voice turn, moto: skipped (FRONTDESK_TEST_AWS_ENDPOINT unset; ./infra/bench.sh voice starts moto)"
            ),
        }
    });
}
