//! Business webhook delivery logs and signing secrets.

use time::Duration;

use super::{business, call_sid, Backends, T0};

pub async fn delivery_logs_and_webhook_secrets_round_trip(b: &Backends) {
    use frontdesk::config::Secret;
    use frontdesk::domain::{DeliveryAttempt, DeliveryLog, DeliveryState};
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
    let event_id = format!("evt_{sid}_completed");
    assert!(b.store.delivery(&sid, &event_id).await.unwrap().is_none());
    let mut log = DeliveryLog {
        event_id: event_id.clone(),
        event_type: "call.completed".into(),
        call_sid: sid.clone(),
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
    assert_eq!(b.store.delivery(&sid, &event_id).await.unwrap(), Some(log));
    assert!(
        b.store.call_events(&sid).await.unwrap().is_empty(),
        "a delivery log is not a status event"
    );
}
