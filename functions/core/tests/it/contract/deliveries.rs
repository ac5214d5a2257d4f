//! Business webhook delivery logs, kept with their subject (a call or an appointment), and
//! signing secrets.

use frontdesk::domain::{AppointmentId, DeliveryAttempt, DeliveryLog, DeliveryState, Subject};
use time::Duration;

use super::{business, call_sid, Backends, T0};

pub async fn delivery_logs_and_webhook_secrets_round_trip(b: &Backends) {
    use frontdesk::config::Secret;
    let owner = business(vec![]);
    assert!(b.store.webhook_secret(&owner.id).await.unwrap().is_none());
    let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    b.store
        .put_webhook_secret(&owner.id, &secret)
        .await
        .unwrap();
    assert_eq!(
        b.store.webhook_secret(&owner.id).await.unwrap(),
        Some(secret)
    );

    let sid = call_sid();
    let subject = Subject::Call(sid.clone());
    let event_id = format!("evt_{sid}_completed");
    assert!(b
        .store
        .delivery(&subject, &event_id)
        .await
        .unwrap()
        .is_none());
    let mut log = DeliveryLog {
        event_id: event_id.clone(),
        event_type: "call.completed".into(),
        subject: subject.clone(),
        business_id: Some(owner.id.clone()),
        url: Some("https://crm.example.com/hooks".into()),
        route: "inbound_webhook_url".into(),
        state: DeliveryState::Retrying,
        attempts: vec![DeliveryAttempt {
            at: T0,
            status_code: Some(500),
            error: None,
            latency_ms: 12,
        }],
    };
    b.store.put_delivery(&log).await.unwrap();
    log.state = DeliveryState::Delivered;
    log.attempts.push(DeliveryAttempt {
        at: T0 + Duration::seconds(30),
        status_code: Some(200),
        error: None,
        latency_ms: 8,
    });
    b.store.put_delivery(&log).await.unwrap();
    assert_eq!(
        b.store.delivery(&subject, &event_id).await.unwrap(),
        Some(log)
    );
    assert!(
        b.store.call_events(&sid).await.unwrap().is_empty(),
        "a delivery log is not a status event"
    );
}

pub async fn an_appointment_delivery_log_is_kept_apart_from_calls(b: &Backends) {
    let owner = business(vec![]);
    let id = AppointmentId::generate();
    let appointment = Subject::Appointment(id.clone());
    let event_id = format!("evt_{id}_rescheduled_v2");
    assert!(b
        .store
        .delivery(&appointment, &event_id)
        .await
        .unwrap()
        .is_none());
    let log = DeliveryLog {
        event_id: event_id.clone(),
        event_type: "appointment.rescheduled".into(),
        subject: appointment.clone(),
        business_id: Some(owner.id.clone()),
        url: Some("https://crm.example.com/hooks".into()),
        route: "generic_webhook_url".into(),
        state: DeliveryState::Delivered,
        attempts: vec![DeliveryAttempt {
            at: T0,
            status_code: Some(204),
            error: None,
            latency_ms: 9,
        }],
    };
    b.store.put_delivery(&log).await.unwrap();
    assert_eq!(
        b.store.delivery(&appointment, &event_id).await.unwrap(),
        Some(log.clone())
    );
    // Each reschedule is its own event, with its own log.
    assert!(b
        .store
        .delivery(&appointment, &format!("evt_{id}_rescheduled_v3"))
        .await
        .unwrap()
        .is_none());

    // A call's log under the same event id is another record, and leaves this one as it was.
    let sid = call_sid();
    let call = Subject::Call(sid.clone());
    assert!(b.store.delivery(&call, &event_id).await.unwrap().is_none());
    let call_log = DeliveryLog {
        subject: call.clone(),
        event_type: "call.completed".into(),
        state: DeliveryState::Skipped,
        attempts: vec![],
        ..log.clone()
    };
    b.store.put_delivery(&call_log).await.unwrap();
    assert_eq!(
        b.store.delivery(&call, &event_id).await.unwrap(),
        Some(call_log)
    );
    assert_eq!(
        b.store.delivery(&appointment, &event_id).await.unwrap(),
        Some(log)
    );
    assert!(
        b.store.call_events(&sid).await.unwrap().is_empty(),
        "a delivery log is not a status event"
    );
}
