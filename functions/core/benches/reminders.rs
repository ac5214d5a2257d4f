//! 1,000 reminders due in the same minute, on the embedded backend (SQLite store and queue)
//! against a local Twilio stand-in: 20 businesses of capacity 50 each book 50 customers at one
//! slot the day after tomorrow, so every 24-hour reminder is due at the same instant; one tick
//! claims and queues them all, the notify consumer drains the queue (batches of 10, as `serve`
//! does), and every customer must have been reminded exactly once (none lost, none twice). A
//! second tick must queue nothing. Prints the tick's and the sending's times.
//!
//! By SMS (the default), or by voice: each reminder a call placed through the Calls API at the
//! account's pacing (`TWILIO_CALLS_PER_SECOND`), and the most calls started in one second is
//! printed against it.
//!
//! `cargo bench -p frontdesk --bench reminders [-- N [sms | voice CPS]]` (N reminders, default
//! 1000, a multiple of 50), or `./infra/bench.sh reminders` and `./infra/bench.sh reminder-calls`.

// The embedded backend only (the issue's figure): `on_both_backends` is not used here.
#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, BookingRequest, Outcome};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{Channel, PhoneNumber, ReminderSettings, ReminderState, RequestKey};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::reminder_scan;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::App;
use frontdesk_testkit::config::config;
use frontdesk_testkit::standins::provider::answering;
use jiff::Timestamp;
use serde_json::json;
use time::OffsetDateTime;

const PER_BUSINESS: usize = 50;

/// Receives, processes and settles notify messages until none is left; each one's time.
async fn drain(worker: &Worker, queue: &EmbeddedQueue) -> Vec<Duration> {
    let mut processed = Vec::new();
    loop {
        let now = OffsetDateTime::now_utc();
        let received = queue
            .receive(QueueName::Notify, 10, Duration::from_secs(300), now)
            .unwrap();
        if received.is_empty() {
            return processed;
        }
        for message in &received {
            let started = Instant::now();
            let disposition = Consumer::Notify.process(worker, message).await;
            queue
                .settle(message, disposition, Consumer::Notify.max_receives(), now)
                .unwrap();
            processed.push(started.elapsed());
        }
    }
}

/// Voice and its calls per second, when asked for.
fn voice() -> Option<u32> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "voice")?;
    Some(args.get(at + 1).and_then(|c| c.parse().ok()).unwrap_or(25))
}

fn main() {
    let n = common::runs(1000).div_ceil(PER_BUSINESS) * PER_BUSINESS;
    let voice = voice();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // When each request reached Twilio, in Unix seconds: what pacing is held to.
        let seconds = Arc::new(Mutex::new(Vec::new()));
        let at = seconds.clone();
        let twilio = answering(201, move |i| {
            at.lock().unwrap().push(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
            );
            let prefix = if voice.is_some() { "CA" } else { "SM" };
            json!({"sid": format!("{prefix}{i:032x}"), "status": "queued"})
        })
        .await;
        let cps = voice.unwrap_or(1).to_string();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: queue.clone(),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        let app = App::new(
            config(&[
                ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_BASE_URL", &twilio.url),
                ("TWILIO_CALLS_PER_SECOND", &cps),
                ("PUBLIC_BASE_URL", "https://bench.frontdesk.test"),
            ]),
            backends,
        );
        let worker = Worker::new(app.clone(), Arc::new(FolderBlobs::new(dir.path().join("rec")))).unwrap();

        // The slot: the day after tomorrow at 12:00 in Jerusalem; its reminder 24 h before.
        let zone = jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap();
        let start = Timestamp::now()
            .to_zoned(zone.clone())
            .date()
            .tomorrow()
            .and_then(|d| d.tomorrow())
            .unwrap()
            .at(12, 0, 0, 0)
            .to_zoned(zone)
            .unwrap()
            .timestamp();
        let channel = if voice.is_some() { "voice" } else { "sms" };
        let settings = ReminderSettings::parse_json(&format!(
            r#"{{"offsets_minutes": [1440], "channel": "{channel}"}}"#
        ))
        .unwrap();
        let service = ServiceId::parse("visit").unwrap();
        let now = Timestamp::now();
        let mut customer = 0usize;
        for b in 0..n / PER_BUSINESS {
            let business = common::business(&app, &format!("remind-{b}"), |business| {
                business.phone_numbers = vec![PhoneNumber::parse(&format!("+1555000{b:04}")).unwrap()];
                business.reminders = Some(settings.clone());
                if let Some(booking) = business.booking.as_mut() {
                    booking.capacity = PER_BUSINESS as u32;
                }
            })
            .await;
            for _ in 0..PER_BUSINESS {
                customer += 1;
                let request = BookingRequest {
                    service: service.clone(),
                    start,
                    phone: PhoneNumber::parse(&format!("+97250{customer:07}")).unwrap(),
                    name: None,
                    channel: Channel::Api,
                    request: RequestKey::new("bench", &[&customer.to_string()]).unwrap(),
                };
                let outcome = booking::book(&app, &business, &request, now).await.unwrap();
                assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
            }
        }
        // The bookings' own events, out of the way.
        drain(&worker, &queue).await;
        assert!(twilio.received.lock().unwrap().is_empty());

        let due = start - jiff::SignedDuration::from_hours(24);
        let started = Instant::now();
        let tick = reminder_scan::scan(&app, due).await;
        let ticked = started.elapsed();
        assert_eq!((tick.due, tick.queued, tick.failed), (n, n, 0), "{tick:?}");
        let sending = Instant::now();
        let processed = drain(&worker, &queue).await;
        let sent_in = sending.elapsed();
        assert_eq!(processed.len(), n);
        let each = common::Percentiles::of(processed);
        assert_eq!(reminder_scan::scan(&app, due).await.queued, 0, "a second tick queues none");

        let mut per_customer: HashMap<String, usize> = HashMap::new();
        for request in twilio.received.lock().unwrap().iter() {
            *per_customer.entry(request.form()["To"].clone()).or_default() += 1;
        }
        let twice = per_customer.values().filter(|c| **c > 1).count();
        assert_eq!(per_customer.len(), n, "every customer reminded");
        assert_eq!(twice, 0, "none reminded twice");
        // And the store says so.
        let mut settled = 0;
        for b in 0..n / PER_BUSINESS {
            let id = frontdesk::domain::BusinessId::parse(&format!("remind-{b}")).unwrap();
            let query = frontdesk::store::AppointmentQuery {
                from: start,
                to: start + jiff::SignedDuration::from_mins(1),
                status: None,
                after: None,
                limit: 100,
            };
            let page = app.store().list_appointments(&id, &query).await.unwrap();
            let ids: Vec<_> = page.appointments.iter().map(|a| a.id.clone()).collect();
            for reminders in app.store().reminders_of(&ids).await.unwrap().values() {
                settled += reminders.iter().filter(|r| r.state == ReminderState::Sent).count();
            }
        }
        assert_eq!(settled, n);
        let total = ticked + sent_in;
        if let Some(cps) = voice {
            let mut per_second: HashMap<u64, usize> = HashMap::new();
            for second in seconds.lock().unwrap().iter() {
                *per_second.entry(*second).or_default() += 1;
            }
            let busiest = per_second.values().copied().max().unwrap_or(0);
            println!(
                "reminder calls, SQLite (embedded): {n} due in one minute; tick {:.0} ms; \
                 {} calls placed in {:.1} s, at most {busiest} started in one second \
                 (pacing {cps}/s); each job p50 {:.2} ms, p99 {:.2} ms; none lost, none twice",
                ticked.as_secs_f64() * 1e3,
                per_customer.values().sum::<usize>(),
                sent_in.as_secs_f64(),
                each.p50,
                each.p99,
            );
            assert!(busiest <= cps as usize, "pacing held");
            return;
        }
        println!(
            "reminders, SQLite (embedded): {n} due in one minute; tick (read, claim, queue) {:.0} ms; \
             sending (notify consumer, Twilio stand-in) {:.0} ms; {:.0} reminders/s end to end; \
             each job p50 {:.2} ms, p99 {:.2} ms; {} SMS to {} customers: none lost, none twice",
            ticked.as_secs_f64() * 1e3,
            sent_in.as_secs_f64() * 1e3,
            n as f64 / total.as_secs_f64(),
            each.p50,
            each.p99,
            per_customer.values().sum::<usize>(),
            per_customer.len(),
        );
    });
}
