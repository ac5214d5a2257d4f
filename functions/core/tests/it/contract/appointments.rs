//! The appointment half of the store contract: booking under the counted cell locks, racing
//! bookings, repeats, and the listings. Cancelling and rescheduling are in
//! `appointment_changes.rs`.

use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    Appointment, AppointmentStatus, BusinessId, Channel, NewAppointment, RequestKey,
};
use frontdesk::store::{AppointmentQuery, Booking, Change, StoreError};
use jiff::{SignedDuration, Timestamp};

use super::{number, unique, Backends};

/// When the bookings are made: two days before the day they are for.
pub fn now() -> Timestamp {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

/// `hh:mm` UTC on the day the bookings are for.
pub fn on_day(time: &str) -> Timestamp {
    format!("2026-11-23T{time}:00Z").parse().unwrap()
}

pub fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

pub fn business_id() -> BusinessId {
    BusinessId::parse(&format!("appt-{}", unique())).unwrap()
}

pub fn request() -> RequestKey {
    RequestKey::new("api", &[&unique()]).unwrap()
}

/// A booking of `length` minutes from `start` (`hh:mm`), with no buffers, by a new customer.
pub fn ask(business: &BusinessId, start: &str, length: i64) -> NewAppointment {
    let start = on_day(start);
    let slot = Slot {
        start,
        end: start + minutes(length),
    };
    NewAppointment {
        business_id: business.clone(),
        service: ServiceId::parse("checkup").unwrap(),
        slot,
        block: Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: "Asia/Jerusalem".into(),
        phone: number(),
        name: Some("דנה & \"Co\"".into()),
        channel: Channel::Whatsapp,
        request: request(),
        at: now(),
    }
}

/// `new` with buffers of `before` and `after` minutes around its slot.
pub fn buffered(mut new: NewAppointment, before: i64, after: i64) -> NewAppointment {
    new.block = Busy {
        start: new.slot.start - minutes(before),
        end: new.slot.end + minutes(after),
    };
    new
}

pub fn booked(outcome: Booking) -> Appointment {
    match outcome {
        Booking::Booked(appointment) => appointment,
        other => panic!("expected Booked, got {other:?}"),
    }
}

pub fn done(outcome: Change) -> Appointment {
    match outcome {
        Change::Done(appointment) => appointment,
        other => panic!("expected Done, got {other:?}"),
    }
}

/// Books `new` at `capacity` and says whether it was booked (`Taken` otherwise).
pub async fn books(b: &Backends, new: &NewAppointment, capacity: u32) -> bool {
    match b.store.book(new, capacity).await.unwrap() {
        Booking::Booked(_) => true,
        Booking::Taken => false,
        Booking::Repeat(a) => panic!("a fresh request repeated {a:?}"),
    }
}

fn query(from: &str, to: &str, status: Option<AppointmentStatus>) -> AppointmentQuery {
    AppointmentQuery {
        from: on_day(from),
        to: on_day(to),
        status,
        after: None,
        limit: 50,
    }
}

fn starts(appointments: &[Appointment]) -> Vec<Timestamp> {
    appointments.iter().map(|a| a.slot.start).collect()
}

/// Books `copies` different customers into one slot at once and counts the outcomes.
async fn race(b: &Backends, new: &NewAppointment, copies: usize, capacity: u32) -> (usize, usize) {
    let tasks: Vec<_> = (0..copies)
        .map(|_| {
            let store = b.store.clone();
            let mut new = new.clone();
            new.request = request();
            new.phone = number();
            tokio::spawn(async move { store.book(&new, capacity).await.unwrap() })
        })
        .collect();
    let (mut booked, mut taken) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Booking::Booked(_) => booked += 1,
            Booking::Taken => taken += 1,
            Booking::Repeat(a) => panic!("distinct requests repeated {a:?}"),
        }
    }
    (booked, taken)
}

pub async fn a_booking_reads_back_with_every_field(b: &Backends) {
    let biz = business_id();
    let new = buffered(ask(&biz, "10:00", 30), 10, 15);
    let stored = booked(b.store.book(&new, 1).await.unwrap());
    assert_eq!(stored.id.as_str().len(), 32);
    assert_eq!(stored, new.clone().into_appointment(stored.id.clone()));
    assert_eq!(stored.status, AppointmentStatus::Booked);
    assert_eq!(stored.version, 1);
    assert_eq!(stored.source, new.request.as_str());
    assert_eq!(b.store.appointment(&stored.id).await.unwrap(), Some(stored));

    // No name, another channel, times off the grid and with fractions.
    let mut plain = ask(&biz, "12:00", 20);
    plain.name = None;
    plain.channel = Channel::Voice;
    plain.slot.start += SignedDuration::from_millis(1_500);
    plain.block.start = plain.slot.start - SignedDuration::from_secs(61);
    plain.at = now() + SignedDuration::from_nanos(250);
    let stored = booked(b.store.book(&plain, 1).await.unwrap());
    assert_eq!(
        b.store.appointment(&stored.id).await.unwrap(),
        Some(plain.into_appointment(stored.id.clone()))
    );
    let unknown = frontdesk::domain::AppointmentId::generate();
    assert_eq!(b.store.appointment(&unknown).await.unwrap(), None);
}

pub async fn a_block_that_does_not_hold_its_slot_is_refused(b: &Backends) {
    let biz = business_id();
    let mut early = ask(&biz, "10:00", 30);
    early.block.start += minutes(5);
    let mut long = ask(&biz, "10:00", 30);
    long.block.end = long.block.start + minutes(245);
    for new in [early, long] {
        assert!(
            matches!(b.store.book(&new, 1).await, Err(StoreError::Invalid(_))),
            "{new:?}"
        );
    }
    assert!(
        books(b, &ask(&biz, "10:00", 30), 1).await,
        "nothing was held"
    );
}

pub async fn a_repeated_booking_request_books_once(b: &Backends) {
    let biz = business_id();
    let new = ask(&biz, "10:00", 30);
    let first = booked(b.store.book(&new, 2).await.unwrap());
    let mut retry = new.clone();
    retry.at = now() + minutes(1);
    assert_eq!(
        b.store.book(&retry, 2).await.unwrap(),
        Booking::Repeat(first.clone())
    );
    let page = b
        .store
        .list_appointments(&biz, &query("00:00", "23:55", None))
        .await
        .unwrap();
    assert_eq!(page.appointments, vec![first]);
    // The repeat held nothing: one more customer fits at capacity 2, a third does not.
    assert!(books(b, &ask(&biz, "10:00", 30), 2).await);
    assert!(!books(b, &ask(&biz, "10:00", 30), 2).await);
}

pub async fn a_spent_request_names_its_appointment_and_a_new_one_nothing(b: &Backends) {
    let biz = business_id();
    let new = ask(&biz, "11:00", 30);
    assert_eq!(
        b.store
            .appointment_for_request(&biz, &new.request)
            .await
            .unwrap(),
        None
    );
    let first = booked(b.store.book(&new, 1).await.unwrap());
    assert_eq!(
        b.store
            .appointment_for_request(&biz, &new.request)
            .await
            .unwrap(),
        Some(first)
    );
    // Request keys are the business's own: another business's same key is unspent.
    assert_eq!(
        b.store
            .appointment_for_request(&business_id(), &new.request)
            .await
            .unwrap(),
        None
    );
}

pub async fn racing_copies_of_one_booking_request_book_once(b: &Backends) {
    let biz = business_id();
    let new = ask(&biz, "10:00", 30);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let store = b.store.clone();
            let new = new.clone();
            tokio::spawn(async move { store.book(&new, 3).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let made: Vec<&Appointment> = outcomes
        .iter()
        .filter_map(|o| match o {
            Booking::Booked(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(made.len(), 1, "{outcomes:?}");
    let made = made[0].clone();
    for outcome in &outcomes {
        assert!(
            *outcome == Booking::Booked(made.clone()) || *outcome == Booking::Repeat(made.clone()),
            "{outcome:?}"
        );
    }
    // One hold: two more customers fit at capacity 3, a fourth does not.
    assert!(books(b, &ask(&biz, "10:00", 30), 3).await);
    assert!(books(b, &ask(&biz, "10:00", 30), 3).await);
    assert!(!books(b, &ask(&biz, "10:00", 30), 3).await);
}

pub async fn twenty_racing_bookings_of_one_slot_book_exactly_once(b: &Backends) {
    let biz = business_id();
    let new = buffered(ask(&biz, "10:00", 30), 5, 10);
    assert_eq!(race(b, &new, 20, 1).await, (1, 19));
    let busy = b
        .store
        .busy_blocks(&biz, on_day("00:00"), on_day("23:55"))
        .await
        .unwrap();
    assert_eq!(busy, vec![new.block]);
}

pub async fn racing_bookings_at_capacity_two_book_exactly_twice(b: &Backends) {
    let biz = business_id();
    let new = ask(&biz, "10:00", 30);
    assert_eq!(race(b, &new, 12, 2).await, (2, 10));
    let page = b
        .store
        .list_appointments(&biz, &query("00:00", "23:55", None))
        .await
        .unwrap();
    assert_eq!(page.appointments.len(), 2);
}

pub async fn blocks_sharing_one_cell_conflict_at_capacity_one(b: &Backends) {
    let biz = business_id();
    assert!(books(b, &ask(&biz, "10:00", 30), 1).await);
    // Its own slot starts when the first ends; its 5-minute buffer reaches one cell back.
    let overlapping = buffered(ask(&biz, "10:30", 30), 5, 0);
    assert!(!books(b, &overlapping, 1).await);
    assert!(books(b, &overlapping, 2).await, "at capacity 2 it fits");
}

pub async fn adjacent_blocks_both_book(b: &Backends) {
    let biz = business_id();
    assert!(books(b, &buffered(ask(&biz, "10:00", 20), 0, 10), 1).await);
    assert!(books(b, &ask(&biz, "10:30", 30), 1).await);
    assert!(books(b, &buffered(ask(&biz, "09:45", 15), 15, 0), 1).await);
}

pub async fn appointments_are_listed_by_start_filtered_and_paged(b: &Backends) {
    let biz = business_id();
    let mut ids = Vec::new();
    for start in ["09:00", "10:00", "11:00", "12:00", "13:00"] {
        ids.push(booked(
            b.store.book(&ask(&biz, start, 30), 1).await.unwrap(),
        ));
    }
    // Another business's appointment at the same time is not listed.
    booked(
        b.store
            .book(&ask(&business_id(), "10:00", 30), 1)
            .await
            .unwrap(),
    );
    done(
        b.store
            .cancel(&ids[2].id, 1, &request(), now())
            .await
            .unwrap(),
    );

    let all = b
        .store
        .list_appointments(&biz, &query("10:00", "13:00", None))
        .await
        .unwrap();
    assert_eq!(
        starts(&all.appointments),
        [on_day("10:00"), on_day("11:00"), on_day("12:00")],
        "from is inclusive, to exclusive"
    );
    assert_eq!(all.next, None);
    let booked_only = b
        .store
        .list_appointments(
            &biz,
            &query("09:00", "14:00", Some(AppointmentStatus::Booked)),
        )
        .await
        .unwrap();
    assert_eq!(
        starts(&booked_only.appointments),
        [
            on_day("09:00"),
            on_day("10:00"),
            on_day("12:00"),
            on_day("13:00")
        ]
    );
    let cancelled = b
        .store
        .list_appointments(
            &biz,
            &query("09:00", "14:00", Some(AppointmentStatus::Cancelled)),
        )
        .await
        .unwrap();
    assert_eq!(starts(&cancelled.appointments), [on_day("11:00")]);
    assert_eq!(
        cancelled.appointments[0].status,
        AppointmentStatus::Cancelled
    );

    // Pages of two, then of two with a status filter that skips one.
    let mut paged = query("09:00", "14:00", None);
    paged.limit = 2;
    let mut seen = Vec::new();
    loop {
        let page = b.store.list_appointments(&biz, &paged).await.unwrap();
        assert!(page.appointments.len() <= 2);
        seen.extend(starts(&page.appointments));
        match page.next {
            Some(next) => paged.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, starts(&ids));
    let mut filtered = query("09:00", "14:00", Some(AppointmentStatus::Booked));
    filtered.limit = 2;
    let first = b.store.list_appointments(&biz, &filtered).await.unwrap();
    assert_eq!(
        starts(&first.appointments),
        [on_day("09:00"), on_day("10:00")]
    );
    filtered.after = first.next;
    let second = b.store.list_appointments(&biz, &filtered).await.unwrap();
    assert_eq!(
        starts(&second.appointments),
        [on_day("12:00"), on_day("13:00")]
    );
    assert_eq!(second.next, None);

    let mut bad = query("09:00", "14:00", None);
    bad.after = Some("not-a-cursor".into());
    assert!(matches!(
        b.store.list_appointments(&biz, &bad).await,
        Err(StoreError::BadCursor(_))
    ));
}

pub async fn busy_blocks_are_the_booked_blocks_overlapping_the_window(b: &Backends) {
    let biz = business_id();
    let book = async |new: NewAppointment| booked(b.store.book(&new, 5).await.unwrap());
    // The window is [09:00, 09:50).
    let starts_before = book(buffered(ask(&biz, "08:30", 30), 0, 30)).await;
    let ends_at_from = book(buffered(ask(&biz, "07:00", 60), 0, 60)).await;
    let buffer_reaches_in = book(buffered(ask(&biz, "10:00", 30), 15, 0)).await;
    let starts_at_to = book(ask(&biz, "09:50", 10)).await;
    let cancelled = book(ask(&biz, "09:15", 15)).await;
    // The longest blocks, whose slots start nearly four hours outside the window.
    let long_before = book(buffered(ask(&biz, "05:10", 5), 0, 235)).await;
    let long_after = book(buffered(ask(&biz, "13:40", 5), 235, 0)).await;
    done(
        b.store
            .cancel(&cancelled.id, 1, &request(), now())
            .await
            .unwrap(),
    );
    let mut busy = b
        .store
        .busy_blocks(&biz, on_day("09:00"), on_day("09:50"))
        .await
        .unwrap();
    busy.sort();
    let mut expected = vec![
        starts_before.block,
        buffer_reaches_in.block,
        long_before.block,
        long_after.block,
    ];
    expected.sort();
    assert_eq!(busy, expected);
    assert!(!busy.contains(&ends_at_from.block) && !busy.contains(&starts_at_to.block));
    assert!(b
        .store
        .busy_blocks(&business_id(), on_day("00:00"), on_day("23:55"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_customers_appointments_are_their_booked_ones_soonest_first(b: &Backends) {
    let biz = business_id();
    let phone = number();
    let mine = async |start: &str| {
        let mut new = ask(&biz, start, 30);
        new.phone = phone.clone();
        booked(b.store.book(&new, 1).await.unwrap())
    };
    let _past = mine("09:00").await;
    let noon = mine("12:00").await;
    let ten = mine("10:00").await;
    let eleven = mine("11:00").await;
    done(
        b.store
            .cancel(&eleven.id, 1, &request(), now())
            .await
            .unwrap(),
    );
    booked(b.store.book(&ask(&biz, "10:30", 15), 1).await.unwrap());
    let theirs = b
        .store
        .customer_appointments(&biz, &phone, on_day("09:30"))
        .await
        .unwrap();
    assert_eq!(theirs, vec![ten, noon]);
    assert!(b
        .store
        .customer_appointments(&business_id(), &phone, on_day("00:00"))
        .await
        .unwrap()
        .is_empty());
}
