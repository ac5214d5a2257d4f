//! The booking commit's latency: `frontdesk::booking::book` end to end (busy blocks read, the
//! engine's check, the store's transaction with its cell locks and request key, the event
//! queued) on SQLite, and on DynamoDB/SQS through a local moto server when one is running.
//! Each booking is a distinct slot, so every one commits; prints p50, p99 and the mean.
//!
//! `cargo bench -p frontdesk --bench booking_commit [-- N]` (N bookings per backend, default 200).
//! With moto: `./infra/bench.sh booking` starts it and passes `FRONTDESK_TEST_AWS_ENDPOINT`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, BookingRequest, Outcome};
use frontdesk::domain::booking::engine::Slot;
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use frontdesk::domain::{Business, BusinessId, Channel, PhoneNumber, RequestKey};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::App;
use frontdesk_testkit::config::config;
use jiff::Timestamp;

/// Open every day from 08:00 to 20:00, 15-minute slots of a 15-minute service: enough distinct
/// slots in 60 days for any run.
fn settings() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem",
            "hours": {"sun": [["08:00","20:00"]], "mon": [["08:00","20:00"]], "tue": [["08:00","20:00"]],
                      "wed": [["08:00","20:00"]], "thu": [["08:00","20:00"]], "fri": [["08:00","20:00"]],
                      "sat": [["08:00","20:00"]]},
            "services": [{"id": "visit", "name_he": "ביקור", "name_en": "Visit", "duration_minutes": 15}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 60, "capacity": 1}"#,
    )
    .unwrap()
}

async fn bench_business(app: &App, id: &str) -> Business {
    let mut business = Business::new(BusinessId::parse(id).unwrap(), "Bench");
    business.booking = Some(settings());
    app.store().put_business(&business).await.unwrap();
    business
}

/// Books `n` distinct slots one after another; returns each commit's latency.
async fn run(app: &App, business: &Business, n: usize) -> Vec<Duration> {
    let now = Timestamp::now();
    let service = ServiceId::parse("visit").unwrap();
    let slots: Vec<Slot> = booking::availability(
        app,
        business,
        &service,
        now.to_zoned(jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap())
            .date(),
        60,
        now,
    )
    .await
    .unwrap();
    assert!(
        slots.len() >= n,
        "only {} slots for {n} bookings",
        slots.len()
    );
    let mut latencies = Vec::with_capacity(n);
    for (i, slot) in slots.iter().take(n).enumerate() {
        let request = BookingRequest {
            service: service.clone(),
            start: slot.start,
            phone: PhoneNumber::parse(&format!("+97250{:07}", i)).unwrap(),
            name: None,
            channel: Channel::Api,
            request: RequestKey::new("bench", &[&format!("{}-{i}", business.id)]).unwrap(),
        };
        let started = Instant::now();
        let outcome = booking::book(app, business, &request, now).await.unwrap();
        latencies.push(started.elapsed());
        // A Repeat is this booking too: the SDK retried a transaction that had already been
        // applied (moto answers slowly now and then), and the request key answered it.
        assert!(
            matches!(outcome, Outcome::Done(_) | Outcome::Repeat(_)),
            "{outcome:?}"
        );
    }
    latencies
}

fn report(name: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    let mean = latencies.iter().sum::<Duration>() / latencies.len() as u32;
    println!(
        "booking commit, {name}: {} bookings, p50 {:.2} ms, p99 {:.2} ms, mean {:.2} ms",
        latencies.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: Arc::new(EmbeddedQueue::open(&db).unwrap()),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        let app = App::new(config(&[]), backends);
        let business = bench_business(&app, "bench-sqlite").await;
        report("SQLite (embedded)", run(&app, &business, n).await);

        match std::env::var("FRONTDESK_TEST_AWS_ENDPOINT") {
            Ok(_) => {
                let stack = frontdesk_testkit::Stack::new().await;
                let app = stack.app(&[]).await;
                let business = bench_business(&app, "bench-moto").await;
                report("DynamoDB + SQS on moto", run(&app, &business, n).await);
            }
            Err(_) => println!(
                "booking commit, moto: skipped (FRONTDESK_TEST_AWS_ENDPOINT unset; ./infra/bench.sh booking starts moto)"
            ),
        }
    });
}
