//! Cancelling and rescheduling appointments: cells freed and claimed in the one transaction
//! that changes the appointment, versions checked, requests kept once.

use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::{AppointmentId, AppointmentStatus, NewAppointment};
use frontdesk::store::{Change, StoreError};

use super::appointments::{
    ask, booked, books, buffered, business_id, done, minutes, now, on_day, request,
};
use super::Backends;

/// `hh:mm` on the booking day for `length` minutes, as a slot and a block without buffers.
fn moved_to(start: &str, length: i64) -> (Slot, Busy) {
    let start = on_day(start);
    let end = start + minutes(length);
    (Slot { start, end }, Busy { start, end })
}

pub async fn cancelling_frees_the_slot(b: &Backends) {
    let biz = business_id();
    let new = buffered(ask(&biz, "10:00", 30), 5, 5);
    let appointment = booked(b.store.book(&new, 1).await.unwrap());
    let at = now() + minutes(3);
    let cancelled = done(
        b.store
            .cancel(&appointment.id, 1, &request(), at)
            .await
            .unwrap(),
    );
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.version, 2);
    assert_eq!(cancelled.updated_at, at);
    assert_eq!(cancelled.slot, appointment.slot);
    assert_eq!(
        b.store.appointment(&appointment.id).await.unwrap(),
        Some(cancelled)
    );
    let again = NewAppointment {
        request: request(),
        ..new
    };
    assert!(books(b, &again, 1).await, "the same slot books again");
    assert!(
        !books(b, &ask(&biz, "10:30", 5), 1).await,
        "and holds again"
    );
}

pub async fn cancelling_at_a_stale_version_conflicts(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    assert_eq!(
        b.store
            .cancel(&appointment.id, 2, &request(), now())
            .await
            .unwrap(),
        Change::Conflict(appointment.clone())
    );
    assert!(!books(b, &ask(&biz, "10:00", 30), 1).await, "still held");
    let cancelled = done(
        b.store
            .cancel(&appointment.id, 1, &request(), now())
            .await
            .unwrap(),
    );
    assert_eq!(
        b.store
            .cancel(&appointment.id, 1, &request(), now())
            .await
            .unwrap(),
        Change::Conflict(cancelled.clone()),
        "a cancelled appointment cannot be cancelled again by another request"
    );
    assert_eq!(
        b.store
            .cancel(&appointment.id, 2, &request(), now())
            .await
            .unwrap(),
        Change::Conflict(cancelled)
    );
    assert!(books(b, &ask(&biz, "10:00", 30), 1).await, "freed once");
    assert!(!books(b, &ask(&biz, "10:00", 30), 1).await);
}

pub async fn cancelling_twice_with_one_request_repeats(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 2).await.unwrap());
    let key = request();
    let cancelled = done(
        b.store
            .cancel(&appointment.id, 1, &key, now())
            .await
            .unwrap(),
    );
    assert_eq!(
        b.store
            .cancel(&appointment.id, 1, &key, now() + minutes(1))
            .await
            .unwrap(),
        Change::Repeat(cancelled)
    );
    // Freed once: two fit at capacity 2, a third does not.
    assert!(books(b, &ask(&biz, "10:00", 30), 2).await);
    assert!(books(b, &ask(&biz, "10:00", 30), 2).await);
    assert!(!books(b, &ask(&biz, "10:00", 30), 2).await);
}

pub async fn racing_cancellations_of_one_version_change_it_once(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = b.store.clone();
            let id = appointment.id.clone();
            tokio::spawn(async move { store.cancel(&id, 1, &request(), now()).await.unwrap() })
        })
        .collect();
    let mut done_count = 0;
    for task in tasks {
        match task.await.unwrap() {
            Change::Done(_) => done_count += 1,
            Change::Conflict(current) => assert_eq!(current.version, 2),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(done_count, 1);
    assert!(books(b, &ask(&biz, "10:00", 30), 1).await);
    assert!(
        !books(b, &ask(&biz, "10:00", 30), 1).await,
        "freed exactly once"
    );
}

pub async fn changing_an_unknown_appointment_is_not_found(b: &Backends) {
    let unknown = AppointmentId::generate();
    assert_eq!(
        b.store
            .cancel(&unknown, 1, &request(), now())
            .await
            .unwrap(),
        Change::NotFound
    );
    let (slot, block) = moved_to("10:00", 30);
    assert_eq!(
        b.store
            .reschedule(&unknown, 1, slot, block, 1, &request(), now())
            .await
            .unwrap(),
        Change::NotFound
    );
}

pub async fn rescheduling_moves_the_hold_atomically(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let (slot, block) = moved_to("14:00", 45);
    let at = now() + minutes(7);
    let moved = done(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), at)
            .await
            .unwrap(),
    );
    assert_eq!((moved.slot, moved.block), (slot, block));
    assert_eq!((moved.version, moved.updated_at), (2, at));
    assert_eq!(moved.status, AppointmentStatus::Booked);
    assert_eq!(moved.created_at, appointment.created_at);
    assert_eq!(
        b.store.appointment(&appointment.id).await.unwrap(),
        Some(moved.clone())
    );
    assert!(
        books(b, &ask(&biz, "10:00", 30), 1).await,
        "the old slot is free"
    );
    assert!(
        !books(b, &ask(&biz, "14:30", 5), 1).await,
        "the new one is held"
    );
    let busy = b
        .store
        .busy_blocks(&biz, on_day("13:00"), on_day("15:00"))
        .await
        .unwrap();
    assert_eq!(busy, vec![block], "listed at its new start");
    let theirs = b
        .store
        .customer_appointments(&biz, &moved.phone, on_day("12:00"))
        .await
        .unwrap();
    assert_eq!(theirs, vec![moved]);
}

pub async fn rescheduling_onto_a_full_slot_is_taken_and_changes_nothing(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let other = booked(b.store.book(&ask(&biz, "14:00", 30), 1).await.unwrap());
    // Only its last cell meets the other appointment.
    let (slot, block) = moved_to("13:35", 30);
    assert_eq!(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), now())
            .await
            .unwrap(),
        Change::Taken
    );
    assert_eq!(
        b.store.appointment(&appointment.id).await.unwrap(),
        Some(appointment)
    );
    assert!(
        !books(b, &ask(&biz, "10:00", 30), 1).await,
        "the old cells stay held"
    );
    assert!(
        books(b, &ask(&biz, "13:30", 30), 1).await,
        "no new cell was claimed"
    );
    assert_eq!(b.store.appointment(&other.id).await.unwrap(), Some(other));
}

pub async fn rescheduling_onto_an_overlapping_slot_keeps_the_shared_cells(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let (slot, block) = moved_to("10:15", 30);
    done(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), now())
            .await
            .unwrap(),
    );
    assert!(
        books(b, &ask(&biz, "10:00", 15), 1).await,
        "the cells left are free"
    );
    for start in ["10:15", "10:25", "10:40"] {
        assert!(!books(b, &ask(&biz, start, 5), 1).await, "{start} is held");
    }
    assert!(books(b, &ask(&biz, "10:45", 15), 1).await);
    // And back again, sharing cells the other way.
    let (slot, block) = moved_to("10:20", 20);
    done(
        b.store
            .reschedule(&appointment.id, 2, slot, block, 1, &request(), now())
            .await
            .unwrap(),
    );
    assert!(books(b, &ask(&biz, "10:15", 5), 1).await);
    assert!(!books(b, &ask(&biz, "10:35", 5), 1).await);
    assert!(books(b, &ask(&biz, "10:40", 5), 1).await);
}

pub async fn rescheduling_at_a_stale_version_conflicts(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let (slot, block) = moved_to("11:00", 30);
    let moved = done(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), now())
            .await
            .unwrap(),
    );
    let (slot, block) = moved_to("12:00", 30);
    assert_eq!(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), now())
            .await
            .unwrap(),
        Change::Conflict(moved)
    );
    assert!(
        books(b, &ask(&biz, "12:00", 30), 1).await,
        "nothing was claimed"
    );
}

pub async fn rescheduling_twice_with_one_request_repeats(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let key = request();
    let (slot, block) = moved_to("11:00", 30);
    let moved = done(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &key, now())
            .await
            .unwrap(),
    );
    let (later, later_block) = moved_to("12:00", 30);
    for version in [1, 2] {
        assert_eq!(
            b.store
                .reschedule(&appointment.id, version, later, later_block, 1, &key, now())
                .await
                .unwrap(),
            Change::Repeat(moved.clone())
        );
    }
    assert!(books(b, &ask(&biz, "12:00", 30), 1).await);
}

pub async fn a_reschedule_to_a_block_without_its_slot_is_refused(b: &Backends) {
    let biz = business_id();
    let appointment = booked(b.store.book(&ask(&biz, "10:00", 30), 1).await.unwrap());
    let (slot, mut block) = moved_to("11:00", 30);
    block.end = slot.end - minutes(5);
    assert!(matches!(
        b.store
            .reschedule(&appointment.id, 1, slot, block, 1, &request(), now())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        b.store.appointment(&appointment.id).await.unwrap(),
        Some(appointment)
    );
}
