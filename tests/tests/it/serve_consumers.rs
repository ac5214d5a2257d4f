//! `frontdesk serve` runs the transcribe and notify consumers in-process on the embedded
//! queue: a recorded call sent over HTTP ends with its copy, its transcript and a signed
//! `call.completed` at the business's receiver.

use std::sync::Arc;

use frontdesk::blob::folder::FolderBlobs;
use frontdesk::config::Secret;
use frontdesk::config::WorkerSettings;
use frontdesk::domain::{Business, BusinessId, PhoneNumber, TranscriptionState};
use frontdesk::worker::{Consumer, Worker};
use frontdesk::Route;
use frontdesk_cli::consumers::drain_once;
use frontdesk_testkit::standins::scripted::{
    verify_with_python, Answer, Kind, StandIn, ACCOUNT_SID, TRANSCRIBE_KEY, TRANSCRIPT,
};
use frontdesk_testkit::{fixtures, JobProbe, TestServer, TEST_TOKEN};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn serve_consumers_take_a_recorded_call_to_a_signed_call_completed() {
    let server = TestServer::start(&[]).await;
    let JobProbe::Embedded(queue) = server.jobs.clone() else {
        panic!("embedded server");
    };
    let mp3 = fixtures::demo_greeting();
    let ok = [Answer::Status(200)];
    let media = StandIn::start(Kind::Media, &ok, mp3.clone(), TEST_TOKEN).await;
    let transcription = StandIn::start(Kind::Transcription, &ok, mp3.clone(), TEST_TOKEN).await;
    let receiver = StandIn::start(Kind::Receiver, &ok, mp3, TEST_TOKEN).await;

    let mut business = Business::new(BusinessId::parse("serve-consumers").unwrap(), "Acme");
    business.phone_numbers = vec![PhoneNumber::parse("+15550001111").unwrap()];
    business.inbound_webhook_url = Some(format!("{}/crm", receiver.base_url));
    let store = server.app.store();
    store.put_business(&business).await.unwrap();
    store
        .put_webhook_secret(&business.id, &Secret::new(SECRET).unwrap())
        .await
        .unwrap();

    let call_sid = "CA0000000000000000000000000000c0de";
    let recording_sid = "RE0000000000000000000000000000c0de";
    let recording_url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
        media.base_url
    );
    let call = [
        ("CallSid", call_sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", "+972501234567"),
        ("To", "+15550001111"),
        ("Direction", "inbound"),
    ];
    let incoming = server
        .post_signed(
            Route::IncomingCall.path(),
            &[&call[..], &[("CallStatus", "ringing")]].concat(),
        )
        .await;
    assert_eq!(incoming.status(), 200);
    let recorded = server
        .post_signed(
            Route::HandleRecording.path(),
            &[
                &call[..],
                &[
                    ("CallStatus", "in-progress"),
                    ("RecordingUrl", recording_url.as_str()),
                    ("RecordingSid", recording_sid),
                    ("RecordingDuration", "9"),
                ],
            ]
            .concat(),
        )
        .await;
    assert_eq!(recorded.status(), 200);
    let completed = server
        .post_signed(
            Route::CallStatus.path(),
            &[
                &call[..],
                &[("CallStatus", "completed"), ("CallDuration", "20")],
            ]
            .concat(),
        )
        .await;
    assert_eq!(completed.status(), 204);

    // The server's app, with the consumers' settings pointing at the stand-ins.
    let mut config = server.app.config().clone();
    config.twilio.account_sid = Some(ACCOUNT_SID.into());
    config.worker = {
        let base = transcription.base_url.clone();
        WorkerSettings::from_lookup(move |name| match name {
            "TRANSCRIBE_API_BASE" => Some(base.clone()),
            "TRANSCRIBE_API_KEY" => Some(TRANSCRIBE_KEY.into()),
            _ => None,
        })
        .unwrap()
    };
    let app = frontdesk::App::new(config, server.app.backends().clone());
    let blobs = tempfile::tempdir().unwrap();
    let worker = Worker::new(app, Arc::new(FolderBlobs::new(blobs.path().to_path_buf()))).unwrap();
    assert_eq!(drain_once(&worker, &queue, Consumer::Transcribe).await, 1);
    assert_eq!(drain_once(&worker, &queue, Consumer::Notify).await, 2);
    assert_eq!(drain_once(&worker, &queue, Consumer::Notify).await, 0);

    let sid = frontdesk::domain::CallSid::parse(call_sid).unwrap();
    let stored = store.call(&sid).await.unwrap().unwrap();
    assert_eq!(stored.transcription, Some(TranscriptionState::Ready));
    let copy = store.call_media(&sid).await.unwrap().unwrap();
    assert_eq!(copy.transcript.as_deref(), Some(TRANSCRIPT));
    assert!(blobs.path().join(copy.recording_key.unwrap()).is_file());
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "one call.completed");
    verify_with_python(SECRET, &requests[0]).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["type"], "call.completed");
    assert_eq!(event["data"]["transcript"]["text"], TRANSCRIPT);
}
