//! The voice flow on the AWS backends: DynamoDB, SQS and S3 through the real aws-sdk clients,
//! against the moto server the test command starts.

use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::domain::{CallSid, TranscriptionState, VoiceMode};
use frontdesk::worker::reconcile::reconcile;
use frontdesk::{App, Route};
use frontdesk_testkit::config::config;
use frontdesk_testkit::{aws, Stack, TestServer};

use crate::voice;

async fn aws() -> TestServer {
    TestServer::start_aws(&[]).await
}

crate::voice_tests!(aws);

/// Nothing listens on the discard port: connections are refused at once.
const UNREACHABLE: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn an_unreachable_dynamodb_still_gets_voicemail_twiml_within_two_seconds() {
    let live = Stack::new().await;
    let app = aws::app_at(UNREACHABLE, &[], &live.resources).await;
    let server = TestServer::with_app(app, live.probe()).await;
    let started = Instant::now();
    let response = server
        .post_signed(
            Route::IncomingCall.path(),
            &[
                ("CallSid", &voice::call_sid()),
                ("From", "+972501234567"),
                ("To", "+97233334444"),
            ],
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    let twiml = response.text().await.unwrap();
    assert!(
        twiml.contains("<Say language=\"he-IL\">שלום, השאירו הודעה אחרי הצפצוף.</Say>"),
        "{twiml}"
    );
    assert!(
        twiml.contains(&format!(
            "<Record action=\"{}\"",
            server.url(Route::HandleRecording.path())
        )),
        "{twiml}"
    );
    assert!(elapsed < Duration::from_secs(2), "answered in {elapsed:?}");
}

#[tokio::test]
async fn a_recording_made_while_sqs_is_unreachable_is_sent_by_the_reconciler() {
    let live = Stack::new().await;
    let healthy = live.app(&[]).await.backends().clone();
    let queue_down = Backends {
        queue: aws::app_at(UNREACHABLE, &[], &live.resources)
            .await
            .backends()
            .queue
            .clone(),
        ..healthy.clone()
    };
    let probe = live.probe();
    let server = TestServer::with_app(App::new(config(&[]), queue_down), probe.clone()).await;
    let business = voice::business(&server, VoiceMode::Voicemail, false).await;
    let sid = voice::call_sid();
    let response = server
        .post_signed(
            Route::HandleRecording.path(),
            &[
                ("CallSid", &sid),
                ("To", business.phone_numbers[0].as_str()),
                (
                    "RecordingUrl",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE778",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "TwiML still returned");
    let call_sid = CallSid::parse(&sid).unwrap();
    let app = App::new(config(&[]), healthy);
    assert_eq!(
        app.store()
            .call(&call_sid)
            .await
            .unwrap()
            .unwrap()
            .transcription,
        Some(TranscriptionState::Pending)
    );
    assert!(probe.transcription_jobs().await.is_empty());

    let report = reconcile(&app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.sent, 1);
    let jobs = probe.transcription_jobs().await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].call_sid, call_sid);
    assert_eq!(
        app.store()
            .call(&call_sid)
            .await
            .unwrap()
            .unwrap()
            .transcription,
        Some(TranscriptionState::Queued)
    );
}
