//! From a recording callback to the owner's alert: N voicemails (default 200) left on one
//! business, each posted to `handle_recording` through the route table, then taken by the
//! `transcribe` and `notify` consumers on the embedded queue (polling as `frontdesk serve`
//! does) through the transcription stand-in, the summary stand-in and the alert consumer, to
//! the SMS arriving at the Twilio Messages stand-in. Voicemails arrive ten a second. Prints
//! p50, p99 and the slowest, and the stand-ins' own share.
//!
//! `cargo bench -p frontdesk --bench alert_latency` (`-- N`), or `./infra/bench.sh alerts`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use frontdesk::alerts::email::FolderMailer;
use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::{AlertSettings, Business, BusinessId, CallStart, CallStatus, Direction};
use frontdesk::domain::{PhoneNumber, Recipient};
use frontdesk::http::InboundRequest;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::{App, Route};
use frontdesk_testkit::standins::chat::{ChatStandIn, Reply, SUMMARY_KEY};
use frontdesk_testkit::standins::provider::responding;
use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn, ACCOUNT_SID, TRANSCRIBE_KEY};
use frontdesk_testkit::{fixtures, TEST_TOKEN};
use serde_json::json;
use time::OffsetDateTime;

const CLINIC: &str = "+97233334444";
const OWNER: &str = "+972526667777";
/// How often an idle consumer looks at its queue: `frontdesk serve`'s own.
const POLL_EVERY: Duration = Duration::from_millis(250);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let mp3 = fixtures::demo_greeting();
    let ok = [Answer::Status(200)];
    let media = StandIn::start(Kind::Media, &ok, mp3.clone(), TEST_TOKEN).await;
    let transcription = StandIn::start(Kind::Transcription, &ok, mp3, TEST_TOKEN).await;
    let chat = ChatStandIn::start(vec![Reply::hebrew("normal")]).await;
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let log = arrived.clone();
    let twilio = responding(move |k, request| {
        let body = request.form().get("Body").cloned().unwrap_or_default();
        if let Some(at) = body.find("/inbox/calls/") {
            let sid: String = body[at + 13..].chars().take(34).collect();
            log.lock().unwrap().insert(sid, Instant::now());
        }
        (
            201,
            json!({"sid": format!("SM{k:032x}"), "status": "queued"}),
        )
    })
    .await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontdesk.sqlite3");
    let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
    let blobs = Arc::new(FolderBlobs::new(dir.path().join("blobs")));
    let backends = Backends {
        store: Arc::new(SqliteStore::open(&db).unwrap()),
        queue: queue.clone(),
        greetings: blobs.clone(),
    };
    let config = frontdesk_testkit::config::config(&[
        ("FRONTDESK_SIGNATURE_POLICY", "off"),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
        ("TWILIO_API_BASE_URL", &twilio.url),
        ("TRANSCRIBE_API_BASE", &transcription.base_url),
        ("TRANSCRIBE_API_KEY", TRANSCRIBE_KEY),
        ("SUMMARY_API_BASE", &chat.base_url),
        ("SUMMARY_API_KEY", SUMMARY_KEY),
    ]);
    let app = App::new(config, backends);
    let mut business = Business::new(BusinessId::parse("bench").unwrap(), "Bench Clinic");
    business.phone_numbers = vec![PhoneNumber::parse(CLINIC).unwrap()];
    business.alerts = Some(AlertSettings {
        recipients: vec![
            Recipient::parse("sms", OWNER).unwrap(),
            Recipient::parse("email", "owner@bench.example").unwrap(),
        ],
        summaries: true,
        ..AlertSettings::default()
    });
    app.store().put_business(&business).await.unwrap();
    let worker = Worker::new(app.clone(), blobs)
        .unwrap()
        .with_mailer(Arc::new(FolderMailer {
            dir: dir.path().join("outbox"),
            from: FolderMailer::DEFAULT_FROM.into(),
        }))
        .with_link_base("http://bench.local");

    // The consumers, as `frontdesk serve` runs them.
    for consumer in [Consumer::Transcribe, Consumer::Notify] {
        let worker = worker.clone();
        let queue = queue.clone();
        tokio::spawn(async move {
            loop {
                let now = OffsetDateTime::now_utc();
                let received = queue
                    .receive(consumer.queue(), 10, Duration::from_secs(300), now)
                    .unwrap();
                for message in &received {
                    let disposition = consumer.process(&worker, message).await;
                    queue
                        .settle(
                            message,
                            disposition,
                            consumer.max_receives(),
                            OffsetDateTime::now_utc(),
                        )
                        .unwrap();
                }
                if received.is_empty() {
                    tokio::time::sleep(POLL_EVERY).await;
                }
            }
        });
    }

    let mut posted: HashMap<String, Instant> = HashMap::new();
    let started = Instant::now();
    for i in 0..n {
        let sid = format!("CA{:032x}", i + 1);
        let recording_sid = format!("RE{:032x}", i + 1);
        let caller = format!("+97250{:07}", 1_000_000 + i);
        app.store()
            .record_call_start(&CallStart {
                sid: frontdesk::domain::CallSid::parse(&sid).unwrap(),
                business_id: business.id.clone(),
                from: caller.clone(),
                to: CLINIC.into(),
                direction: Direction::Inbound,
                caller_name: None,
                status: CallStatus::InProgress,
                started_at: OffsetDateTime::now_utc(),
                placed: None,
            })
            .await
            .unwrap();
        let recording_url = format!(
            "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
            media.base_url
        );
        let form = frontdesk::http::FormParams::from_pairs(vec![
            ("CallSid".into(), sid.clone()),
            ("AccountSid".into(), ACCOUNT_SID.into()),
            ("From".into(), caller.clone()),
            ("To".into(), CLINIC.into()),
            ("CallStatus".into(), "completed".into()),
            ("RecordingUrl".into(), recording_url),
            ("RecordingSid".into(), recording_sid),
            ("RecordingDuration".into(), "9".into()),
        ])
        .encode();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let t0 = Instant::now();
        let request = InboundRequest::local(
            http::Method::POST,
            Route::HandleRecording.path(),
            headers,
            Bytes::from(form),
            format!("bench-{i}"),
        );
        let response = frontdesk::routes::dispatch(&app, request).await;
        assert_eq!(response.status(), 200);
        posted.insert(sid, t0);
        // Ten voicemails a second.
        let next = started + Duration::from_millis(100 * (i as u64 + 1));
        tokio::time::sleep_until(next.into()).await;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrived.lock().unwrap().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived = arrived.lock().unwrap().clone();
    let mut latencies: Vec<Duration> = posted
        .iter()
        .filter_map(|(sid, t0)| arrived.get(sid).map(|t1| t1.duration_since(*t0)))
        .collect();
    latencies.sort();
    assert_eq!(latencies.len(), n, "every voicemail alerted");
    println!(
        "recording callback → owner's SMS alert, {n} voicemails at 10/s on the embedded queue \
         (consumers polling every {} ms), transcription and summary on local stand-ins:",
        POLL_EVERY.as_millis()
    );
    println!(
        "  p50 {}   p99 {}   max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "  stand-ins answered: transcription {} requests, summary {} requests, SMS {}",
        transcription.hits(),
        chat.asked().len(),
        twilio.received.lock().unwrap().len()
    );
}
