//! The call webhooks under fire: DynamoDB refused, slow, failing or reset, SQS and S3 down,
//! while Twilio waits for its answer.

use std::time::{Duration, Instant};

use frontdesk::domain::VoiceMode;
use frontdesk::domain::{CallSid, CallStatus, PhoneNumber, RecordingSid, TranscriptionState};
use frontdesk::worker::reconcile::reconcile;
use frontdesk::Route;
use frontdesk_testkit::faults::Fault;
use frontdesk_testkit::standins::scripted::TRANSCRIPT;
use frontdesk_testkit::unique;
use frontdesk_testkit::workers::Env;

use super::{events, faulty, Faulty};
use crate::voice;

/// Posts an incoming call and checks the voicemail TwiML came within 2 s.
async fn ring(f: &Faulty, to: &str) -> String {
    let started = Instant::now();
    let answer = f
        .server
        .post_signed(
            Route::IncomingCall.path(),
            &[
                ("CallSid", &voice::call_sid()),
                ("From", "+972501234567"),
                ("To", to),
            ],
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status(), 200);
    assert!(elapsed < Duration::from_secs(2), "answered in {elapsed:?}");
    let twiml = answer.text().await.unwrap();
    assert!(twiml.contains("<Record"), "{twiml}");
    twiml
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_refused_slow_failing_or_reset_during_incoming_call_still_answers_voicemail() {
    let f = faulty().await;
    let business = voice::business(&f.server, VoiceMode::Voicemail, true).await;
    let to = business.phone_numbers[0].as_str();
    ring(&f, to).await;
    let faults = [
        Fault::Refuse,
        Fault::Delay(Duration::from_secs(5)),
        Fault::Status(503),
        Fault::Reset,
    ];
    // One number per fault, stored while DynamoDB is up: the business cache (5 s) has not seen
    // any of them, so each call needs the store.
    let mut others = Vec::new();
    for _ in faults {
        others.push(voice::business(&f.server, VoiceMode::Voicemail, false).await);
    }
    for (fault, other) in faults.into_iter().zip(&others) {
        f.dynamodb.set(fault);
        let twiml = ring(&f, other.phone_numbers[0].as_str()).await;
        assert!(
            twiml.contains("<Say"),
            "{fault:?}: the fallback text: {twiml}"
        );
        f.dynamodb.heal();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_down_during_incoming_call_says_the_fallback_instead_of_the_greeting() {
    let f = faulty().await;
    let business = voice::business(&f.server, VoiceMode::Voicemail, true).await;
    f.s3.set(Fault::Refuse);
    let twiml = ring(&f, business.phone_numbers[0].as_str()).await;
    assert!(!twiml.contains("<Play"), "{twiml}");
    assert!(twiml.contains("<Say"), "{twiml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_down_during_handle_recording_loses_nothing_once_it_heals() {
    let f = faulty().await;
    let business = voice::business(&f.server, VoiceMode::Voicemail, false).await;
    let sid = voice::call_sid();
    for fault in [Fault::Refuse, Fault::Status(503)] {
        f.sqs.set(fault);
        let answer = f
            .server
            .post_signed(
                Route::HandleRecording.path(),
                &[
                    ("CallSid", &sid),
                    ("To", business.phone_numbers[0].as_str()),
                    (
                        "RecordingUrl",
                        "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                    ),
                    ("RecordingSid", "RE00000000000000000000000000000001"),
                    ("RecordingDuration", "9"),
                ],
            )
            .await;
        assert_eq!(answer.status(), 200, "{fault:?}");
    }
    let sid = CallSid::parse(&sid).unwrap();
    let store = f.server.app.store();
    let call = store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Pending));
    assert!(f.server.jobs.transcription_jobs().await.is_empty());
    f.sqs.heal();
    let report = reconcile(&f.server.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.sent, 1);
    let jobs = f.server.jobs.transcription_jobs().await;
    assert_eq!(jobs.len(), 1, "the recording's one job");
    assert_eq!(jobs[0].call_sid, sid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_status_callbacks_answers_twilio_without_a_5xx() {
    let f = faulty().await;
    let business = voice::business(&f.server, VoiceMode::Voicemail, false).await;
    ring(&f, business.phone_numbers[0].as_str()).await;
    for fault in [
        Fault::Refuse,
        Fault::Status(503),
        Fault::Delay(Duration::from_secs(5)),
    ] {
        f.dynamodb.set(fault);
        for (route, extra) in [
            (Route::CallStatus, ("CallStatus", "completed")),
            (Route::RecordingStatus, ("RecordingStatus", "completed")),
        ] {
            let started = Instant::now();
            let answer = f
                .server
                .post_signed(
                    route.path(),
                    &[
                        ("CallSid", &voice::call_sid()),
                        ("To", business.phone_numbers[0].as_str()),
                        ("RecordingSid", "RE00000000000000000000000000000002"),
                        extra,
                    ],
                )
                .await;
            let status = answer.status();
            assert!(
                !status.is_server_error(),
                "{fault:?} {}: {status}",
                route.path()
            );
            assert!(started.elapsed() < Duration::from_secs(3), "{fault:?}");
        }
        f.dynamodb.heal();
    }
}

/// The consumers' business, with a number of its own and its receiver for inbound calls.
async fn consumers(f: &Faulty) -> (Env, PhoneNumber) {
    let number = PhoneNumber::parse(&format!("+1555{:07}", unique::number() % 10_000_000)).unwrap();
    let own = number.clone();
    let env = f
        .consumers(move |business, base| {
            business.phone_numbers = vec![own];
            business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
        })
        .await;
    (env, number)
}

async fn post(f: &Faulty, route: Route, params: &[(&str, &str)]) -> reqwest::Response {
    let started = Instant::now();
    let answer = f.server.post_signed(route.path(), params).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "{}: answered in {elapsed:?}",
        route.path()
    );
    assert!(
        !answer.status().is_server_error(),
        "{}: {}",
        route.path(),
        answer.status()
    );
    answer
}

/// A call rings in from the customer to `to`.
async fn call_in(f: &Faulty, sid: &str, to: &str) {
    let params = [("CallSid", sid), ("From", "+972501234567"), ("To", to)];
    post(f, Route::IncomingCall, &params).await;
}

/// The call's final status callback: completed after 31 s.
async fn completed(f: &Faulty, sid: &str, to: &str) -> reqwest::Response {
    let params = [
        ("CallSid", sid),
        ("From", "+972501234567"),
        ("To", to),
        ("CallStatus", "completed"),
        ("CallDuration", "31"),
    ];
    post(f, Route::CallStatus, &params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_or_slow_during_handle_recording_the_job_carries_it_to_its_transcript() {
    let f = faulty().await;
    let (env, number) = consumers(&f).await;
    let to = number.as_str();
    let mut sids = Vec::new();
    for fault in [Fault::Refuse, Fault::Delay(Duration::from_secs(5))] {
        let sid = voice::call_sid();
        call_in(&f, &sid, to).await;
        let recording = RecordingSid::parse(&format!("RE{:032x}", unique::number())).unwrap();
        let url = env.recording_url(&recording);
        f.dynamodb.set(fault);
        let answer = post(
            &f,
            Route::HandleRecording,
            &[
                ("CallSid", &sid),
                ("From", "+972501234567"),
                ("To", to),
                ("RecordingUrl", &url),
                ("RecordingSid", recording.as_str()),
                ("RecordingDuration", "9"),
            ],
        )
        .await;
        assert_eq!(answer.status(), 200, "{fault:?}");
        assert!(answer.text().await.unwrap().contains("<Response"));
        f.dynamodb.heal();
        sids.push(sid);
    }

    f.settle(&env).await;
    for sid in &sids {
        completed(&f, sid, to).await;
    }
    f.settle(&env).await;
    let store = f.server.app.store();
    for sid in &sids {
        let sid = CallSid::parse(sid).unwrap();
        let call = store.call(&sid).await.unwrap().unwrap();
        assert_eq!(call.transcription, Some(TranscriptionState::Ready), "{sid}");
        assert_eq!(call.status, CallStatus::Completed);
        let media = store.call_media(&sid).await.unwrap().unwrap();
        assert_eq!(media.transcript.as_deref(), Some(TRANSCRIPT));
    }
    let events = events(&env);
    assert_eq!(
        events.len(),
        sids.len(),
        "one call.completed per call: {events:?}"
    );
    assert!(events
        .iter()
        .all(|e| e["data"]["transcript"]["text"] == TRANSCRIPT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_call_status_applies_it_once_healed_and_delivers_one_event() {
    let f = faulty().await;
    let (env, number) = consumers(&f).await;
    let to = number.as_str();
    let mut sids = Vec::new();
    for fault in [
        Fault::Refuse,
        Fault::Status(503),
        Fault::Delay(Duration::from_secs(5)),
    ] {
        let sid = voice::call_sid();
        call_in(&f, &sid, to).await;
        f.dynamodb.set(fault);
        for _ in 0..2 {
            // Twilio's own retry of the callback meets the same fault.
            let answer = completed(&f, &sid, to).await;
            assert_eq!(answer.status(), 204, "{fault:?}");
        }
        f.dynamodb.heal();
        sids.push(sid);
    }
    f.settle(&env).await;
    let store = f.server.app.store();
    for sid in &sids {
        let call = store
            .call(&CallSid::parse(sid).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(call.status, CallStatus::Completed, "{sid}");
        assert_eq!(call.duration_seconds, Some(31), "{sid}");
    }
    let mut delivered: Vec<String> = events(&env)
        .iter()
        .map(|e| e["data"]["call_sid"].as_str().unwrap().to_string())
        .collect();
    delivered.sort();
    sids.sort();
    assert_eq!(delivered, sids, "one call.completed per call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_down_during_call_status_parks_the_event_and_the_reconciler_sends_it_once() {
    let f = faulty().await;
    let (env, number) = consumers(&f).await;
    let to = number.as_str();
    let sid = voice::call_sid();
    call_in(&f, &sid, to).await;
    f.sqs.set(Fault::Refuse);
    for _ in 0..2 {
        let answer = completed(&f, &sid, to).await;
        assert_eq!(answer.status(), 204);
    }
    // The reconciler finds the queue still down: the event stays parked.
    let report = reconcile(&f.server.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.unparked, 0);
    f.sqs.heal();
    let report = reconcile(&f.server.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.unparked, 1, "the call.completed, parked once");
    let report = reconcile(&f.server.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.unparked, 0, "and forgotten once sent");
    f.settle(&env).await;
    let events = events(&env);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "call.completed");
    assert_eq!(events[0]["data"]["call_sid"], sid.as_str());
}
