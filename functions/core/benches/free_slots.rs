//! Free slots for a 60-day window with 500 existing appointments.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use frontdesk::domain::booking::engine::{free_slots, Busy};
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use jiff::civil::date;
use jiff::Timestamp;

fn clinic() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem",
            "hours": {"sun": [["09:00","13:00"], ["14:00","19:00"]],
                      "mon": [["09:00","13:00"], ["14:00","19:00"]],
                      "tue": [["09:00","13:00"], ["14:00","19:00"]],
                      "wed": [["09:00","13:00"], ["14:00","19:00"]],
                      "thu": [["09:00","13:00"], ["14:00","19:00"]],
                      "fri": [["08:00","13:00"]]},
            "closed_dates": ["2026-04-02"],
            "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                          "duration_minutes": 30, "buffer_after_minutes": 10}],
            "slot_step_minutes": 15, "min_notice_minutes": 120, "max_days_ahead": 90,
            "capacity": 2}"#,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let settings = clinic();
    let service = ServiceId::parse("checkup").unwrap();
    // Across the spring-forward date, so the window crosses a transition.
    let now: Timestamp = "2026-03-10T07:00:00Z".parse().unwrap();
    let from = date(2026, 3, 10);
    let offered = free_slots(&settings, &service, &[], now, from, 60).unwrap();
    // 500 appointments: 350 spread over the window, 150 of those booked a second time (full).
    let spread = |i: usize| offered[i * offered.len() / 350].block(&settings.services[0]);
    let busy: Vec<Busy> = (0..350)
        .map(spread)
        .chain((0..150).map(|i| spread(i * 2)))
        .collect();
    let free = free_slots(&settings, &service, &busy, now, from, 60).unwrap();
    assert!(free.len() < offered.len() && !free.is_empty());
    eprintln!("{} grid slots, {} free", offered.len(), free.len());

    c.bench_function("free_slots 60 days, 500 appointments", |b| {
        b.iter(|| {
            free_slots(
                black_box(&settings),
                black_box(&service),
                black_box(&busy),
                black_box(now),
                black_box(from),
                black_box(60),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
