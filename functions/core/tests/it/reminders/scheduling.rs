//! When reminders are due, and how a booking's changes move them.

use frontdesk::booking::{self, CancelOutcome, Outcome};
use frontdesk::domain::{Channel, ReminderState, RequestKey};
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, zone};
use jiff::{SignedDuration, Timestamp};

use super::{reminders, tick, world, BY_SMS};

fn request(name: &str) -> RequestKey {
    RequestKey::new(
        "test",
        &[&format!("{name}{}", frontdesk_testkit::unique::next())],
    )
    .unwrap()
}

#[tokio::test]
async fn a_booked_appointment_gets_its_reminders_at_the_right_local_times() {
    let world = world(BY_SMS, |_| {}).await;
    // 10:00 local: the day before at 10:00, and 08:00 (before the window) moved to 20:00 the
    // evening before.
    let start = day_after_tomorrow_at(10, 0);
    let booked = world.book(Channel::Api, start).await;
    let stored = reminders(&world, &booked).await;
    let local: Vec<_> = stored
        .iter()
        .map(|r| {
            let at = zone().to_datetime(r.due);
            (r.offset_minutes, at.date(), at.hour(), at.minute())
        })
        .collect();
    let eve = zone().to_datetime(start).date().yesterday().unwrap();
    assert_eq!(local, [(1440, eve, 10, 0), (120, eve, 20, 0)]);
    assert!(stored.iter().all(|r| r.state == ReminderState::Pending));

    // The tick a second early queues nothing; at the due time, that one reminder.
    let first = stored[0].due;
    assert_eq!(
        tick(&world, first - SignedDuration::from_secs(1))
            .await
            .queued,
        0
    );
    let before = world.queued().len();
    let report = tick(&world, first).await;
    assert_eq!((report.due, report.queued), (1, 1));
    assert_eq!(world.queued().len(), before + 1);
    assert_eq!(world.queued().last().unwrap(), "reminder");
    let job: serde_json::Value = serde_json::from_str(&world.job("reminder")).unwrap();
    assert_eq!(job["offset_minutes"], 1440);
    assert_eq!(job["appointment_id"], booked.id.as_str());
    assert_eq!(
        reminders(&world, &booked).await[0].state,
        ReminderState::Queued
    );
}

#[tokio::test]
async fn a_reschedule_moves_the_reminders_and_a_cancellation_removes_them() {
    let world = world(BY_SMS, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(12, 0)).await;
    let new_start = day_after_tomorrow_at(15, 0);
    let now = Timestamp::now();
    let moved = booking::reschedule(
        world.app(),
        &world.business,
        &booked.id,
        new_start,
        &request("mv"),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(moved, Some(Outcome::Done(_))), "{moved:?}");
    let stored = reminders(&world, &booked).await;
    assert_eq!(stored.len(), 2);
    assert!(stored
        .iter()
        .all(|r| r.start == new_start && r.state == ReminderState::Pending));
    assert_eq!(stored[1].due, new_start - SignedDuration::from_hours(2));
    // Nothing is due at the old 24-hour time any more.
    let old_due = booked.slot.start - SignedDuration::from_hours(24);
    assert_eq!(tick(&world, old_due).await.queued, 0);

    let cancelled = booking::cancel(
        world.app(),
        &world.business,
        &booked.id,
        &request("cx"),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(cancelled, CancelOutcome::Cancelled(_)));
    assert!(reminders(&world, &booked).await.is_empty());
    assert_eq!(tick(&world, new_start).await.due, 0);
}

#[tokio::test]
async fn no_reminder_is_due_outside_the_outreach_window() {
    // Offsets every three hours before a 09:00 appointment: 06:00 and 03:00 are moved to 20:00
    // the evening before, 00:00 likewise; none is ever due outside 09:00-20:00.
    let world = world(
        r#"{"offsets_minutes": [180, 360, 540, 60], "channel": "sms",
            "window": {"from": "09:00", "to": "20:00"}}"#,
        |_| {},
    )
    .await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(9, 0)).await;
    for reminder in reminders(&world, &booked).await {
        let local = zone().to_datetime(reminder.due).time();
        assert!(
            (jiff::civil::time(9, 0, 0, 0)..=jiff::civil::time(20, 0, 0, 0)).contains(&local),
            "{} due at {local}",
            reminder.offset_minutes
        );
    }
    assert_eq!(reminders(&world, &booked).await.len(), 4);
}

#[tokio::test]
async fn the_tick_run_twice_queues_each_reminder_once() {
    let world = world(BY_SMS, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(11, 0)).await;
    let due = reminders(&world, &booked).await[0].due;
    let (one, two) = tokio::join!(tick(&world, due), tick(&world, due));
    assert_eq!(one.queued + two.queued, 1);
    assert_eq!(tick(&world, due).await.queued, 0);
    assert_eq!(
        world.queued().iter().filter(|k| *k == "reminder").count(),
        1
    );
}
