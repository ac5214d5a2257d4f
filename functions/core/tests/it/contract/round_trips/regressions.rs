//! Values the round-trip properties found that a backend stored and could not read back, or
//! read back differently from the other backend, each kept as its own case.

use frontdesk::domain::{
    BusinessId, CallStatus, Direction, MessageDirection, MessageStatus, NewMessage, StatusUpdate,
};
use frontdesk::http::FormParams;
use frontdesk::meta::payload;
use frontdesk::store::CallQuery;
use frontdesk::twilio::params::callback_time;
use time::macros::datetime;

use super::fresh;
use crate::contract::{call_sid, start, Backends, T0};

/// RFC 2822 lets Twilio's `Timestamp` carry an offset of +24:00, which RFC 3339 cannot write:
/// the event was stored as the bare number `0`, and the call's events no longer read.
pub async fn a_callback_timestamped_at_offset_plus_24_hours_reads_back(b: &Backends) {
    let business = BusinessId::parse(&format!("rt-reg-{}", fresh())).unwrap();
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &business))
        .await
        .unwrap();
    let form = FormParams::from_pairs(vec![(
        "Timestamp".into(),
        "Fri, 02 Jan 1970 00:00:00 +2400".into(),
    )]);
    let completed = StatusUpdate {
        sid: sid.clone(),
        status: CallStatus::Completed,
        sequence: Some(3),
        business_id: None,
        from: None,
        to: None,
        direction: Direction::Inbound,
        duration_seconds: Some(7),
        at: callback_time(&form),
        sip_response_code: None,
        answered_by: None,
    };
    b.store.apply_call_status(&completed).await.unwrap();
    let events = b.store.call_events(&sid).await.unwrap();
    assert_eq!(events[0].at, datetime!(1970-01-01 00:00:00 UTC));
    let listed = b
        .store
        .list_calls(
            &business,
            &CallQuery {
                limit: 5,
                ..CallQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        listed.calls[0].ended_at,
        Some(datetime!(1970-01-01 00:00:00 UTC))
    );
}

/// Meta's `timestamp` is any integer: a message dated before the year 0 was stored with its
/// time as a bare number, and its whole conversation no longer read.
pub async fn a_meta_message_dated_before_the_year_0_reads_back_in_its_conversation(b: &Backends) {
    let business = BusinessId::parse(&format!("rt-reg-{}", fresh())).unwrap();
    let body = format!(
        r#"{{"entry":[{{"changes":[{{"field":"messages","value":{{"messages":[{{"id":"wamid.REG{}","from":"972501234567","timestamp":"-62167219201","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#,
        fresh()
    );
    let message = payload::parse(body.as_bytes()).unwrap()[0].messages[0].clone();
    let contact = message.from.number().clone();
    b.store
        .insert_message(&NewMessage {
            id: message.id.clone(),
            business_id: Some(business.clone()),
            direction: MessageDirection::Inbound,
            contact: Some(contact.clone()),
            from: Some(message.from.address()),
            to: None,
            content: message.content,
            status: MessageStatus::Received,
            error_code: None,
            error_message: None,
            at: message.at,
        })
        .await
        .unwrap();
    let page = b
        .store
        .conversation_messages(&business, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.messages[0].created_at, Some(message.at));
    assert!(
        message.at > T0,
        "an unwritable time reads as the time received"
    );
}

/// A `CallDuration` on a live status: DynamoDB kept it on a call still in progress, SQLite
/// did not. Only an ended call has a duration, on both.
pub async fn a_duration_sent_with_a_live_status_is_kept_only_once_the_call_ends(b: &Backends) {
    let sid = call_sid();
    let business = BusinessId::parse(&format!("rt-reg-{}", fresh())).unwrap();
    b.store
        .record_call_start(&start(&sid, &business))
        .await
        .unwrap();
    let update = |status, sequence, duration| StatusUpdate {
        sid: sid.clone(),
        status,
        sequence: Some(sequence),
        business_id: None,
        from: None,
        to: None,
        direction: Direction::Inbound,
        duration_seconds: Some(duration),
        at: T0,
        sip_response_code: None,
        answered_by: None,
    };
    b.store
        .apply_call_status(&update(CallStatus::InProgress, 1, 5))
        .await
        .unwrap();
    let live = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(
        (live.status, live.duration_seconds),
        (CallStatus::InProgress, None)
    );
    b.store
        .apply_call_status(&update(CallStatus::Completed, 2, 42))
        .await
        .unwrap();
    let ended = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(ended.duration_seconds, Some(42));
}
