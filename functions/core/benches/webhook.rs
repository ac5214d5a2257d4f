//! The per-request protocol work of a voice webhook: parse a 20-field Twilio form, validate
//! its X-Twilio-Signature, render the greeting TwiML.
//!
//! `cargo bench -p frontdesk --bench webhook`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use frontdesk::config::Secret;
use frontdesk::http::form;
use frontdesk::twilio::signature::{self, SignedPayload, Validator};
use frontdesk::twilio::twiml::{Method, Pause, Play, Record, RecordingEvent, Say, VoiceResponse};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const URL: &str = "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/incoming_call";

fn incoming_call_body() -> String {
    let pairs: Vec<(String, String)> = [
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "ringing"),
        (
            "CallToken",
            "%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9%22%7D",
        ),
        ("Called", "+97233334444"),
        ("CalledCity", "Tel Aviv"),
        ("CalledCountry", "IL"),
        ("CalledState", ""),
        ("CalledZip", ""),
        ("Caller", "+972501234567"),
        ("CallerCity", ""),
        ("CallerCountry", "IL"),
        ("CallerName", "Dana Levi"),
        ("Direction", "inbound"),
        ("From", "+972501234567"),
        ("FromCountry", "IL"),
        ("To", "+97233334444"),
        ("ToCity", "Tel Aviv"),
        ("ToCountry", "IL"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs.len(), 20);
    form::FormParams::from_pairs(pairs).encode()
}

fn greeting(params: &form::FormParams) -> String {
    let _caller = params.get("From");
    VoiceResponse::new()
        .play(Play::new(
            "https://abc123.execute-api.eu-west-1.amazonaws.com/greetings/acme.mp3",
        ))
        .pause(Pause::seconds(1))
        .record(Record {
            action: Some(
                "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/handle_recording"
                    .into(),
            ),
            method: Some(Method::Post),
            max_length: Some(30),
            timeout: Some(5),
            finish_on_key: Some("*".into()),
            play_beep: Some(true),
            recording_status_callback: Some(
                "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/recording_status"
                    .into(),
            ),
            recording_status_callback_event: vec![
                RecordingEvent::Completed,
                RecordingEvent::Absent,
            ],
            ..Record::default()
        })
        .say(Say::new("לא התקבלה הודעה. להתראות.").language("he-IL"))
        .hangup()
        .to_xml()
}

fn bench(c: &mut Criterion) {
    let body = incoming_call_body();
    let params = form::parse(body.as_bytes()).unwrap();
    let header = signature::compute(TOKEN, URL, params.pairs());
    let validator = Validator::new(Secret::new(TOKEN), None);

    c.bench_function(
        "webhook: parse 20-field form + validate signature + greeting TwiML",
        |b| {
            b.iter(|| {
                let params = form::parse(black_box(body.as_bytes())).unwrap();
                validator
                    .validate(
                        black_box(URL),
                        SignedPayload::Form(params.pairs()),
                        Some(black_box(&header)),
                    )
                    .unwrap();
                black_box(greeting(&params))
            })
        },
    );
    c.bench_function("parse 20-field form", |b| {
        b.iter(|| form::parse(black_box(body.as_bytes())).unwrap())
    });
    c.bench_function("validate signature", |b| {
        b.iter(|| {
            validator
                .validate(
                    black_box(URL),
                    SignedPayload::Form(params.pairs()),
                    Some(black_box(&header)),
                )
                .unwrap()
        })
    });
    c.bench_function("render greeting TwiML", |b| {
        b.iter(|| greeting(black_box(&params)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
