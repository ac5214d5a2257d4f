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

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::Percentiles;
use frontdesk::booking;
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{Business, CallGoal, PhoneNumber};
use frontdesk::http::{FormParams, InboundRequest};
use frontdesk::voice::VOICE_DEADLINE;
use frontdesk::{App, Route};
use frontdesk_testkit::signing::sign_form;
use frontdesk_testkit::TEST_TOKEN;
use http::{HeaderMap, HeaderValue, Method};
use jiff::tz::TimeZone;
use jiff::Timestamp;

const NUMBER: &str = "+15550001234";
const HOST: &str = "bench.frontdesk.test";

async fn bench_business(app: &App, id: &str) -> Business {
    common::business(app, id, |business| {
        business.phone_numbers = vec![PhoneNumber::parse(NUMBER).unwrap()];
        business.call_goal = CallGoal::Appointment;
    })
    .await
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

/// Sends `request` through the route table; its latency, and whether the answer says `expect`
/// (else it is the voicemail a failed turn falls back to, counted and reported).
async fn turn(app: &App, request: InboundRequest, expect: &str) -> (Duration, bool) {
    let started = Instant::now();
    let response = frontdesk::routes::dispatch(app, request).await;
    let took = started.elapsed();
    assert_eq!(response.status(), 200);
    let body = String::from_utf8_lossy(response.body()).into_owned();
    let answered = body.contains(expect);
    assert!(
        answered || body.contains("<Record "),
        "neither `{expect}` nor the voicemail: {body}"
    );
    (took, answered)
}

/// The latencies of each kind of turn, and how many fell back to the voicemail.
#[derive(Default)]
struct Turns {
    offers: Vec<Duration>,
    books: Vec<Duration>,
    fallbacks: usize,
}

/// `n` calls, each saying a distinct free slot and confirming it.
async fn run(app: &App, business: &Business, n: usize) -> Turns {
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
    let mut turns = Turns::default();
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
        let (took, offered) = turn(app, callback(&sid, 1, &speech), "יש תור פנוי").await;
        turns.offers.push(took);
        if !offered {
            turns.fallbacks += 1;
            continue;
        }
        let (took, booked) = turn(app, callback(&sid, 2, &[("Digits", "1")]), "התור נקבע").await;
        turns.books.push(took);
        turns.fallbacks += usize::from(!booked);
    }
    turns
}

fn report(name: &str, kind: &str, latencies: Vec<Duration>) {
    let p = Percentiles::of(latencies);
    println!(
        "voice turn, {name}, {kind}: {} turns, p50 {:.2} ms, p99 {:.2} ms, mean {:.2} ms, max {:.2} ms (deadline {} ms)",
        p.n,
        p.p50,
        p.p99,
        p.mean,
        p.max,
        VOICE_DEADLINE.as_millis(),
    );
}

fn report_all(name: &str, turns: Turns) {
    let all: Vec<Duration> = turns.offers.iter().chain(&turns.books).copied().collect();
    let total = all.len();
    report(name, "offer", turns.offers);
    report(name, "book", turns.books);
    report(name, "all", all);
    println!(
        "voice turn, {name}: {} of {total} turns answered with the voicemail (a failed turn; the error is logged above)",
        turns.fallbacks
    );
}

fn main() {
    let n = common::runs(200);
    // A failed turn's error line, so a fallback says why.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .with_writer(std::io::stderr)
        .init();
    common::on_both_backends("voice turn", |name, app| async move {
        let business = bench_business(&app, &format!("bench-{}", n)).await;
        report_all(name, run(&app, &business, n).await);
    });
}
