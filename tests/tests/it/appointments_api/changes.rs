//! Cancelling and rescheduling, and one business never reaching another's appointments.

use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{BusinessId, Channel, NewAppointment, PhoneNumber, RequestKey};
use frontdesk::store::Booking;
use frontdesk::Route;
use jiff::{SignedDuration, Timestamp};

use super::{local, World, ZONE};

pub async fn cancel_frees_the_slot_and_a_second_cancel_is_409(world: &World) {
    let start = world.at(world.day, 11, 0);
    let booked = world.book(start, "+972501234567", None).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let id = booked.id().to_string();

    let cancelled = world.cancel(&id, &world.key, Some("cancel-1")).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["id"], id.as_str());
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["version"], 2);
    assert_eq!(cancelled.body["start"], local(start).as_str());
    assert_eq!(
        cancelled.headers["access-control-allow-origin"],
        super::ORIGIN
    );
    // Its key again: the same answer, marked as a replay.
    let replayed = world.cancel(&id, &world.key, Some("cancel-1")).await;
    assert_eq!(replayed.status, 200, "{}", replayed.body);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.body, cancelled.body);
    // A new request to cancel it: not booked any more.
    let twice = world.cancel(&id, &world.key, None).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.error(), "the appointment is cancelled, not booked");

    // The slot is free again.
    let again = world.book(start, "+972502222222", None).await;
    assert_eq!(again.status, 201, "{}", again.body);
    let listed = world.listed_on(world.day).await;
    let statuses: Vec<_> = listed.iter().map(|a| a["status"].clone()).collect();
    assert_eq!(
        statuses,
        ["cancelled", "booked"],
        "both start at 11:00, by id"
    );

    if let Some(events) = world.events() {
        assert!(
            events.contains(&"appointment.cancelled".to_string()),
            "{events:?}"
        );
    }
}

pub async fn an_appointment_that_has_started_cannot_be_cancelled(world: &World) {
    // Booked straight into the store: the API never books a time that has begun.
    let start = Timestamp::from_second(Timestamp::now().as_second() - 600).unwrap();
    let slot = Slot {
        start,
        end: start.checked_add(SignedDuration::from_mins(30)).unwrap(),
    };
    let new = NewAppointment {
        business_id: BusinessId::parse("acme").unwrap(),
        service: ServiceId::parse(super::SERVICE).unwrap(),
        slot,
        block: Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: ZONE.into(),
        phone: PhoneNumber::parse("+972501234567").unwrap(),
        name: None,
        channel: Channel::Voice,
        request: RequestKey::new("test", &["started"]).unwrap(),
        at: start,
    };
    let Booking::Booked(appointment) = world.server.app.store().book(&new, 1).await.unwrap() else {
        panic!("the store books it");
    };
    let reply = world
        .cancel(appointment.id.as_str(), &world.key, None)
        .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.error(), "the appointment has already started");
}

pub async fn reschedule_moves_or_says_taken_not_offered_or_unknown(world: &World) {
    let day = world.day;
    let first = world
        .book(world.at(day, 12, 0), "+972501234567", None)
        .await;
    let second = world
        .book(world.at(day, 14, 0), "+972502222222", None)
        .await;
    assert_eq!((first.status, second.status), (201, 201));
    let id = first.id().to_string();

    let moved = world
        .reschedule(&id, &world.key, world.at(day, 13, 0), Some("move-1"))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["id"], id.as_str());
    assert_eq!(moved.body["status"], "booked");
    assert_eq!(moved.body["version"], 2);
    assert_eq!(moved.body["start"], local(world.at(day, 13, 0)).as_str());
    assert_eq!(moved.body["end"], local(world.at(day, 13, 30)).as_str());
    let replayed = world
        .reschedule(&id, &world.key, world.at(day, 13, 0), Some("move-1"))
        .await;
    assert_eq!(replayed.status, 200, "{}", replayed.body);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.body, moved.body);
    // The old slot is free again (its 10 minutes after would have reached 13:00); the new
    // one is held.
    assert_eq!(
        world
            .book(world.at(day, 12, 0), "+972503333333", None)
            .await
            .status,
        201
    );
    let held = world
        .book(world.at(day, 13, 0), "+972504444444", None)
        .await;
    assert_eq!(held.status, 409, "{}", held.body);

    // Onto the other appointment: taken, with alternatives, and nothing moved.
    let taken = world
        .reschedule(&id, &world.key, world.at(day, 14, 0), None)
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.error(), "that time is already taken");
    assert!(!taken.alternatives().is_empty());
    // Off the grid, and outside the hours: not offered.
    for (start, reason) in [
        (world.at(day, 12, 5), "not_on_grid"),
        (world.at(day, 20, 0), "outside_hours"),
        (world.at(world.closed, 10, 0), "closed"),
    ] {
        let refused = world.reschedule(&id, &world.key, start, None).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["reason"], reason);
        assert!(!refused.alternatives().is_empty());
    }
    let listed = world.listed_on(day).await;
    let ours = listed.iter().find(|a| a["id"] == id.as_str()).unwrap();
    assert_eq!(ours["start"], local(world.at(day, 13, 0)).as_str(), "still");
    assert_eq!(ours["version"], 2);

    // A few minutes later by its own block: its own cells do not stand in the way.
    let nudged = world
        .reschedule(&id, &world.key, world.at(day, 13, 15), None)
        .await;
    assert_eq!(nudged.status, 200, "{}", nudged.body);

    // Unknown, malformed, cancelled.
    let unknown = world
        .reschedule(
            "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f",
            &world.key,
            world.at(day, 15, 0),
            None,
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(unknown.error(), "no such appointment");
    let malformed = world
        .reschedule("not-an-id", &world.key, world.at(day, 15, 0), None)
        .await;
    assert_eq!(malformed.status, 404, "{}", malformed.body);
    assert_eq!(
        world.cancel(second.id(), &world.key, None).await.status,
        200
    );
    let gone = world
        .reschedule(second.id(), &world.key, world.at(day, 15, 0), None)
        .await;
    assert_eq!(gone.status, 409, "{}", gone.body);
    assert_eq!(gone.error(), "the appointment is cancelled, not booked");

    if let Some(events) = world.events() {
        let moves = events.iter().filter(|e| *e == "appointment.rescheduled");
        assert_eq!(moves.count(), 2, "{events:?}");
    }
}

pub async fn another_business_cannot_see_or_change_an_appointment(world: &World) {
    let start = world.at(world.day, 15, 0);
    let booked = world.book(start, "+972501234567", None).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let id = booked.id();

    let path = format!(
        "{}?from={}&to={}",
        Route::ApiAppointments.path(),
        world.day,
        world.day
    );
    let theirs = world.get(&path, Some(&world.other_key)).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(theirs.body["appointments"].as_array().unwrap().is_empty());
    let cancel = world.cancel(id, &world.other_key, None).await;
    assert_eq!(cancel.status, 404, "{}", cancel.body);
    assert_eq!(cancel.error(), "no such appointment");
    let reschedule = world
        .reschedule(id, &world.other_key, world.at(world.day, 16, 0), None)
        .await;
    assert_eq!(reschedule.status, 404, "{}", reschedule.body);
    let missing = world
        .cancel("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f", &world.key, None)
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let malformed = world.cancel("not-an-id", &world.key, None).await;
    assert_eq!(malformed.status, 404, "{}", malformed.body);

    // Its own calendar is its own: the same time books there.
    let body = serde_json::json!({
        "service": super::SERVICE, "start": local(start), "phone": "+972501234567",
    });
    let own = world
        .post(
            Route::ApiAppointments.path(),
            Some(&world.other_key),
            &body.to_string(),
            None,
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    // Untouched, and still booked.
    let listed = world.listed_on(world.day).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "booked");
}
