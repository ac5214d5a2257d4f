//! The calendar sync when Google fails: a 500 or a stall is retried through the queue and then
//! syncs; failing on every receive dead-letters the job with a `failed` record; a calendar not
//! shared with the service account, or a key Google does not know, fails at once.

use std::time::Duration;

use frontdesk::domain::{Channel, FollowUpState, GoogleCalendar};
use frontdesk::queue::{Disposition, QueueName};
use frontdesk::worker::notify::MAX_RECEIVES;
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, CALENDAR_ID};
use frontdesk_testkit::standins::google::Scripted;
use time::OffsetDateTime;

use super::{World, LATER};

async fn calendar_state(
    world: &World,
    id: &frontdesk::domain::AppointmentId,
) -> (FollowUpState, Option<String>, u32) {
    let record = world
        .app()
        .store()
        .follow_ups(id)
        .await
        .unwrap()
        .calendar
        .unwrap();
    (record.state, record.error, record.attempts)
}

#[tokio::test]
async fn a_500_then_a_stall_are_retried_and_the_event_is_made_once() {
    let world = World::start(|_| {}, |_| {}).await;
    let google = &world.providers.google;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    // freeBusy ran at booking; the sync's calls come next.
    google.script(&[
        Scripted::Status(500),
        Scripted::Stall(Duration::from_secs(3)),
    ]);

    let mut now = OffsetDateTime::now_utc();
    let first = world.pump(now).await;
    assert!(first.contains(&Disposition::Done), "the event's delivery");
    assert!(
        first.iter().any(|d| matches!(d, Disposition::Retry { .. })),
        "{first:?}"
    );
    let (state, error, attempts) = calendar_state(&world, &booked.id).await;
    assert_eq!((state, attempts), (FollowUpState::Retrying, 1));
    assert!(error.unwrap().contains("HTTP 500"));
    assert!(google.events(CALENDAR_ID).is_empty());

    now += LATER;
    assert!(matches!(
        world.pump(now).await[..],
        [Disposition::Retry { .. }]
    ));
    let (state, error, attempts) = calendar_state(&world, &booked.id).await;
    assert_eq!((state, attempts), (FollowUpState::Retrying, 2));
    assert!(error.unwrap().contains("timed out"));

    now += LATER;
    assert_eq!(world.pump(now).await, [Disposition::Done]);
    assert_eq!(google.events(CALENDAR_ID).len(), 1);
    assert_eq!(
        calendar_state(&world, &booked.id).await.0,
        FollowUpState::Done
    );
    now += LATER;
    assert!(world.pump(now).await.is_empty(), "nothing left to do");
    let booked_now = world
        .app()
        .store()
        .appointment(&booked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        booked_now, booked,
        "the booking never waited on the calendar"
    );
}

#[tokio::test]
async fn failing_on_every_receive_dead_letters_the_job_and_records_failed() {
    let world = World::start(|_| {}, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    world
        .providers
        .google
        .script(&[Scripted::Status(503); MAX_RECEIVES as usize]);
    let mut now = OffsetDateTime::now_utc();
    for _ in 0..MAX_RECEIVES {
        world.pump(now).await;
        now += LATER;
    }
    let (state, error, attempts) = calendar_state(&world, &booked.id).await;
    assert_eq!((state, attempts), (FollowUpState::Failed, MAX_RECEIVES));
    assert!(error.unwrap().contains("503"));
    let dead = world.queue.dead_letters(QueueName::Notify).unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].contains("calendar_sync"), "{dead:?}");
    assert!(world.providers.google.events(CALENDAR_ID).is_empty());
}

#[tokio::test]
async fn a_calendar_not_shared_fails_at_once_with_the_reason() {
    let world = World::start(
        |_| {},
        |business| {
            business.google_calendar = Some(GoogleCalendar {
                calendar_id: "not-shared@group.calendar.google.com".into(),
                service_account: frontdesk_testkit::standins::google::CLIENT_EMAIL.into(),
            });
        },
    )
    .await;
    // Availability fell back (freeBusy said notFound); the booking stands.
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    assert_eq!(
        world.pump(OffsetDateTime::now_utc()).await,
        [Disposition::Done, Disposition::Done],
        "no retry: sharing is the owner's to fix"
    );
    let (state, error, _) = calendar_state(&world, &booked.id).await;
    assert_eq!(state, FollowUpState::Failed);
    assert!(error.unwrap().contains("notFound"));
}

#[tokio::test]
async fn a_key_google_does_not_know_fails_at_once() {
    let world = World::start(|_| {}, |_| {}).await;
    let unknown =
        frontdesk::config::Secret::new(world.providers.google.unknown_key_json()).unwrap();
    world
        .app()
        .store()
        .put_calendar_key(&world.business.id, &unknown)
        .await
        .unwrap();
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    world.pump(OffsetDateTime::now_utc()).await;
    let (state, error, _) = calendar_state(&world, &booked.id).await;
    assert_eq!(state, FollowUpState::Failed);
    assert!(error.unwrap().contains("invalid_grant"));
    let (_, refused) = world.providers.google.token_requests();
    assert!(
        refused.iter().all(|r| r == "Invalid JWT Signature."),
        "{refused:?}"
    );
}
