//! The voice flow on the embedded default (SQLite, SQLite queue, folder).

use std::sync::Arc;

use async_trait::async_trait;
use frontdesk::app::Backends;
use frontdesk::queue::{OutboundMessage, Queue, QueueError};
use frontdesk::worker::reconcile::reconcile;
use frontdesk::{App, Route};
use frontdesk_testkit::TestServer;

use crate::voice;

async fn embedded() -> TestServer {
    TestServer::start(&[]).await
}

crate::voice_tests!(embedded);

/// A queue that is down.
struct DownQueue;

#[async_trait]
impl Queue for DownQueue {
    async fn send(&self, _message: &OutboundMessage) -> Result<(), QueueError> {
        Err(QueueError("connection refused".into()))
    }
}

#[tokio::test]
async fn a_recording_made_while_the_queue_is_down_is_sent_by_the_reconciler() {
    let healthy = TestServer::start(&[]).await;
    let down = App::new(
        frontdesk_testkit::config::config(&[]),
        Backends {
            store: healthy.app.backends().store.clone(),
            queue: Arc::new(DownQueue),
            greetings: healthy.app.backends().greetings.clone(),
        },
    );
    let server = TestServer::with_app(down, healthy.jobs.clone()).await;
    let business = voice::business(&server, frontdesk::domain::VoiceMode::Voicemail, false).await;
    let sid = voice::call_sid();
    let response = server
        .post_signed(
            Route::HandleRecording.path(),
            &[
                ("CallSid", &sid),
                ("To", business.phone_numbers[0].as_str()),
                (
                    "RecordingUrl",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE777",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "TwiML still returned");
    assert!(response.text().await.unwrap().contains("<Hangup/>"));
    let call_sid = frontdesk::domain::CallSid::parse(&sid).unwrap();
    let call = server.app.store().call(&call_sid).await.unwrap().unwrap();
    assert_eq!(
        call.transcription,
        Some(frontdesk::domain::TranscriptionState::Pending)
    );
    assert!(healthy.jobs.transcription_jobs().await.is_empty());

    let report = reconcile(&healthy.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.sent, 1);
    let jobs = healthy.jobs.transcription_jobs().await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].call_sid, call_sid);
    let call = healthy.app.store().call(&call_sid).await.unwrap().unwrap();
    assert_eq!(
        call.transcription,
        Some(frontdesk::domain::TranscriptionState::Queued)
    );
}
