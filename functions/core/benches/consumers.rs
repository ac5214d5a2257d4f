//! Consumer throughput against local stand-ins (Twilio media, transcription API, receiver), on
//! the embedded backends: jobs/s for one `transcribe` consumer, events/s for one `notify`
//! consumer, and the per-job overhead without the transcription call (transcription skipped).
//!
//! `cargo bench -p frontdesk --bench consumers` (`-- N` for N jobs per run, default 200).

use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::Direction;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::Consumer;
use frontdesk_testkit::workers::{Env, Scripts};
use time::OffsetDateTime;

struct Run {
    env: Env,
    queue: Arc<EmbeddedQueue>,
    _dir: tempfile::TempDir,
}

async fn setup(transcribe: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontdesk.sqlite3");
    let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
    let blobs = Arc::new(FolderBlobs::new(dir.path().join("blobs")));
    let backends = Backends {
        store: Arc::new(SqliteStore::open(&db).unwrap()),
        queue: queue.clone(),
        greetings: blobs.clone(),
    };
    let mut env = Env::start(backends, blobs, Scripts::default(), |business, base| {
        business.inbound_webhook_url = Some(format!("{base}/hooks"));
    })
    .await;
    if !transcribe {
        let mut config = env.worker.app.config().clone();
        config.worker.transcribe_api_base = None;
        let app = frontdesk::App::new(config, env.worker.app.backends().clone());
        env.worker = frontdesk::worker::Worker::new(app, env.worker.recordings.clone()).unwrap();
    }
    Run {
        env,
        queue,
        _dir: dir,
    }
}

/// Processes everything on `consumer`'s queue; returns (messages, elapsed).
async fn drain(run: &Run, consumer: Consumer) -> (usize, Duration) {
    let started = Instant::now();
    let mut count = 0;
    loop {
        let now = OffsetDateTime::now_utc();
        let batch = run
            .queue
            .receive(consumer.queue(), 10, Duration::from_secs(300), now)
            .unwrap();
        if batch.is_empty() {
            return (count, started.elapsed());
        }
        for message in &batch {
            let disposition = consumer.process(&run.env.worker, message).await;
            run.queue
                .settle(message, disposition, consumer.max_receives(), now)
                .unwrap();
            count += 1;
        }
    }
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn main() {
    let jobs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for transcribe in [true, false] {
            let run = setup(transcribe).await;
            for _ in 0..jobs {
                run.env.recorded_call(Direction::Inbound).await;
            }
            let (count, elapsed) = drain(&run, Consumer::Transcribe).await;
            assert_eq!(count, jobs);
            let label = if transcribe {
                "transcribe (download, copy, transcribe, store, queue event)"
            } else {
                "transcribe without the transcription call (per-job overhead)"
            };
            println!(
                "{label}: {count} jobs in {:.2} s = {:.0} jobs/s, {:.2} ms/job",
                elapsed.as_secs_f64(),
                per_second(count, elapsed),
                elapsed.as_secs_f64() * 1000.0 / count as f64
            );
            if transcribe {
                let (events, elapsed) = drain(&run, Consumer::Notify).await;
                println!(
                    "notify (build, sign, POST, log): {events} events in {:.2} s = {:.0} events/s, {:.2} ms/event",
                    elapsed.as_secs_f64(),
                    per_second(events, elapsed),
                    elapsed.as_secs_f64() * 1000.0 / events as f64
                );
                assert_eq!(run.env.receiver.hits(), jobs);
            }
        }
    });
}
