//! The calendar sync: a booking makes one event whose id is the appointment's (a redelivered
//! job finds it and makes no second one), a reschedule patches it, a cancellation deletes it;
//! the calendar's busy times are not offered; a calendar that is down or slow never blocks a
//! booking.

use std::time::Duration;

use frontdesk::booking::{self, CancelOutcome, Outcome};
use frontdesk::domain::{CalendarAction, Channel, FollowUpState, RequestKey};
use frontdesk::queue::Disposition;
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, CALENDAR_ID};
use frontdesk_testkit::standins::google::Scripted;
use jiff::Timestamp;
use time::OffsetDateTime;

use super::World;

fn key(name: &str) -> RequestKey {
    RequestKey::new(
        "test",
        &[name, &frontdesk_testkit::unique::next().to_string()],
    )
    .unwrap()
}

#[tokio::test]
async fn a_booking_makes_one_event_with_the_appointments_id_even_when_its_job_comes_again() {
    let world = World::start(|_| {}, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    assert_eq!(
        world.queued(),
        ["appointment.booked", "calendar_sync"],
        "the event, then the follow-up; no confirmation for an API booking"
    );

    let now = OffsetDateTime::now_utc();
    assert!(world
        .pump(now)
        .await
        .iter()
        .all(|d| *d == Disposition::Done));
    let events = world.providers.google.events(CALENDAR_ID);
    assert_eq!(events.len(), 1);
    let event = &events[booked.id.as_str()].body;
    assert_eq!(event["id"], booked.id.as_str());
    assert_eq!(event["transparency"], "transparent");
    assert_eq!(event["start"]["dateTime"], booked.slot.start.to_string());
    assert_eq!(event["end"]["dateTime"], booked.slot.end.to_string());
    assert_eq!(event["start"]["timeZone"], "Asia/Jerusalem");
    assert_eq!(event["summary"], "בדיקה — Dana");
    let (tokens, refused) = world.providers.google.token_requests();
    assert_eq!((tokens, refused.len()), (1, 0), "{refused:?}");

    // The same job again (SQS delivers at least once): Google answers 409, still one event.
    let again = world.process(&world.job("calendar_sync"), 2).await;
    assert_eq!(again, Disposition::Done);
    assert_eq!(world.providers.google.events(CALENDAR_ID).len(), 1);
    assert_eq!(world.providers.google.calls_of("POST", "/events").len(), 2);
    assert_eq!(
        world.providers.google.token_requests().0,
        1,
        "the token is cached"
    );
    let record = world
        .app()
        .store()
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .calendar
        .unwrap();
    assert_eq!(
        (record.state, record.action, record.event_id.as_str()),
        (
            FollowUpState::Done,
            CalendarAction::Insert,
            booked.id.as_str()
        )
    );
}

#[tokio::test]
async fn a_reschedule_patches_the_event_and_a_cancellation_deletes_it() {
    let world = World::start(|_| {}, |_| {}).await;
    let now = Timestamp::now();
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    world.pump(OffsetDateTime::now_utc()).await;

    let to = day_after_tomorrow_at(12, 30);
    let moved = match booking::reschedule(
        world.app(),
        &world.business,
        &booked.id,
        to,
        &key("move"),
        now,
    )
    .await
    .unwrap()
    {
        Some(Outcome::Done(moved)) => moved,
        other => panic!("not moved: {other:?}"),
    };
    assert_eq!(world.pump(OffsetDateTime::now_utc()).await.len(), 2);
    let patches = world.providers.google.calls_of("PATCH", booked.id.as_str());
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].path,
        format!("/calendars/{CALENDAR_ID}/events/{}", booked.id)
    );
    let event = world.providers.google.events(CALENDAR_ID)[booked.id.as_str()].clone();
    assert_eq!(
        event.body["start"]["dateTime"],
        moved.slot.start.to_string()
    );
    assert!(!event.deleted);

    let cancelled = booking::cancel(
        world.app(),
        &world.business,
        &booked.id,
        &key("cancel"),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(cancelled, CancelOutcome::Cancelled(_)));
    world.pump(OffsetDateTime::now_utc()).await;
    assert!(world.providers.google.events(CALENDAR_ID)[booked.id.as_str()].deleted);
    let record = world
        .app()
        .store()
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .calendar
        .unwrap();
    assert_eq!(
        (record.action, record.state, record.version),
        (CalendarAction::Delete, FollowUpState::Done, 3)
    );

    // A redelivered cancellation finds the event gone (410) and is done.
    let delete_job = world
        .queue
        .messages(frontdesk::queue::QueueName::Notify)
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .find(|b| b.contains("calendar_sync") && b.contains("appointment.cancelled"))
        .unwrap();
    assert_eq!(world.process(&delete_job, 2).await, Disposition::Done);
    assert_eq!(
        world
            .providers
            .google
            .calls_of("DELETE", booked.id.as_str())
            .len(),
        2
    );
}

#[tokio::test]
async fn the_calendars_busy_time_is_offered_by_no_one_even_at_capacity_two() {
    let world = World::start(
        |_| {},
        |business| {
            if let Some(settings) = business.booking.as_mut() {
                settings.capacity = 2;
            }
        },
    )
    .await;
    world.providers.google.busy(
        CALENDAR_ID,
        day_after_tomorrow_at(10, 0),
        day_after_tomorrow_at(11, 0),
    );
    let day = day_after_tomorrow_at(9, 0)
        .to_zoned(frontdesk_testkit::follow_ups::zone())
        .date();
    let service = frontdesk::domain::booking::settings::ServiceId::parse("checkup").unwrap();
    let slots = booking::availability(
        world.app(),
        &world.business,
        &service,
        day,
        1,
        Timestamp::now(),
    )
    .await
    .unwrap();
    let starts: Vec<Timestamp> = slots.iter().map(|s| s.start).collect();
    assert!(
        starts.contains(&day_after_tomorrow_at(9, 30)),
        "ends as the busy time starts"
    );
    assert!(
        starts.contains(&day_after_tomorrow_at(11, 0)),
        "starts as it ends"
    );
    for busy in [(9, 45), (10, 0), (10, 15), (10, 30), (10, 45)] {
        assert!(
            !starts.contains(&day_after_tomorrow_at(busy.0, busy.1)),
            "{busy:?} is offered"
        );
    }
    let request =
        frontdesk_testkit::follow_ups::booking(Channel::Whatsapp, day_after_tomorrow_at(10, 0));
    match booking::book(world.app(), &world.business, &request, Timestamp::now())
        .await
        .unwrap()
    {
        Outcome::Taken { alternatives } => assert!(!alternatives.is_empty()),
        other => panic!("the owner's busy time was booked: {other:?}"),
    }
    assert_eq!(
        world.providers.google.calls_of("POST", "/freeBusy").len(),
        1,
        "the busy times are reused for a while"
    );
}

#[tokio::test]
async fn a_calendar_that_is_slow_or_down_never_blocks_a_booking() {
    let world = World::start(
        |config| config.google.busy_timeout = Duration::from_millis(300),
        |_| {},
    )
    .await;
    let google = &world.providers.google;
    google.busy(
        CALENDAR_ID,
        day_after_tomorrow_at(10, 0),
        day_after_tomorrow_at(11, 0),
    );
    google.script(&[Scripted::Stall(Duration::from_secs(3))]);
    let started = std::time::Instant::now();
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the booking waited {:?} for the calendar",
        started.elapsed()
    );
    assert_eq!(
        booked.slot.start,
        day_after_tomorrow_at(10, 0),
        "from the appointments alone"
    );
    // The failure is remembered briefly: the next booking does not wait again.
    let started = std::time::Instant::now();
    world.book(Channel::Api, day_after_tomorrow_at(14, 0)).await;
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(google.calls_of("POST", "/freeBusy").len(), 1);
}
