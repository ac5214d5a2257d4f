//! The transcription and notify consumers on the embedded backends, with every fault of the
//! issue: Twilio 401 and 404, transcription 500 and timeout, redelivered jobs, receivers
//! answering 500 or 410, and note 002's outbound routing.

mod workers;

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::DeliveryState;
use frontdesk::domain::{Business, Direction, TranscriptionState};
use frontdesk::jobs::{NotifyJob, Trigger};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::Disposition;
use frontdesk::queue::QueueName;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::{transcribe, Consumer};
use time::OffsetDateTime;
use workers::standins::{verify_with_python, Answer, TRANSCRIPT};
use workers::{Env, Scripts, LATER, WEBHOOK_SECRET};

struct Local {
    env: Env,
    queue: Arc<EmbeddedQueue>,
    _dir: tempfile::TempDir,
}

async fn local(scripts: Scripts, urls: impl FnOnce(&mut Business, &str)) -> Local {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontdesk.sqlite3");
    let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
    let blobs = Arc::new(FolderBlobs::new(dir.path().join("blobs")));
    let backends = Backends {
        store: Arc::new(SqliteStore::open(&db).unwrap()),
        queue: queue.clone(),
        greetings: blobs.clone(),
    };
    let env = Env::start(backends, blobs, scripts, urls).await;
    Local {
        env,
        queue,
        _dir: dir,
    }
}

fn inbound_only(business: &mut Business, base: &str) {
    business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
}

impl Local {
    /// Receives and processes every visible message of `consumer`'s queue at `now`, settling
    /// each as the Lambda adapter would; returns the dispositions.
    async fn pump(&self, consumer: Consumer, now: OffsetDateTime) -> Vec<Disposition> {
        let received = self
            .queue
            .receive(
                consumer.queue(),
                10,
                std::time::Duration::from_secs(300),
                now,
            )
            .unwrap();
        let mut dispositions = Vec::new();
        for message in received {
            let disposition = consumer.process(&self.env.worker, &message).await;
            self.queue
                .settle(&message, disposition, consumer.max_receives(), now)
                .unwrap();
            dispositions.push(disposition);
        }
        dispositions
    }
}

#[tokio::test]
async fn a_recorded_call_ends_with_copy_transcript_and_one_signed_event() {
    let l = local(Scripts::default(), inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let now = OffsetDateTime::now_utc();

    assert_eq!(l.pump(Consumer::Transcribe, now).await, [Disposition::Done]);
    let store = l.env.app().store();
    let call = store.call(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
    let media = store.call_media(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(media.transcript.as_deref(), Some(TRANSCRIPT));
    assert_eq!(media.language.as_deref(), Some("he"));
    let key = media.recording_key.unwrap();
    assert_eq!(
        key,
        format!(
            "recordings/{}/{}/{}.mp3",
            l.env.business.id, job.call_sid, job.recording_sid
        )
    );
    let copy = l.env.worker.recordings.get(&key).await.unwrap().unwrap();
    assert_eq!(copy.body, workers::mp3());
    assert_eq!(copy.meta.content_type, "audio/mpeg");
    assert!(
        store
            .transcription_backlog(now + time::Duration::hours(1), 1000)
            .await
            .unwrap()
            .iter()
            .all(|c| c.sid != job.call_sid),
        "a finished call leaves the backlog"
    );

    // The status-triggered event waits for the transcript; the transcript's is delivered.
    let delivered = l.pump(Consumer::Notify, now).await;
    assert!(delivered.iter().all(|d| *d == Disposition::Done));
    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1, "one event");
    let request = &requests[0];
    assert_eq!(request.path, "/hooks/inbound");
    verify_with_python(WEBHOOK_SECRET, request).expect("the signature verifies");
    let event: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(event["type"], "call.completed");
    let data = &event["data"];
    assert_eq!(data["call_sid"], job.call_sid.as_str());
    assert_eq!(data["direction"], "inbound");
    assert_eq!(data["from"], "+972501234567");
    assert_eq!(data["status"], "completed");
    assert_eq!(data["duration_seconds"], 40);
    assert_eq!(data["transcript"]["status"], "ready");
    assert_eq!(data["transcript"]["text"], TRANSCRIPT);
    assert!(data["recording"]["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{}.mp3", job.recording_sid)));
    assert_eq!(
        request.headers["webhook-id"],
        format!("evt_{}_completed", job.call_sid)
    );

    let log = store
        .delivery(&job.call_sid, &format!("evt_{}_completed", job.call_sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.route, "inbound_webhook_url");
    assert_eq!(log.attempts.len(), 1);
    assert_eq!(log.attempts[0].status_code, Some(200));
}

#[tokio::test]
async fn a_recording_refused_with_401_fails_without_retry() {
    let scripts = Scripts {
        media: vec![Answer::Status(401)],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let body = serde_json::to_string(&job).unwrap();
    assert_eq!(
        l.env.process(Consumer::Transcribe, &body, 1).await,
        Disposition::Done
    );
    assert_eq!(l.env.media.hits(), 1);
    assert_eq!(l.env.transcription.hits(), 0);
    let call = l
        .env
        .app()
        .store()
        .call(&job.call_sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Failed));
    let reason = l
        .env
        .app()
        .store()
        .call_media(&job.call_sid)
        .await
        .unwrap()
        .unwrap()
        .reason
        .unwrap();
    assert!(
        reason.contains("refused the recording download (401)"),
        "{reason}"
    );
    // Redelivered: nothing is fetched again.
    assert_eq!(
        l.env.process(Consumer::Transcribe, &body, 2).await,
        Disposition::Done
    );
    assert_eq!(l.env.media.hits(), 1);
}

#[tokio::test]
async fn a_recording_not_ready_404_then_200_is_transcribed_after_a_retry() {
    let scripts = Scripts {
        media: vec![Answer::Status(404), Answer::Status(200)],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        l.pump(Consumer::Transcribe, now).await,
        [Disposition::Retry {
            after: transcribe::FIRST_BACKOFF
        }]
    );
    assert!(
        l.pump(Consumer::Transcribe, now).await.is_empty(),
        "hidden until its backoff passes"
    );
    assert_eq!(
        l.pump(Consumer::Transcribe, now + LATER).await,
        [Disposition::Done]
    );
    assert_eq!(l.env.media.hits(), 2);
    let call = l
        .env
        .app()
        .store()
        .call(&job.call_sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
}

#[tokio::test]
async fn a_failing_transcription_api_is_retried_then_dead_lettered_and_marked_failed() {
    let mut transcription = vec![Answer::Stall(std::time::Duration::from_secs(3))];
    transcription.push(Answer::Status(500));
    let scripts = Scripts {
        transcription,
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let mut now = OffsetDateTime::now_utc();
    for receive in 1..=transcribe::MAX_RECEIVES {
        let dispositions = l.pump(Consumer::Transcribe, now).await;
        assert_eq!(dispositions.len(), 1, "receive {receive}");
        assert!(matches!(dispositions[0], Disposition::Retry { .. }));
        let call = l
            .env
            .app()
            .store()
            .call(&job.call_sid)
            .await
            .unwrap()
            .unwrap();
        let expected = if receive < transcribe::MAX_RECEIVES {
            TranscriptionState::Queued
        } else {
            TranscriptionState::Failed
        };
        assert_eq!(call.transcription, Some(expected), "receive {receive}");
        now += LATER;
    }
    assert!(l.pump(Consumer::Transcribe, now).await.is_empty());
    assert_eq!(
        l.queue.dead_letters(QueueName::Recordings).unwrap().len(),
        1
    );
    assert_eq!(
        l.env.transcription.hits(),
        transcribe::MAX_RECEIVES as usize
    );
    assert_eq!(l.env.media.hits(), 1, "the copy is downloaded once");
    let media = l
        .env
        .app()
        .store()
        .call_media(&job.call_sid)
        .await
        .unwrap()
        .unwrap();
    assert!(media.recording_key.is_some(), "the copy is kept");
    let reason = media.reason.unwrap();
    assert!(
        reason.starts_with("gave up after 5 attempts: transcription API answered 500"),
        "{reason}"
    );
    // The business still hears about the call.
    l.pump(Consumer::Notify, now).await;
    let event: serde_json::Value =
        serde_json::from_slice(&l.env.receiver.requests()[0].body).unwrap();
    assert_eq!(event["data"]["transcript"]["status"], "failed");
}

#[tokio::test]
async fn the_same_job_twice_makes_one_transcript_and_one_event() {
    let l = local(Scripts::default(), inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let body = serde_json::to_string(&job).unwrap();
    assert_eq!(
        l.env.process(Consumer::Transcribe, &body, 1).await,
        Disposition::Done
    );
    assert_eq!(
        l.env.process(Consumer::Transcribe, &body, 1).await,
        Disposition::Done
    );
    assert_eq!(l.env.transcription.hits(), 1);
    assert_eq!(l.env.media.hits(), 1);
    let event =
        NotifyJob::call_completed(job.call_sid.clone(), None, Trigger::Transcription).message();
    for _ in 0..2 {
        assert_eq!(
            l.env.process(Consumer::Notify, &event.body, 1).await,
            Disposition::Done
        );
    }
    assert_eq!(l.env.receiver.hits(), 1);
}

#[tokio::test]
async fn a_receiver_answering_500_500_200_gets_the_event_once_after_three_logged_attempts() {
    let scripts = Scripts {
        receiver: vec![
            Answer::Status(500),
            Answer::Status(500),
            Answer::Status(200),
        ],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let mut now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.extend(l.pump(Consumer::Notify, now).await);
        now += LATER;
    }
    assert_eq!(outcomes.len(), 3, "one event, retried twice: {outcomes:?}");
    assert_eq!(l.env.receiver.hits(), 3);
    let log = l
        .env
        .app()
        .store()
        .delivery(&job.call_sid, &format!("evt_{}_completed", job.call_sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    let codes: Vec<_> = log.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)]);
    let ids: Vec<_> = l
        .env
        .receiver
        .requests()
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one webhook-id: {ids:?}"
    );
}

#[tokio::test]
async fn a_receiver_answering_410_is_not_retried() {
    let scripts = Scripts {
        receiver: vec![Answer::Status(410)],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let event =
        NotifyJob::call_completed(job.call_sid.clone(), None, Trigger::Transcription).message();
    l.env
        .process(
            Consumer::Transcribe,
            &serde_json::to_string(&job).unwrap(),
            1,
        )
        .await;
    assert_eq!(
        l.env.process(Consumer::Notify, &event.body, 1).await,
        Disposition::Done
    );
    assert_eq!(
        l.env.process(Consumer::Notify, &event.body, 2).await,
        Disposition::Done
    );
    assert_eq!(l.env.receiver.hits(), 1);
    let log = l
        .env
        .app()
        .store()
        .delivery(&job.call_sid, &format!("evt_{}_completed", job.call_sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Failed);
    assert_eq!(log.attempts.len(), 1);
}

/// Note 002's bug: outbound calls never reached the business when only the generic URL was set.
#[tokio::test]
async fn an_outbound_call_with_only_the_generic_url_is_delivered_to_the_generic_url() {
    let l = local(Scripts::default(), |business, base| {
        business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
        business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
    })
    .await;
    let job = l.env.recorded_call(Direction::OutboundApi).await;
    let now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    l.pump(Consumer::Notify, now).await;
    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/hooks/generic");
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["data"]["direction"], "outbound-api");
    let log = l
        .env
        .app()
        .store()
        .delivery(&job.call_sid, &format!("evt_{}_completed", job.call_sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        log.route,
        "generic_webhook_url (fallback: outbound_webhook_url not set)"
    );
}

#[tokio::test]
async fn an_event_with_no_url_is_recorded_as_skipped() {
    let l = local(Scripts::default(), inbound_only).await;
    let job = l.env.recorded_call(Direction::OutboundDial).await;
    let now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    l.pump(Consumer::Notify, now).await;
    assert_eq!(l.env.receiver.hits(), 0);
    let log = l
        .env
        .app()
        .store()
        .delivery(&job.call_sid, &format!("evt_{}_completed", job.call_sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Skipped);
    assert_eq!(log.route, "no outbound/generic webhook URL set");
}

#[tokio::test]
async fn transcription_off_keeps_the_copy_and_sends_no_audio_out() {
    let l = local(Scripts::default(), inbound_only).await;
    let mut business = l.env.business.clone();
    business.transcription_enabled = false;
    l.env.app().store().put_business(&business).await.unwrap();
    // A job queued before the business turned transcription off (consent withdrawn) ends as
    // skipped without its audio reaching the transcription API.
    let job = l.env.recorded_call(Direction::Inbound).await;
    l.env
        .process(
            Consumer::Transcribe,
            &serde_json::to_string(&job).unwrap(),
            1,
        )
        .await;
    assert_eq!(l.env.transcription.hits(), 0);
    let call = l
        .env
        .app()
        .store()
        .call(&job.call_sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Skipped));
    let media = l
        .env
        .app()
        .store()
        .call_media(&job.call_sid)
        .await
        .unwrap()
        .unwrap();
    assert!(media.recording_key.is_some(), "the copy is kept");
    assert_eq!(media.transcript, None);
}

#[tokio::test]
async fn a_call_ending_without_a_recording_still_gets_call_completed() {
    let l = local(Scripts::default(), |business, base| {
        business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
    })
    .await;
    let sid = format!("CA{:032x}", workers::unique());
    let form = format!(
        "CallSid={sid}&CallStatus=completed&Direction=outbound-api&From={}&To=%2B972501234567&CallDuration=12",
        "%2B97233334444"
    );
    let mut business = l.env.business.clone();
    business.phone_numbers = vec![frontdesk::domain::PhoneNumber::parse("+97233334444").unwrap()];
    l.env.app().store().put_business(&business).await.unwrap();
    let request = frontdesk::http::InboundRequest::local(
        http::Method::POST,
        "/webhook/call_status",
        http::HeaderMap::new(),
        bytes::Bytes::from(form),
        "req-1".into(),
    );
    let response = frontdesk::handlers::call_status::call_status(l.env.app(), &request).await;
    assert_eq!(response.status(), 204);
    // A repeated final callback queues nothing new.
    frontdesk::handlers::call_status::call_status(l.env.app(), &request).await;
    l.pump(Consumer::Notify, OffsetDateTime::now_utc()).await;
    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1);
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["type"], "call.completed");
    assert_eq!(event["data"]["call_sid"], sid.as_str());
    assert_eq!(event["data"]["duration_seconds"], 12);
    assert!(event["data"]["recording"].is_null());
}
