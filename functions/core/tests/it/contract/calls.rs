//! Calls: idempotent start, monotonic status, every callback kept once, and listing.

use frontdesk::domain::{BusinessId, CallStatus, Direction};
use time::Duration;

use super::{business, call_sid, permutations, start, update, Backends, T0};

pub async fn a_repeated_call_start_changes_nothing(b: &Backends) {
    let sid = call_sid();
    let biz = BusinessId::parse("acme").unwrap();
    b.store.record_call_start(&start(&sid, &biz)).await.unwrap();
    let first = b.store.call(&sid).await.unwrap().unwrap();
    let mut retry = start(&sid, &biz);
    retry.started_at = T0 + Duration::seconds(5);
    b.store.record_call_start(&retry).await.unwrap();
    let second = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(first, second);
    assert_eq!(second.caller_name.as_deref(), Some("<Dana & \"Co\">"));
    assert_eq!(second.status, CallStatus::Ringing);
    assert_eq!(second.business_id, Some(biz));
    assert_eq!(second.started_at, Some(T0));
    assert_eq!(b.store.call(&call_sid()).await.unwrap(), None);
}

pub async fn a_status_callback_before_the_start_creates_the_call(b: &Backends) {
    let sid = call_sid();
    let mut first = update(&sid, CallStatus::Completed, Some(3));
    first.business_id = Some(BusinessId::parse("acme").unwrap());
    first.direction = Direction::OutboundApi;
    assert!(b.store.apply_call_status(&first).await.unwrap());
    b.store
        .record_call_start(&start(&sid, &BusinessId::parse("acme").unwrap()))
        .await
        .unwrap();
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(
        call.status,
        CallStatus::Completed,
        "the start's ringing never moves a completed call back"
    );
    assert_eq!(call.duration_seconds, Some(42));
    assert_eq!(call.direction, Direction::OutboundApi);
    assert_eq!(
        call.caller_name.as_deref(),
        Some("<Dana & \"Co\">"),
        "the start fills what the callback lacked"
    );
    assert_eq!(call.started_at, Some(T0));
}

pub async fn five_statuses_in_every_order_end_in_the_same_state(b: &Backends) {
    use CallStatus::*;
    let lifecycle = [
        (Queued, 0),
        (Initiated, 1),
        (Ringing, 2),
        (InProgress, 3),
        (Completed, 4),
    ];
    for (with_sequence, orders) in [
        (true, permutations(&lifecycle)),
        (false, permutations(&lifecycle)),
    ] {
        for order in orders {
            let sid = call_sid();
            for (status, seq) in &order {
                let sequence = with_sequence.then_some(*seq);
                b.store
                    .apply_call_status(&update(&sid, *status, sequence))
                    .await
                    .unwrap();
            }
            let call = b.store.call(&sid).await.unwrap().unwrap();
            assert_eq!(
                call.status, Completed,
                "order {order:?} (sequence numbers: {with_sequence})"
            );
            assert_eq!(call.duration_seconds, Some(42));
            assert!(call.ended_at.is_some(), "a final status sets ended_at");
            assert_eq!(
                b.store.call_events(&sid).await.unwrap().len(),
                5,
                "every callback is kept"
            );
        }
    }
}

pub async fn a_duplicate_status_callback_stores_one_event(b: &Backends) {
    let sid = call_sid();
    let completed = update(&sid, CallStatus::Completed, Some(4));
    assert!(b.store.apply_call_status(&completed).await.unwrap());
    assert!(!b.store.apply_call_status(&completed).await.unwrap());
    let events = b.store.call_events(&sid).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, CallStatus::Completed);
    assert_eq!(events[0].sequence, Some(4));
    assert_eq!(events[0].duration_seconds, Some(42));
}

pub async fn events_come_back_in_sequence_order(b: &Backends) {
    let sid = call_sid();
    for (status, seq) in [
        (CallStatus::Completed, 3),
        (CallStatus::Ringing, 1),
        (CallStatus::InProgress, 2),
    ] {
        b.store
            .apply_call_status(&update(&sid, status, Some(seq)))
            .await
            .unwrap();
    }
    let sequences: Vec<_> = b
        .store
        .call_events(&sid)
        .await
        .unwrap()
        .iter()
        .map(|e| e.sequence)
        .collect();
    assert_eq!(sequences, vec![Some(1), Some(2), Some(3)]);
}

pub async fn recording_status_and_digits_are_kept(b: &Backends) {
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &BusinessId::parse("acme").unwrap()))
        .await
        .unwrap();
    b.store
        .set_recording_status(&sid, "completed")
        .await
        .unwrap();
    b.store.store_gathered_digits(&sid, "123456").await.unwrap();
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.recording_status.as_deref(), Some("completed"));
    assert_eq!(call.gathered_digits.as_deref(), Some("123456"));
    assert_eq!(call.status, CallStatus::Ringing);
}

pub async fn calls_are_listed_newest_first_filtered_and_paged(b: &Backends) {
    use frontdesk::store::CallQuery;
    let other = business(vec![]);
    let business = business(vec![]);
    let mut sids = Vec::new();
    for minute in 0..5 {
        let sid = call_sid();
        let mut s = start(&sid, &business.id);
        s.started_at = T0 + Duration::minutes(minute);
        s.direction = if minute == 2 {
            Direction::OutboundApi
        } else {
            Direction::Inbound
        };
        b.store.record_call_start(&s).await.unwrap();
        sids.push(sid);
    }
    b.store
        .apply_call_status(&update(&sids[4], CallStatus::Completed, None))
        .await
        .unwrap();
    b.store
        .record_call_start(&start(&call_sid(), &other.id))
        .await
        .unwrap();

    let query = |limit| CallQuery {
        limit,
        ..CallQuery::default()
    };
    let first = b.store.list_calls(&business.id, &query(2)).await.unwrap();
    let seen: Vec<_> = first.calls.iter().map(|c| c.sid.clone()).collect();
    assert_eq!(seen, vec![sids[4].clone(), sids[3].clone()], "newest first");
    let second = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                after: first.next.clone(),
                ..query(2)
            },
        )
        .await
        .unwrap();
    let seen: Vec<_> = second.calls.iter().map(|c| c.sid.clone()).collect();
    assert_eq!(seen, vec![sids[2].clone(), sids[1].clone()]);
    let last = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                after: second.next.clone(),
                ..query(2)
            },
        )
        .await
        .unwrap();
    assert_eq!(last.calls.len(), 1);
    assert_eq!(last.next, None, "no page after the last");

    let outbound = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                direction: Some(Direction::OutboundApi),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(outbound.calls.len(), 1);
    assert_eq!(outbound.calls[0].sid, sids[2]);
    let completed = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                status: Some(CallStatus::Completed),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(completed.calls.len(), 1);
    assert_eq!(completed.calls[0].sid, sids[4]);
    let recent = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                since: Some(T0 + Duration::minutes(3)),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(recent.calls.len(), 2);
}
