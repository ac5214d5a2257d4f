//! The notify consumer with appointment events: delivered once, signed, to the generic URL,
//! with the documented payload; retried after a 500; skipped with no generic URL.

use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, Channel, DeliveryLog, DeliveryState,
    PhoneNumber, Subject,
};
use frontdesk::jobs::NotifyJob;
use frontdesk::queue::Disposition;
use frontdesk::worker::Consumer;
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer};
use frontdesk_testkit::workers::{Env, Scripts, LATER, WEBHOOK_SECRET};
use jiff::Timestamp;
use serde_json::json;
use time::OffsetDateTime;

use super::local;

fn at(rfc3339: &str) -> Timestamp {
    rfc3339.parse().unwrap()
}

/// A fresh appointment of `business`: 22 November 2026, 10:00-10:45 in Israel (+02:00).
pub(crate) fn appointment(business: &BusinessId) -> Appointment {
    let slot = Slot {
        start: at("2026-11-22T08:00:00Z"),
        end: at("2026-11-22T08:45:00Z"),
    };
    Appointment {
        id: AppointmentId::generate(),
        business_id: business.clone(),
        service: ServiceId::parse("cleaning").unwrap(),
        slot,
        block: Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse("+972501234567").unwrap(),
        name: Some("Dana".into()),
        channel: Channel::Whatsapp,
        source: "wa:wamid.test".into(),
        status: AppointmentStatus::Booked,
        version: 1,
        created_at: at("2026-11-20T08:00:00Z"),
        updated_at: at("2026-11-20T08:00:00Z"),
    }
}

/// Every URL set, so only the generic one being chosen shows the routing.
fn all_urls(business: &mut frontdesk::domain::Business, base: &str) {
    business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
    business.outbound_webhook_url = Some(format!("{base}/hooks/outbound"));
    business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
}

async fn log(env: &Env, appointment: &Appointment, event_id: &str) -> DeliveryLog {
    env.app()
        .store()
        .delivery(&Subject::Appointment(appointment.id.clone()), event_id)
        .await
        .unwrap()
        .expect("a delivery log")
}

#[tokio::test]
async fn a_booking_is_delivered_once_signed_to_the_generic_url_with_the_documented_payload() {
    let l = local(Scripts::default(), all_urls).await;
    let booked = appointment(&l.env.business.id);
    let job = NotifyJob::booked(&booked).message();
    l.env.app().queue().send(&job).await.unwrap();
    let now = OffsetDateTime::now_utc();
    assert_eq!(l.pump(Consumer::Notify, now).await, [Disposition::Done]);

    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/hooks/generic");
    verify_with_python(WEBHOOK_SECRET, request).expect("the signature verifies");
    let event_id = format!("evt_{}_booked", booked.id);
    assert_eq!(request.headers["webhook-id"], event_id.as_str());
    let event: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(event["type"], "appointment.booked");
    assert!(event["timestamp"].is_string());
    assert_eq!(
        event["data"],
        json!({
            "appointment_id": booked.id.as_str(),
            "business_id": l.env.business.id.as_str(),
            "status": "booked",
            "service": "cleaning",
            "start": "2026-11-22T10:00:00+02:00",
            "end": "2026-11-22T10:45:00+02:00",
            "timezone": "Asia/Jerusalem",
            "phone": "+972501234567",
            "name": "Dana",
            "channel": "whatsapp",
            "version": 1,
        })
    );

    // The same change queued again (a retried booking request) is not sent again.
    assert_eq!(
        l.env.process(Consumer::Notify, &job.body, 1).await,
        Disposition::Done
    );
    assert_eq!(l.env.receiver.hits(), 1);
    let log = log(&l.env, &booked, &event_id).await;
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.route, "generic_webhook_url");
    assert_eq!(log.event_type, "appointment.booked");
    assert_eq!(log.attempts.len(), 1);
}

#[tokio::test]
async fn each_change_is_its_own_event_and_a_reschedule_names_the_slot_it_left() {
    let l = local(Scripts::default(), all_urls).await;
    let booked = appointment(&l.env.business.id);
    let mut moved = booked.clone();
    moved.slot = Slot {
        start: at("2026-11-23T12:00:00Z"),
        end: at("2026-11-23T12:45:00Z"),
    };
    moved.version = 2;
    let mut cancelled = moved.clone();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.version = 3;
    for job in [
        NotifyJob::booked(&booked),
        NotifyJob::rescheduled(&moved, booked.slot),
        NotifyJob::cancelled(&cancelled),
    ] {
        l.env.app().queue().send(&job.message()).await.unwrap();
    }
    l.pump(Consumer::Notify, OffsetDateTime::now_utc()).await;

    let events: Vec<serde_json::Value> = l
        .env
        .receiver
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let types: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "appointment.booked",
            "appointment.rescheduled",
            "appointment.cancelled"
        ]
    );
    let rescheduled = &events[1]["data"];
    assert_eq!(rescheduled["start"], "2026-11-23T14:00:00+02:00");
    assert_eq!(rescheduled["end"], "2026-11-23T14:45:00+02:00");
    assert_eq!(rescheduled["previous_start"], "2026-11-22T10:00:00+02:00");
    assert_eq!(rescheduled["previous_end"], "2026-11-22T10:45:00+02:00");
    assert_eq!(rescheduled["version"], 2);
    let cancelled_data = &events[2]["data"];
    assert_eq!(cancelled_data["status"], "cancelled");
    assert_eq!(cancelled_data["version"], 3);
    assert!(cancelled_data.get("previous_start").is_none());
    let rescheduled_id = format!("evt_{}_rescheduled_v2", booked.id);
    assert_eq!(
        log(&l.env, &booked, &rescheduled_id).await.state,
        DeliveryState::Delivered
    );
}

#[tokio::test]
async fn a_receiver_answering_500_then_200_gets_the_event_on_the_retry() {
    let scripts = Scripts {
        receiver: vec![Answer::Status(500), Answer::Status(200)],
        ..Scripts::default()
    };
    let l = local(scripts, all_urls).await;
    let booked = appointment(&l.env.business.id);
    l.env
        .app()
        .queue()
        .send(&NotifyJob::booked(&booked).message())
        .await
        .unwrap();
    let mut now = OffsetDateTime::now_utc();
    let first = l.pump(Consumer::Notify, now).await;
    assert!(
        matches!(first[..], [Disposition::Retry { .. }]),
        "{first:?}"
    );
    now += LATER;
    assert_eq!(l.pump(Consumer::Notify, now).await, [Disposition::Done]);
    now += LATER;
    assert!(l.pump(Consumer::Notify, now).await.is_empty());

    assert_eq!(l.env.receiver.hits(), 2);
    let ids: Vec<_> = l
        .env
        .receiver
        .requests()
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    let event_id = format!("evt_{}_booked", booked.id);
    assert_eq!(ids, [event_id.clone(), event_id.clone()]);
    let log = log(&l.env, &booked, &event_id).await;
    assert_eq!(log.state, DeliveryState::Delivered);
    let codes: Vec<_> = log.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(200)]);
}

#[tokio::test]
async fn an_appointment_event_with_no_generic_url_is_recorded_as_skipped() {
    let l = local(Scripts::default(), |business, base| {
        business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
        business.outbound_webhook_url = Some(format!("{base}/hooks/outbound"));
    })
    .await;
    let booked = appointment(&l.env.business.id);
    let job = NotifyJob::booked(&booked).message();
    assert_eq!(
        l.env.process(Consumer::Notify, &job.body, 1).await,
        Disposition::Done
    );
    assert_eq!(l.env.receiver.hits(), 0);
    let log = log(&l.env, &booked, &format!("evt_{}_booked", booked.id)).await;
    assert_eq!(log.state, DeliveryState::Skipped);
    assert_eq!(log.route, "no generic webhook URL set");
    assert!(log.attempts.is_empty());
}
