//! The consumers under fire: S3 down for the recording's copy, Twilio's media, the transcription
//! API and the business's receiver down, SQS down when the transcript's event is queued, and a
//! consumer killed mid-job. Each job is retried through the queue (or its event parked) and,
//! healed, ends with the recording transcribed and its one `call.completed` delivered once.

use std::time::Duration;

use frontdesk::domain::{DeliveryState, Direction, Subject, TranscriptionState};
use frontdesk::jobs::TranscriptionJob;
use frontdesk::queue::{Disposition, QueueName};
use frontdesk::worker::reconcile::reconcile;
use frontdesk::worker::Consumer;
use frontdesk_testkit::faults::Fault;
use frontdesk_testkit::standins::scripted::TRANSCRIPT;
use frontdesk_testkit::workers::Env;

use super::{events, faulty, finish, Faulty};

async fn world() -> (Faulty, Env) {
    let f = faulty().await;
    let env = f
        .consumers(|business, base| {
            business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
        })
        .await;
    (f, env)
}

/// A recorded call's transcription job, taken off the queue.
async fn recorded(f: &Faulty, env: &Env) -> (TranscriptionJob, String) {
    let job = env.recorded_call(Direction::Inbound).await;
    let bodies = f.take(QueueName::Recordings).await;
    assert_eq!(bodies.len(), 1);
    (job, bodies.into_iter().next().unwrap())
}

fn retried(disposition: Disposition) -> bool {
    matches!(disposition, Disposition::Retry { .. })
}

/// The call transcribed, its copy in S3, and one `call.completed` carrying the transcript.
async fn transcribed_and_announced_once(f: &Faulty, env: &Env, job: &TranscriptionJob) {
    f.settle(env).await;
    let store = f.server.app.store();
    let call = store.call(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
    let media = store.call_media(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(media.transcript.as_deref(), Some(TRANSCRIPT));
    f.stack
        .clients
        .s3
        .head_object()
        .bucket(&f.stack.recordings_bucket)
        .key(media.recording_key.unwrap())
        .send()
        .await
        .expect("the recording's copy");
    let events = events(env);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["call_sid"], job.call_sid.as_str());
    assert_eq!(events[0]["data"]["transcript"]["text"], TRANSCRIPT);
}

/// Whom the transcription job talks to.
#[derive(Clone, Copy)]
enum Party {
    /// S3, for the recording's copy.
    S3,
    Media,
    Transcription,
}

/// A recorded call's job run once under each of `faults` at `party` (each run a receive of its
/// own, each retried), then healed: transcribed and announced once.
async fn recovers_from(party: Party, faults: &[Fault]) {
    let (f, env) = world().await;
    let (job, body) = recorded(&f, &env).await;
    let stand_ins = env.faults.as_ref().unwrap();
    let proxy = match party {
        Party::S3 => &f.s3,
        Party::Media => &stand_ins.media,
        Party::Transcription => &stand_ins.transcription,
    };
    for (n, fault) in (1..).zip(faults) {
        proxy.set(*fault);
        let disposition = env.process(Consumer::Transcribe, &body, n).await;
        assert!(retried(disposition), "{fault:?}: {disposition:?}");
    }
    proxy.heal();
    let last = faults.len() as u32 + 1;
    finish(&env, Consumer::Transcribe, &body, last).await;
    transcribed_and_announced_once(&f, &env, &job).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_down_for_the_recording_copy_retries_and_transcribes_once_healed() {
    recovers_from(
        Party::S3,
        &[Fault::Refuse, Fault::Status(503), Fault::Reset],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transcription_api_down_retries_and_transcribes_once_healed() {
    let slow = Fault::Delay(Duration::from_secs(3));
    let faults = [Fault::Refuse, Fault::Status(503), Fault::Reset, slow];
    recovers_from(Party::Transcription, &faults).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_media_down_retries_the_download_and_transcribes_once_healed() {
    recovers_from(
        Party::Media,
        &[Fault::Refuse, Fault::Status(503), Fault::Reset],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_receiver_down_retries_with_one_webhook_id_and_delivers_once() {
    let (f, env) = world().await;
    let (job, body) = recorded(&f, &env).await;
    finish(&env, Consumer::Transcribe, &body, 1).await;
    let events = f.take(QueueName::Notify).await;
    assert_eq!(events.len(), 1, "the transcript's call.completed");
    let receiver = &env.faults.as_ref().unwrap().receiver;
    let faults = [Fault::Refuse, Fault::Status(503), Fault::Reset];
    for (n, fault) in faults.iter().enumerate() {
        receiver.set(*fault);
        let disposition = env
            .process(Consumer::Notify, &events[0], n as u32 + 1)
            .await;
        assert!(retried(disposition), "{fault:?}: {disposition:?}");
    }
    receiver.heal();
    finish(&env, Consumer::Notify, &events[0], 4).await;
    // A redelivery after success sends nothing.
    finish(&env, Consumer::Notify, &events[0], 5).await;
    let requests = env.receiver.requests();
    // The reset one reached the receiver before its answer was cut; both carry one id.
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].headers["webhook-id"],
        requests[1].headers["webhook-id"]
    );
    let log = f
        .server
        .app
        .store()
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            requests[0].headers["webhook-id"].to_str().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.attempts.len(), 4, "every attempt on the record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_down_as_the_transcript_is_announced_parks_the_event_until_the_reconciler_sends_it() {
    let (f, env) = world().await;
    let (job, body) = recorded(&f, &env).await;
    f.sqs.set(Fault::Refuse);
    finish(&env, Consumer::Transcribe, &body, 1).await;
    f.sqs.heal();
    let report = reconcile(&f.server.app, time::OffsetDateTime::now_utc()).await;
    assert_eq!(report.unparked, 1);
    transcribed_and_announced_once(&f, &env, &job).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_mid_job_leaves_it_to_its_redelivery_which_finishes_it_once() {
    let (f, env) = world().await;
    let (job, body) = recorded(&f, &env).await;
    let faults = env.faults.as_ref().unwrap();
    // The transcription API hangs; the Lambda dies while it waits (its timeout, a crash).
    faults
        .transcription
        .set(Fault::Delay(Duration::from_secs(30)));
    let killed = tokio::time::timeout(
        Duration::from_millis(700),
        env.process(Consumer::Transcribe, &body, 1),
    )
    .await;
    assert!(killed.is_err(), "still working when killed");
    faults.transcription.heal();
    // SQS shows the message again once its visibility timeout ends.
    finish(&env, Consumer::Transcribe, &body, 2).await;
    transcribed_and_announced_once(&f, &env, &job).await;
    assert_eq!(
        env.transcription.hits(),
        1,
        "the hung request never reached it"
    );
}
