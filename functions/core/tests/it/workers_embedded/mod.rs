//! The transcription and notify consumers on the embedded backends, with every fault of the
//! issue: Twilio 401 and 404, transcription 500 and timeout, redelivered jobs (`transcribe`),
//! receivers answering 500 or 410, and note 002's outbound routing (`notify`), and
//! appointment events (`appointments`). Here: the happy path end to end, and the local set-up
//! they share.

pub(crate) mod appointments;
mod notify;
mod transcribe;

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::{Business, Direction, TranscriptionState};
use frontdesk::domain::{DeliveryState, Subject};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::Disposition;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::Consumer;
use frontdesk_testkit::standins::scripted::{verify_with_python, TRANSCRIPT};
use frontdesk_testkit::workers::{Env, Scripts, WEBHOOK_SECRET};
use time::OffsetDateTime;

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
    assert_eq!(copy.body, frontdesk_testkit::fixtures::demo_greeting());
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
    // The folder store's signed link: the copy's key ends its path.
    let link = data["recording"]["url"].as_str().unwrap();
    let path = link.split('?').next().unwrap();
    assert!(
        path.starts_with("/blobs/recordings/")
            && path.ends_with(&format!("{}.mp3", job.recording_sid)),
        "{link}"
    );
    assert_eq!(
        request.headers["webhook-id"],
        format!("evt_{}_completed", job.call_sid)
    );

    let log = store
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            &format!("evt_{}_completed", job.call_sid),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.route, "inbound_webhook_url");
    assert_eq!(log.attempts.len(), 1);
    assert_eq!(log.attempts[0].status_code, Some(200));
}
