//! The transcription consumer's faults: the recording refused or not ready yet, the
//! transcription API failing or slow, a job delivered twice, transcription turned off.

use frontdesk::domain::{Direction, TranscriptionState};
use frontdesk::jobs::{NotifyJob, Trigger};
use frontdesk::queue::{Disposition, QueueName};
use frontdesk::worker::{transcribe, Consumer};
use frontdesk_testkit::standins::scripted::Answer;
use frontdesk_testkit::workers::{Scripts, LATER};
use time::OffsetDateTime;

use super::{inbound_only, local};

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
