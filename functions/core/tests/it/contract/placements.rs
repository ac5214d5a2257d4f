//! Outbound call placements, the placed call's start, and the pacing counters.

use frontdesk::domain::{
    BusinessId, CallStatus, Direction, Hears, PlacedBy, Placement, PlacementId, PlacementState,
    Purpose, Requester,
};

use super::{business, call_sid, number, start, unique, update, Backends, T0};

fn placement(key: &str) -> Placement {
    let business = business(vec![number()]);
    Placement {
        id: PlacementId::derive(&business.id, key),
        business_id: business.id.clone(),
        to: number(),
        from: business.phone_numbers[0].clone(),
        hears: Hears::Say {
            text: "Your appointment is tomorrow at ten".into(),
            language: "en-US".into(),
        },
        purpose: Purpose::reminder(),
        requested_by: Requester::cli(),
        created_at: T0,
        state: PlacementState::Pending,
    }
}

pub async fn a_placement_is_claimed_once_settled_and_released(b: &Backends) {
    let first = placement(&format!("api:{}", unique()));
    assert_eq!(b.store.claim_placement(&first).await.unwrap(), None);
    let racing = (0..5).map(|_| {
        let store = b.store.clone();
        let again = first.clone();
        tokio::spawn(async move { store.claim_placement(&again).await.unwrap() })
    });
    for claim in racing {
        assert_eq!(
            claim.await.unwrap(),
            Some(first.clone()),
            "taken: the first comes back"
        );
    }
    let placed = Placement {
        state: PlacementState::Placed {
            call_sid: call_sid(),
            status: CallStatus::Queued,
        },
        ..first.clone()
    };
    b.store.save_placement(&placed).await.unwrap();
    assert_eq!(b.store.placement(&first.id).await.unwrap(), Some(placed));
    b.store.release_placement(&first.id).await.unwrap();
    assert_eq!(b.store.placement(&first.id).await.unwrap(), None);
    assert_eq!(
        b.store.claim_placement(&first).await.unwrap(),
        None,
        "free again"
    );
}

pub async fn a_placed_start_merges_with_callbacks_that_came_first(b: &Backends) {
    let sid = call_sid();
    let biz = BusinessId::parse(&format!("biz-{}", unique())).unwrap();
    // Twilio's callbacks beat the placing request's own write: a bridge's `To` is the owner.
    let mut ringing = update(&sid, CallStatus::Ringing, Some(1));
    ringing.direction = Direction::OutboundApi;
    ringing.to = Some("+972541111111".into());
    b.store.apply_call_status(&ringing).await.unwrap();
    let mut answered = update(&sid, CallStatus::InProgress, Some(2));
    answered.answered_by = Some("machine_end_beep".into());
    b.store.apply_call_status(&answered).await.unwrap();

    let mut placed = start(&sid, &biz);
    placed.status = CallStatus::Queued;
    placed.direction = Direction::OutboundApi;
    placed.to = "+972501234567".into();
    placed.placed = Some(PlacedBy {
        purpose: "callback".into(),
        requested_by: "api-key:0123456789ab".into(),
    });
    b.store.record_call_start(&placed).await.unwrap();
    b.store.record_call_start(&placed).await.unwrap();

    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(
        call.status,
        CallStatus::InProgress,
        "queued never moves it back"
    );
    assert_eq!(
        call.to.as_deref(),
        Some("+972501234567"),
        "the customer, not the owner"
    );
    assert_eq!(call.direction, Direction::OutboundApi);
    assert_eq!(call.purpose.as_deref(), Some("callback"));
    assert_eq!(call.requested_by.as_deref(), Some("api-key:0123456789ab"));
    assert_eq!(call.answered_by.as_deref(), Some("machine_end_beep"));
    assert_eq!(call.started_at, Some(T0));
    assert_eq!(call.business_id, Some(biz));
}

pub async fn placements_are_counted_atomically_per_account_and_second(b: &Backends) {
    let account = format!("AC{}", unique());
    let second = T0.unix_timestamp();
    let counts = (0..8).map(|_| {
        let store = b.store.clone();
        let account = account.clone();
        tokio::spawn(async move { store.count_placement(&account, second).await.unwrap() })
    });
    let mut seen = Vec::new();
    for count in counts {
        seen.push(count.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=8).collect::<Vec<u64>>());
    assert_eq!(
        b.store.count_placement(&account, second + 1).await.unwrap(),
        1
    );
    assert_eq!(
        b.store
            .count_placement(&format!("{account}x"), second)
            .await
            .unwrap(),
        1,
        "counted per account"
    );
}
