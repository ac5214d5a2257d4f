//! The voice flow on the AWS backends: DynamoDB, SQS and S3 through the real aws-sdk clients,
//! against the moto server the test command starts.

mod voice;

use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::domain::{CallSid, TranscriptionState, VoiceMode};
use frontdesk::worker::reconcile::reconcile;
use frontdesk::App;
use frontdesk_tests::{
    aws_app, aws_app_at, aws_clients, aws_resources, config, moto_endpoint, JobProbe, TestServer,
};

async fn aws() -> TestServer {
    TestServer::start_aws(&[]).await
}

voice_tests!(aws);

/// Nothing listens on the discard port: connections are refused at once.
const UNREACHABLE: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn an_unreachable_dynamodb_still_gets_voicemail_twiml_within_two_seconds() {
    let live = aws_clients(&moto_endpoint()).await;
    let resources = aws_resources(&live).await;
    let app = aws_app_at(UNREACHABLE, &[], &resources).await;
    let server = TestServer::with_app(
        app,
        JobProbe::Sqs {
            client: live.sqs.clone(),
            url: resources.recordings_queue_url.clone(),
        },
    )
    .await;
    let started = Instant::now();
    let response = server
        .post_signed(
            "/webhook/incoming_call",
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
            server.url("/webhook/handle_recording")
        )),
        "{twiml}"
    );
    assert!(elapsed < Duration::from_secs(2), "answered in {elapsed:?}");
}

#[tokio::test]
async fn a_recording_made_while_sqs_is_unreachable_is_sent_by_the_reconciler() {
    let live = aws_clients(&moto_endpoint()).await;
    let resources = aws_resources(&live).await;
    let healthy = aws_app(&[], &resources).await.backends().clone();
    let queue_down = Backends {
        queue: aws_app_at(UNREACHABLE, &[], &resources)
            .await
            .backends()
            .queue
            .clone(),
        ..healthy.clone()
    };
    let probe = JobProbe::Sqs {
        client: live.sqs.clone(),
        url: resources.recordings_queue_url.clone(),
    };
    let server = TestServer::with_app(App::new(config(&[]), queue_down), probe.clone()).await;
    let business = voice::business(&server, VoiceMode::Voicemail, false).await;
    let sid = voice::call_sid();
    let response = server
        .post_signed(
            "/webhook/handle_recording",
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
