//! The booking front door (`frontdesk::booking`) on the embedded backends: only what the engine
//! offers is booked, a refusal always brings alternatives, a retry books once, cancel frees the
//! slot, reschedule moves atomically, and each change queues its business event.

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, BookingError, BookingRequest, CancelOutcome, Outcome};
use frontdesk::domain::booking::engine::Reason;
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use frontdesk::domain::{
    AppointmentStatus, Business, BusinessId, Channel, PhoneNumber, RequestKey,
};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::App;
use frontdesk_testkit::config::config;
use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Sunday 22 November 2026, 08:00 in Jerusalem (06:00 UTC): the clinic opens at 09:00.
fn now() -> Timestamp {
    date(2026, 11, 22)
        .at(8, 0, 0, 0)
        .to_zoned(TimeZone::get("Asia/Jerusalem").unwrap())
        .unwrap()
        .timestamp()
}

/// Local time in Jerusalem on `day` of November 2026.
fn at(day: i8, hour: i8, minute: i8) -> Timestamp {
    date(2026, 11, day)
        .at(hour, minute, 0, 0)
        .to_zoned(TimeZone::get("Asia/Jerusalem").unwrap())
        .unwrap()
        .timestamp()
}

fn settings(capacity: u32) -> BookingSettings {
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem",
            "hours": {{"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
                      "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","13:00"]]}},
            "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                          "duration_minutes": 30, "buffer_after_minutes": 10}}],
            "slot_step_minutes": 15, "min_notice_minutes": 60, "max_days_ahead": 30, "capacity": {capacity}}}"#
    ))
    .unwrap()
}

struct World {
    app: App,
    business: Business,
    queue: Arc<EmbeddedQueue>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(capacity: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: queue.clone(),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        let app = App::new(config(&[]), backends);
        let mut business = Business::new(BusinessId::parse("clinic").unwrap(), "Clinic");
        business.booking = Some(settings(capacity));
        app.store().put_business(&business).await.unwrap();
        Self {
            app,
            business,
            queue,
            _dir: dir,
        }
    }

    fn request(&self, start: Timestamp, key: &str) -> BookingRequest {
        BookingRequest {
            service: ServiceId::parse("checkup").unwrap(),
            start,
            phone: PhoneNumber::parse("+972501234567").unwrap(),
            name: Some("Dana".into()),
            channel: Channel::Api,
            request: RequestKey::new("api", &[key]).unwrap(),
        }
    }

    async fn book(&self, start: Timestamp, key: &str) -> Outcome {
        booking::book(&self.app, &self.business, &self.request(start, key), now())
            .await
            .unwrap()
    }

    /// The `type` of every event on the notify queue, in order.
    fn events(&self) -> Vec<String> {
        self.queue
            .messages(QueueName::Notify)
            .unwrap()
            .iter()
            .map(|message| {
                let job: serde_json::Value = serde_json::from_str(&message.body).unwrap();
                job["event"].as_str().unwrap_or_default().to_string()
            })
            .collect()
    }
}

fn booked(outcome: Outcome) -> frontdesk::domain::Appointment {
    match outcome {
        Outcome::Done(appointment) => appointment,
        other => panic!("expected a booking, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slot_the_engine_offers_is_booked_and_raises_appointment_booked() {
    let world = World::new(1).await;
    let appointment = booked(world.book(at(23, 15, 0), "one").await);
    assert_eq!(appointment.slot.start, at(23, 15, 0));
    assert_eq!(appointment.slot.end, at(23, 15, 30));
    assert_eq!(
        appointment.block.end,
        at(23, 15, 40),
        "the buffer after is held"
    );
    assert_eq!(appointment.status, AppointmentStatus::Booked);
    assert_eq!(appointment.timezone, "Asia/Jerusalem");
    assert_eq!(world.events(), ["appointment.booked"]);
    let stored = world
        .app
        .store()
        .appointment(&appointment.id)
        .await
        .unwrap();
    assert_eq!(stored, Some(appointment));
}

#[tokio::test]
async fn the_same_request_twice_books_once() {
    let world = World::new(1).await;
    let first = booked(world.book(at(23, 15, 0), "same").await);
    match world.book(at(23, 15, 0), "same").await {
        Outcome::Repeat(again) => assert_eq!(again.id, first.id),
        other => panic!("expected the first booking again, got {other:?}"),
    }
    let listed = booking::availability(
        &world.app,
        &world.business,
        &ServiceId::parse("checkup").unwrap(),
        date(2026, 11, 23),
        1,
        now(),
    )
    .await
    .unwrap();
    assert!(!listed.iter().any(|s| s.start == at(23, 15, 0)));
}

#[tokio::test]
async fn a_taken_slot_is_answered_with_the_nearest_free_ones() {
    let world = World::new(1).await;
    booked(world.book(at(23, 15, 0), "first").await);
    match world.book(at(23, 15, 0), "second").await {
        Outcome::Taken { alternatives } => {
            assert_eq!(alternatives.len(), 3);
            assert!(alternatives.iter().all(|s| s.start != at(23, 15, 0)));
            // 15:00-15:40 is held: 14:15 ends its block at 14:55, 15:45 starts after it.
            assert!(alternatives.iter().any(|s| s.start == at(23, 15, 45)));
        }
        other => panic!("expected taken, got {other:?}"),
    }
}

#[tokio::test]
async fn a_time_the_engine_never_offers_is_refused_with_its_reason_and_alternatives() {
    let world = World::new(1).await;
    for (start, reason) in [
        (at(23, 15, 7), Reason::NotOnGrid),
        (at(23, 20, 0), Reason::OutsideHours),
        (at(28, 10, 0), Reason::Closed),
        (at(22, 8, 30), Reason::TooSoon),
        (at(21, 10, 0), Reason::Past),
    ] {
        match world.book(start, &format!("refused-{start}")).await {
            Outcome::NotOffered {
                reason: got,
                alternatives,
            } => {
                assert_eq!(got, reason, "{start}");
                assert!(!alternatives.is_empty(), "{start}: alternatives");
            }
            other => panic!("{start}: expected a refusal, got {other:?}"),
        }
    }
    assert!(world.events().is_empty(), "nothing was booked");
}

#[tokio::test]
async fn cancelling_frees_the_slot_and_a_second_cancel_changes_nothing() {
    let world = World::new(1).await;
    let appointment = booked(world.book(at(23, 15, 0), "to-cancel").await);
    let key = RequestKey::new("api", &["cancel-1"]).unwrap();
    match booking::cancel(&world.app, &world.business, &appointment.id, &key, now())
        .await
        .unwrap()
    {
        CancelOutcome::Cancelled(cancelled) => {
            assert_eq!(cancelled.status, AppointmentStatus::Cancelled)
        }
        other => panic!("expected cancelled, got {other:?}"),
    }
    let again = RequestKey::new("api", &["cancel-2"]).unwrap();
    assert!(matches!(
        booking::cancel(&world.app, &world.business, &appointment.id, &again, now())
            .await
            .unwrap(),
        CancelOutcome::NotBooked(_)
    ));
    booked(world.book(at(23, 15, 0), "after-cancel").await);
    assert_eq!(
        world.events(),
        [
            "appointment.booked",
            "appointment.cancelled",
            "appointment.booked"
        ]
    );
}

#[tokio::test]
async fn rescheduling_moves_atomically_and_may_overlap_its_own_slot() {
    let world = World::new(1).await;
    let appointment = booked(world.book(at(23, 15, 0), "to-move").await);
    let key = RequestKey::new("api", &["move-1"]).unwrap();
    let moved = match booking::reschedule(
        &world.app,
        &world.business,
        &appointment.id,
        at(23, 15, 15),
        &key,
        now(),
    )
    .await
    .unwrap()
    {
        Some(Outcome::Done(moved)) => moved,
        other => panic!("expected a move, got {other:?}"),
    };
    assert_eq!(moved.slot.start, at(23, 15, 15));
    assert_eq!(moved.version, appointment.version + 1);
    // The old start is free again only where the new block does not reach: 14:30 books.
    booked(world.book(at(23, 14, 30), "old-side").await);
    // A move onto someone else's slot is refused and keeps the appointment where it was.
    let other = booked(world.book(at(23, 11, 0), "other").await);
    let key = RequestKey::new("api", &["move-2"]).unwrap();
    assert!(matches!(
        booking::reschedule(
            &world.app,
            &world.business,
            &moved.id,
            other.slot.start,
            &key,
            now()
        )
        .await
        .unwrap(),
        Some(Outcome::Taken { .. })
    ));
    let kept = world
        .app
        .store()
        .appointment(&moved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.slot, moved.slot);
    assert!(world
        .events()
        .contains(&"appointment.rescheduled".to_string()));
}

#[tokio::test]
async fn capacity_two_takes_two_bookings_of_one_slot_and_refuses_a_third() {
    let world = World::new(2).await;
    booked(world.book(at(24, 10, 0), "a").await);
    booked(world.book(at(24, 10, 0), "b").await);
    assert!(matches!(
        world.book(at(24, 10, 0), "c").await,
        Outcome::Taken { .. }
    ));
}

#[tokio::test]
async fn another_businesss_appointment_cannot_be_cancelled_and_no_settings_is_an_error() {
    let world = World::new(1).await;
    let appointment = booked(world.book(at(23, 15, 0), "mine").await);
    let mut stranger = Business::new(BusinessId::parse("stranger").unwrap(), "Stranger");
    stranger.booking = Some(settings(1));
    let key = RequestKey::new("api", &["steal"]).unwrap();
    assert_eq!(
        booking::cancel(&world.app, &stranger, &appointment.id, &key, now())
            .await
            .unwrap(),
        CancelOutcome::NotFound
    );
    let unset = Business::new(BusinessId::parse("unset").unwrap(), "Unset");
    assert!(matches!(
        booking::book(
            &world.app,
            &unset,
            &world.request(at(23, 15, 0), "x"),
            now()
        )
        .await,
        Err(BookingError::NotConfigured)
    ));
}
