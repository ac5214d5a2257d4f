//! What a customer's timeline in the inbox reads and what its actions write: a business's calls
//! and appointments with one customer, paged newest first; a number blocked and unblocked on the
//! business; a form's one-time key claimed once.

use frontdesk::domain::{
    AppointmentStatus, BusinessId, CallSid, CallStatus, Direction, FormKey, PhoneNumber, PlacedBy,
};
use frontdesk::store::{list_position, StoreError};
use jiff::Timestamp;
use time::Duration;

use super::appointments::{ask, booked, business_id, done, now, request};
use super::{business, call_sid, number, start, unique, Backends, T0};

/// An inbound call of `business` from `from`, `minutes` after [`T0`].
async fn inbound(b: &Backends, business: &BusinessId, from: &PhoneNumber, minutes: i64) -> CallSid {
    let sid = call_sid();
    let mut call = start(&sid, business);
    call.from = from.as_str().into();
    call.started_at = T0 + Duration::minutes(minutes);
    b.store.record_call_start(&call).await.unwrap();
    sid
}

fn sids(calls: &[frontdesk::domain::Call]) -> Vec<CallSid> {
    calls.iter().map(|c| c.sid.clone()).collect()
}

pub async fn a_customers_calls_are_theirs_alone_newest_first_in_pages(b: &Backends) {
    let (biz, other) = (business_id(), business_id());
    let (customer, stranger) = (number(), number());
    let mut theirs = Vec::new();
    for minute in [0, 3, 1, 4] {
        theirs.push((minute, inbound(b, &biz, &customer, minute).await));
    }
    // The business calling them back: its own number is `from`, the customer `to`.
    let back = call_sid();
    let mut callback = start(&back, &biz);
    callback.direction = Direction::OutboundApi;
    callback.from = "+97233334444".into();
    callback.to = customer.as_str().into();
    callback.started_at = T0 + Duration::minutes(2);
    b.store.record_call_start(&callback).await.unwrap();
    theirs.push((2, back));
    inbound(b, &biz, &stranger, 5).await;
    inbound(b, &other, &customer, 6).await;
    let mut anonymous = start(&call_sid(), &biz);
    anonymous.from = "anonymous".into();
    b.store.record_call_start(&anonymous).await.unwrap();
    // A repeated start (a retried webhook) is still one call on the timeline.
    let mut repeat = start(&theirs[0].1, &biz);
    repeat.from = customer.as_str().into();
    b.store.record_call_start(&repeat).await.unwrap();

    theirs.sort_by_key(|(minute, _)| std::cmp::Reverse(*minute));
    let newest_first: Vec<CallSid> = theirs.into_iter().map(|(_, sid)| sid).collect();
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..3 {
        let page = b
            .store
            .calls_with(&biz, &customer, after.as_deref(), 2)
            .await
            .unwrap();
        assert!(page.calls.len() <= 2);
        seen.extend(sids(&page.calls));
        if let Some(last) = page.calls.last() {
            assert_eq!(
                page.next.clone().unwrap_or_default(),
                if seen.len() < newest_first.len() {
                    list_position(last.started_at.unwrap(), &last.sid)
                } else {
                    String::new()
                },
                "the next page starts after the last call shown"
            );
        }
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    assert_eq!(
        seen, newest_first,
        "every call with them, once, newest first"
    );
    assert!(b
        .store
        .calls_with(&business_id(), &customer, None, 10)
        .await
        .unwrap()
        .calls
        .is_empty());
    let elsewhere = b
        .store
        .calls_with(&other, &customer, None, 10)
        .await
        .unwrap();
    assert_eq!(
        elsewhere.calls.len(),
        1,
        "another business's call is its own"
    );
}

pub async fn a_placed_call_is_on_the_timeline_of_the_customer_it_rang(b: &Backends) {
    let biz = business_id();
    let (owner, customer) = (number(), number());
    let sid = call_sid();
    // A start written as if the owner were the callee (a bridge's `To` is the owner's phone),
    // then corrected by the placing request's own start.
    let mut first = start(&sid, &biz);
    first.direction = Direction::OutboundApi;
    first.from = "+97233334444".into();
    first.to = owner.as_str().into();
    b.store.record_call_start(&first).await.unwrap();
    assert_eq!(
        sids(
            &b.store
                .calls_with(&biz, &owner, None, 5)
                .await
                .unwrap()
                .calls
        ),
        vec![sid.clone()]
    );
    let mut placed = first.clone();
    placed.to = customer.as_str().into();
    placed.status = CallStatus::Queued;
    placed.placed = Some(PlacedBy {
        purpose: "callback".into(),
        requested_by: "inbox".into(),
    });
    b.store.record_call_start(&placed).await.unwrap();
    b.store.record_call_start(&placed).await.unwrap();
    assert_eq!(
        sids(
            &b.store
                .calls_with(&biz, &customer, None, 5)
                .await
                .unwrap()
                .calls
        ),
        vec![sid]
    );
    assert!(
        b.store
            .calls_with(&biz, &owner, None, 5)
            .await
            .unwrap()
            .calls
            .is_empty(),
        "the owner's phone is not the customer"
    );
}

pub async fn a_customers_appointments_are_all_of_theirs_latest_booked_first(b: &Backends) {
    let biz = business_id();
    let phone = number();
    let mut mine = Vec::new();
    for start in ["12:00", "09:00", "10:00"] {
        let mut new = ask(&biz, start, 30);
        new.phone = phone.clone();
        mine.push(booked(b.store.book(&new, 1).await.unwrap()));
    }
    let cancelled = done(
        b.store
            .cancel(&mine[1].id, 1, &request(), now())
            .await
            .unwrap(),
    );
    mine[1] = cancelled;
    booked(b.store.book(&ask(&biz, "11:00", 30), 1).await.unwrap());
    let elsewhere = business_id();
    let mut theirs = ask(&elsewhere, "12:00", 30);
    theirs.phone = phone.clone();
    booked(b.store.book(&theirs, 1).await.unwrap());

    let first = b
        .store
        .appointments_with(&biz, &phone, None, 2)
        .await
        .unwrap();
    assert_eq!(first.appointments, vec![mine[2].clone(), mine[1].clone()]);
    assert_eq!(first.appointments[1].status, AppointmentStatus::Cancelled);
    let next = first.next.expect("a third one follows");
    let second = b
        .store
        .appointments_with(&biz, &phone, Some(&next), 2)
        .await
        .unwrap();
    assert_eq!(second.appointments, vec![mine[0].clone()]);
    assert_eq!(second.next, None);
    assert_eq!(
        b.store
            .appointments_with(&elsewhere, &phone, None, 10)
            .await
            .unwrap()
            .appointments
            .len(),
        1
    );
    assert!(matches!(
        b.store
            .appointments_with(&biz, &phone, Some("2026-11-21T10:00:00Z#x"), 2)
            .await,
        Err(StoreError::BadCursor(_))
    ));
}

pub async fn a_number_is_blocked_and_unblocked_and_nothing_else_changes(b: &Backends) {
    let owner = business(vec![number()]);
    b.store.put_business(&owner).await.unwrap();
    let (caller, other) = (number(), number());
    assert_eq!(
        b.store
            .set_number_blocked(&business_id(), &caller, true)
            .await
            .unwrap(),
        None,
        "no such business"
    );
    let blocked = b
        .store
        .set_number_blocked(&owner.id, &caller, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(blocked.blocked_numbers, vec![caller.clone()]);
    let again = b
        .store
        .set_number_blocked(&owner.id, &caller, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, blocked, "blocking twice is blocking once");
    b.store
        .set_number_blocked(&owner.id, &other, true)
        .await
        .unwrap();
    let unblocked = b
        .store
        .set_number_blocked(&owner.id, &caller, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unblocked.blocked_numbers, vec![other.clone()]);
    let stored = b.store.business(&owner.id).await.unwrap().unwrap();
    assert_eq!(stored, unblocked);
    let mut expected = owner.clone();
    expected.blocked_numbers = vec![other];
    assert_eq!(stored, expected, "every other setting as it was");
    assert_eq!(
        b.store
            .business_by_number(&owner.phone_numbers[0])
            .await
            .unwrap()
            .map(|found| found.blocked_numbers),
        Some(stored.blocked_numbers),
        "read through the number index as well"
    );
}

pub async fn racing_blocks_of_different_numbers_keep_them_all(b: &Backends) {
    let owner = business(vec![]);
    b.store.put_business(&owner).await.unwrap();
    let numbers: Vec<PhoneNumber> = (0..6).map(|_| number()).collect();
    let tasks: Vec<_> = numbers
        .iter()
        .map(|n| {
            let (store, id, n) = (b.store.clone(), owner.id.clone(), n.clone());
            tokio::spawn(async move { store.set_number_blocked(&id, &n, true).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut blocked = b
        .store
        .business(&owner.id)
        .await
        .unwrap()
        .unwrap()
        .blocked_numbers;
    blocked.sort();
    let mut expected = numbers;
    expected.sort();
    assert_eq!(blocked, expected);
}

pub async fn a_form_key_is_claimed_once_per_business_also_when_raced(b: &Backends) {
    let (biz, other) = (
        BusinessId::parse(&format!("form-{}", unique())).unwrap(),
        business_id(),
    );
    let at: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
    let key = FormKey::generate();
    assert!(b.store.claim_form_key(&biz, &key, at).await.unwrap());
    assert!(
        !b.store.claim_form_key(&biz, &key, at).await.unwrap(),
        "a double submit"
    );
    assert!(
        b.store.claim_form_key(&other, &key, at).await.unwrap(),
        "another business's forms are its own"
    );
    let raced = FormKey::generate();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, biz, raced) = (b.store.clone(), biz.clone(), raced.clone());
            tokio::spawn(async move { store.claim_form_key(&biz, &raced, at).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        won += usize::from(task.await.unwrap());
    }
    assert_eq!(won, 1);
}
