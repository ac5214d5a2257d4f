//! The booking commit's latency: `frontdesk::booking::book` end to end (busy blocks read, the
//! engine's check, the store's transaction with its cell locks and request key, the event
//! queued) on SQLite, and on DynamoDB/SQS through a local moto server when one is running.
//! Each booking is a distinct slot, so every one commits; prints p50, p99 and the mean.
//!
//! `cargo bench -p frontdesk --bench booking_commit [-- N]` (N bookings per backend, default 200).
//! With moto: `./infra/bench.sh booking` starts it and passes `FRONTDESK_TEST_AWS_ENDPOINT`.

mod common;

use std::time::{Duration, Instant};

use common::Percentiles;
use frontdesk::booking::{self, BookingRequest, Outcome};
use frontdesk::domain::booking::engine::Slot;
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{Business, Channel, PhoneNumber, RequestKey};
use frontdesk::App;
use jiff::Timestamp;

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

fn report(name: &str, latencies: Vec<Duration>) {
    let p = Percentiles::of(latencies);
    println!(
        "booking commit, {name}: {} bookings, p50 {:.2} ms, p99 {:.2} ms, mean {:.2} ms, max {:.2} ms",
        p.n, p.p50, p.p99, p.mean, p.max,
    );
}

fn main() {
    let n = common::runs(200);
    common::on_both_backends("booking commit", |name, app| async move {
        let business = common::business(&app, "bench", |_| {}).await;
        report(name, run(&app, &business, n).await);
    });
}
