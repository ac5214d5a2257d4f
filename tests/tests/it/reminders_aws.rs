//! Reminders over HTTP on the AWS backends (DynamoDB and SQS through the real aws-sdk clients,
//! against moto): the tick claims a booked appointment's due reminder from the `gsi1` due index
//! onto the SQS notify queue, the notify consumer sends it through the Twilio stand-in, and the
//! customer's signed "2" to the WhatsApp webhook cancels the appointment; the business's
//! receiver gets `appointment.cancelled`, signed.

use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::booking::{self, Outcome};
use frontdesk::config::Secret;
use frontdesk::domain::{AppointmentStatus, Channel, Provider, ReminderSettings, ReminderState};
use frontdesk::queue::{Disposition, Received};
use frontdesk::worker::reminder_scan;
use frontdesk::worker::{Consumer, Worker};
use frontdesk_testkit::follow_ups::booking as request;
use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn};
use frontdesk_testkit::{Stack, TestServer};
use jiff::Timestamp;

use crate::whatsapp_booking::{message_sid, stand_ins, twilio_says, vars, World};

/// Takes every visible message off the SQS notify queue through the notify consumer; their
/// `job` or `event`, sorted.
async fn drain(stack: &Stack, worker: &Worker) -> Vec<String> {
    let sqs = &stack.clients.sqs;
    let url = &stack.resources.notify_queue_url;
    let received = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .send()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    for message in received.messages.unwrap_or_default() {
        let body = message.body.unwrap_or_default();
        let job: serde_json::Value = serde_json::from_str(&body).unwrap();
        kinds.push(
            job["job"]
                .as_str()
                .or(job["event"].as_str())
                .unwrap_or_default()
                .to_string(),
        );
        let received = Received {
            id: message.message_id.unwrap_or_default(),
            body,
            receive_count: 1,
        };
        assert_eq!(
            Consumer::Notify.process(worker, &received).await,
            Disposition::Done
        );
        sqs.delete_message()
            .queue_url(url)
            .receipt_handle(message.receipt_handle.unwrap_or_default())
            .send()
            .await
            .unwrap();
    }
    kinds.sort();
    kinds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_reminder_goes_out_at_its_time_and_the_customers_2_cancels_the_appointment() {
    let (twilio, meta) = stand_ins().await;
    let stack = Stack::new().await;
    let app = stack.app(&vars(&twilio, &meta)).await;
    let server = TestServer::with_app(app, stack.probe()).await;
    let mut world = World::with(server, twilio, meta, Provider::Twilio).await;
    let receiver = StandIn::start(
        Kind::Receiver,
        &[Answer::Status(200)],
        Bytes::new(),
        "unused",
    )
    .await;
    world.business.generic_webhook_url = Some(format!("{}/hooks", receiver.base_url));
    world.business.reminders = Some(
        ReminderSettings::parse_json(r#"{"offsets_minutes": [1440, 120], "channel": "sms"}"#)
            .unwrap(),
    );
    world.save().await;
    let store = world.server.app.store();
    store
        .put_webhook_secret(
            &world.business.id,
            &Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
        )
        .await
        .unwrap();
    let worker = Worker::new(
        world.server.app.clone(),
        Arc::new(S3Blobs::new(
            stack.clients.s3.clone(),
            stack.recordings_bucket.clone(),
        )),
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
    assert_eq!(drain(&stack, &worker).await, ["appointment.booked"]);
    let due = store.reminders(&booked.id).await.unwrap()[0].due;
    assert_eq!(reminder_scan::scan(&world.server.app, due).await.queued, 1);
    assert_eq!(drain(&stack, &worker).await, ["reminder"]);
    assert_eq!(
        store.reminders(&booked.id).await.unwrap()[0].state,
        ReminderState::Sent
    );
    let sent = world.twilio_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].form()["Body"].contains("2 לביטול"));

    twilio_says(&world, &message_sid(), "2").await;
    let cancelled = store.appointment(&booked.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(drain(&stack, &worker).await, ["appointment.cancelled"]);
    let events: Vec<serde_json::Value> = receiver
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let types: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["appointment.booked", "appointment.cancelled"]);
    assert_eq!(events[1]["data"]["appointment_id"], booked.id.as_str());
}
