//! The fault matrix on the real AWS adapters: a fault-injecting proxy (`testkit::faults`) in
//! front of each of moto's services for this server — DynamoDB, SQS and S3 each behind their
//! own — and for each case what the README promises: valid TwiML within 2 s, the right status
//! class, and after the fault heals nothing lost and nothing done twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::domain::{CallSid, TranscriptionState, VoiceMode};
use frontdesk::lambda::aws::{s3_client, AwsClients};
use frontdesk::queue::sqs::SqsQueue;
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::worker::reconcile::reconcile;
use frontdesk::{App, Route};
use frontdesk_testkit::config::config;
use frontdesk_testkit::faults::{Fault, FaultProxy};
use frontdesk_testkit::{aws, Stack, TestServer};

use crate::voice;

/// A server on a fresh stack whose DynamoDB, SQS and S3 traffic each pass their own proxy.
struct Faulty {
    server: TestServer,
    dynamodb: FaultProxy,
    sqs: FaultProxy,
    s3: FaultProxy,
}

async fn faulty() -> Faulty {
    let stack = Stack::new().await;
    let endpoint = aws::endpoint();
    let (dynamodb, sqs, s3) = (
        FaultProxy::start(&endpoint).await,
        FaultProxy::start(&endpoint).await,
        FaultProxy::start(&endpoint).await,
    );
    // The Lambda's own SDK configuration (timeouts, retries), one endpoint per service.
    let (to_dynamodb, to_sqs, to_s3) = (
        aws::sdk(&dynamodb.url).await,
        aws::sdk(&sqs.url).await,
        aws::sdk(&s3.url).await,
    );
    let backends = Backends {
        store: Arc::new(DynamoStore::new(
            AwsClients::from_config(&to_dynamodb).dynamodb,
            stack.resources.table.clone(),
        )),
        queue: Arc::new(SqsQueue::new(
            AwsClients::from_config(&to_sqs).sqs,
            stack.queue_urls(),
        )),
        greetings: Arc::new(S3Blobs::new(
            s3_client(&to_s3, true),
            stack.resources.greetings_bucket.clone(),
        )),
    };
    let server = TestServer::with_app(App::new(config(&[]), backends), stack.probe()).await;
    Faulty {
        server,
        dynamodb,
        sqs,
        s3,
    }
}

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
