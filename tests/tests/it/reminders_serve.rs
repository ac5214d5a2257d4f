//! Reminders end to end on `frontdesk serve` (embedded): a booked appointment's reminder is
//! queued by the minute tick at its due time and sent by the notify consumer through the
//! Twilio (SMS) or Meta (template) stand-in; the customer's answer comes back as a signed
//! Twilio webhook ("2") or a signed Meta notification (the template's quick-reply button), the
//! appointment is cancelled, its slot freed, and the business's receiver gets
//! `appointment.cancelled`, signed.

use std::sync::Arc;

use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, Outcome};
use frontdesk::config::Secret;
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    AppointmentStatus, Channel, ConfirmationTemplate, Provider, ReminderSettings, ReminderState,
};
use frontdesk::worker::reminder_scan;
use frontdesk::worker::{Consumer, Worker};
use frontdesk_cli::consumers::drain_once;
use frontdesk_testkit::follow_ups::booking as request;
use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn};
use frontdesk_testkit::{fixtures, JobProbe, TEST_TOKEN};
use jiff::Timestamp;
use serde_json::json;

use crate::whatsapp_booking::meta::meta_says;
use crate::whatsapp_booking::{message_sid, twilio_says, wamid, zone, World};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The world's business reminding 24 h and 2 h before by `channel`, its events going to a
/// receiver stand-in; an appointment booked for the day after tomorrow at 10:00 and its
/// 24-hour reminder sent.
async fn reminded(
    provider: Provider,
    settings: &str,
) -> (World, StandIn, Worker, frontdesk::domain::Appointment) {
    let mut world = World::embedded(provider).await;
    let receiver = StandIn::start(
        Kind::Receiver,
        &[Answer::Status(200)],
        fixtures::demo_greeting(),
        TEST_TOKEN,
    )
    .await;
    world.business.reminders = Some(ReminderSettings::parse_json(settings).unwrap());
    world.business.generic_webhook_url = Some(format!("{}/crm", receiver.base_url));
    world.save().await;
    let store = world.server.app.store();
    store
        .put_webhook_secret(&world.business.id, &Secret::new(SECRET).unwrap())
        .await
        .unwrap();
    let blobs = tempfile::tempdir().unwrap();
    let worker = Worker::new(
        world.server.app.clone(),
        Arc::new(FolderBlobs::new(blobs.path().to_path_buf())),
    )
    .unwrap();

    let start = frontdesk_testkit::follow_ups::day_after_tomorrow_at(10, 0);
    let Outcome::Done(booked) = booking::book(
        &world.server.app,
        &world.business,
        &request(Channel::Api, start),
        Timestamp::now(),
    )
    .await
    .unwrap() else {
        panic!("not booked")
    };
    let JobProbe::Embedded(queue) = world.server.jobs.clone() else {
        panic!("an embedded server")
    };
    assert_eq!(
        drain_once(&worker, &queue, Consumer::Notify).await,
        1,
        "appointment.booked"
    );
    let due = store.reminders(&booked.id).await.unwrap()[0].due;
    assert_eq!(zone().to_datetime(due).hour(), 10);
    assert_eq!(reminder_scan::scan(&world.server.app, due).await.queued, 1);
    assert_eq!(
        drain_once(&worker, &queue, Consumer::Notify).await,
        1,
        "the reminder"
    );
    assert_eq!(
        store.reminders(&booked.id).await.unwrap()[0].state,
        ReminderState::Sent
    );
    (world, receiver, worker, booked)
}

async fn cancelled_and_announced(
    world: &World,
    receiver: &StandIn,
    worker: &Worker,
    booked: &frontdesk::domain::Appointment,
) {
    let store = world.server.app.store();
    let now = store.appointment(&booked.id).await.unwrap().unwrap();
    assert_eq!(now.status, AppointmentStatus::Cancelled);
    let free = booking::availability(
        &world.server.app,
        &world.business,
        &ServiceId::parse("checkup").unwrap(),
        zone().to_datetime(booked.slot.start).date(),
        1,
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert!(
        free.iter().any(|s| s.start == booked.slot.start),
        "the slot is free again"
    );
    let JobProbe::Embedded(queue) = world.server.jobs.clone() else {
        unreachable!()
    };
    drain_once(worker, &queue, Consumer::Notify).await;
    let events: Vec<serde_json::Value> = receiver
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let types: Vec<_> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["appointment.booked", "appointment.cancelled"]);
    assert_eq!(events[1]["data"]["appointment_id"], booked.id.as_str());
    let last = receiver.requests().pop().unwrap();
    assert!(last.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .starts_with("v1,"));
}

#[tokio::test]
async fn the_customers_2_over_twilio_cancels_the_reminded_appointment_and_the_receiver_hears_of_it()
{
    let (world, receiver, worker, booked) = reminded(
        Provider::Twilio,
        r#"{"offsets_minutes": [1440, 120], "channel": "sms"}"#,
    )
    .await;
    let sms = world.twilio_sent();
    assert_eq!(sms.len(), 1);
    assert!(sms[0].form()["Body"].contains("2 לביטול"));

    // The appointments API lists the reminders: the 24-hour one sent, the 2-hour one pending,
    // each due in the business's zone.
    let key = frontdesk::domain::ApiKey::generate().unwrap();
    world
        .server
        .app
        .store()
        .put_api_key(
            &world.business.id,
            &key.hash(),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let listed: serde_json::Value = frontdesk_testkit::http_client()
        .get(world.server.url(frontdesk::Route::ApiAppointments.path()))
        .bearer_auth(key.reveal())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reminders = &listed["appointments"][0]["reminders"];
    assert_eq!(reminders[0]["state"], "sent", "{listed}");
    assert_eq!(reminders[0]["channel"], "sms");
    assert!(
        reminders[0]["due"]
            .as_str()
            .unwrap()
            .contains("T10:00:00+0"),
        "{reminders}"
    );
    assert_eq!(reminders[1]["state"], "pending");

    twilio_says(&world, &message_sid(), "2").await;
    let reply = world.twilio_sent().last().unwrap().form()["Body"].clone();
    assert!(reply.contains("בוטל"), "{reply}");
    cancelled_and_announced(&world, &receiver, &worker, &booked).await;
}

#[tokio::test]
async fn the_meta_templates_cancel_button_cancels_the_reminded_appointment() {
    let template =
        serde_json::to_string(&ConfirmationTemplate::meta("appointment_reminder", "he").unwrap())
            .unwrap();
    let settings =
        format!(r#"{{"offsets_minutes": [1440], "channel": "whatsapp", "template": {template}}}"#);
    let (world, receiver, worker, booked) = reminded(Provider::Meta, &settings).await;
    let sent = world.meta_sent();
    assert_eq!(sent.len(), 1);
    let body = sent[0].json();
    assert_eq!(body["type"], "template");
    assert_eq!(body["template"]["name"], "appointment_reminder");
    assert_eq!(
        body["template"]["components"][0]["parameters"][2]["text"],
        "10:00"
    );

    meta_says(
        &world,
        json!({"from": "972501234567", "id": wamid(), "timestamp": "1795255203",
               "type": "button", "button": {"text": "ביטול", "payload": "cancel"}}),
    )
    .await;
    cancelled_and_announced(&world, &receiver, &worker, &booked).await;
}
