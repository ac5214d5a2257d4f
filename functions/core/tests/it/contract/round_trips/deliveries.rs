//! Webhook delivery logs: each event's log about a call or an appointment — the URL it went
//! to (any an operator can set), why that one, each attempt's status code, error text and
//! latency — read back through the event's log, a later write replacing it.

use std::sync::Arc;

use frontdesk::domain::{
    AppointmentId, BusinessId, DeliveryAttempt, DeliveryLog, DeliveryState, Subject,
};
use frontdesk::store::Store;
use proptest::prelude::*;

use super::follow_ups::error_text;
use super::{check, fresh, offset_instant, text, Outcome, Stored};
use crate::contract::{call_sid, Backends};

/// A webhook URL as the business settings take it: a plausible one, or any text.
fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z0-9.-]{1,40}(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,30}){0,4}(\\?[A-Za-z0-9=&%-]{0,40})?",
        text(2048),
    ]
}

fn attempt() -> impl Strategy<Value = DeliveryAttempt> {
    (
        offset_instant(),
        prop::option::of(any::<u16>()),
        prop::option::of(error_text()),
        prop_oneof![0..60_000u64, any::<u64>()],
    )
        .prop_map(|(at, status_code, error, latency_ms)| DeliveryAttempt {
            at,
            status_code,
            error,
            latency_ms,
        })
}

fn state() -> impl Strategy<Value = DeliveryState> {
    prop::sample::select(vec![
        DeliveryState::Retrying,
        DeliveryState::Delivered,
        DeliveryState::Failed,
        DeliveryState::Skipped,
    ])
}

/// One write of an event's log: where it went, and the attempts so far.
#[derive(Clone, Debug)]
pub struct Written {
    url: Option<String>,
    route: String,
    state: DeliveryState,
    attempts: Vec<DeliveryAttempt>,
}

fn written() -> impl Strategy<Value = Written> {
    (
        prop::option::of(url()),
        prop_oneof![
            Just("inbound_webhook_url".to_string()),
            Just("no inbound/generic webhook URL set".to_string()),
            text(256)
        ],
        state(),
        prop::collection::vec(attempt(), 0..5),
    )
        .prop_map(|(url, route, state, attempts)| Written {
            url,
            route,
            state,
            attempts,
        })
}

#[derive(Clone, Debug)]
pub struct Event {
    /// About an appointment, else a call.
    appointment: bool,
    event_type: String,
    with_business: bool,
    writes: Vec<Written>,
}

fn event() -> impl Strategy<Value = Event> {
    (
        any::<bool>(),
        "(call|appointment)\\.[a-z_]{1,20}",
        any::<bool>(),
        prop::collection::vec(written(), 1..3),
    )
        .prop_map(|(appointment, event_type, with_business, writes)| Event {
            appointment,
            event_type,
            with_business,
            writes,
        })
}

pub async fn every_delivery_log_reads_back_with_its_event(b: &Backends) {
    check(b, event(), deliveries_round_trip).await;
}

async fn deliveries_round_trip(store: Arc<dyn Store>, event: Event) -> Outcome {
    let business = BusinessId::parse(&format!("rt-dlv-{}", fresh())).unwrap();
    let (subject, event_id) = if event.appointment {
        let id = AppointmentId::generate();
        (Subject::Appointment(id.clone()), format!("evt_{id}_booked"))
    } else {
        let sid = call_sid();
        (Subject::Call(sid.clone()), format!("evt_{sid}_completed"))
    };
    prop_assert_eq!(
        store
            .delivery(&subject, &event_id)
            .await
            .stored("no log yet")?,
        None
    );
    for write in event.writes {
        let log = DeliveryLog {
            event_id: event_id.clone(),
            event_type: event.event_type.clone(),
            subject: subject.clone(),
            business_id: event.with_business.then(|| business.clone()),
            url: write.url,
            route: write.route,
            state: write.state,
            attempts: write.attempts,
        };
        store.put_delivery(&log).await.stored("delivery log")?;
        prop_assert_eq!(
            store.delivery(&subject, &event_id).await.stored("log")?,
            Some(log)
        );
    }
    if let Subject::Call(sid) = &subject {
        prop_assert!(
            store
                .call_events(sid)
                .await
                .stored("call events")?
                .is_empty(),
            "a delivery log is not a status event"
        );
    }
    Ok(())
}
