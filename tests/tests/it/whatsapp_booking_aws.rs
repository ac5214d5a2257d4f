//! Booking over WhatsApp on the AWS backends (DynamoDB and SQS through the real aws-sdk
//! clients, against moto): offer, pick, booked, the appointment in the table; then moved and
//! cancelled in the chat; each change's event taken off the SQS notify queue by the notify
//! consumer and delivered, signed, to the business's receiver.

use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::config::Secret;
use frontdesk::domain::{AppointmentStatus, Channel, Provider};
use frontdesk::http::form;
use frontdesk::queue::{Disposition, Received};
use frontdesk::worker::{Consumer, Worker};
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer, Kind, StandIn};
use frontdesk_testkit::{Stack, TestServer};

use crate::whatsapp_booking::{
    message_sid, stand_ins, tomorrow_at, twilio_says, vars, World, EMPTY,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_whatsapp_conversation_books_moves_and_cancels_and_the_business_gets_each_event() {
    let (twilio, meta) = stand_ins().await;
    let stack = Stack::new().await;
    let app = stack.app(&vars(&twilio, &meta)).await;
    let server = TestServer::with_app(app, stack.probe()).await;
    let world = World::with(server, twilio, meta, Provider::Twilio).await;

    assert_eq!(
        twilio_says(&world, &message_sid(), "אפשר תור למחר?").await,
        EMPTY
    );
    let sid = message_sid();
    assert_eq!(twilio_says(&world, &sid, "2").await, EMPTY);
    let sent = world.twilio_sent();
    assert_eq!(sent.len(), 2);
    let confirmation = form::parse(&sent[1].body).unwrap();
    assert!(
        confirmation
            .get("Body")
            .unwrap()
            .starts_with("התור נקבע ✅"),
        "{:?}",
        confirmation.get("Body")
    );

    let booked = world.booked().await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].slot.start, tomorrow_at(9, 15));
    assert_eq!(booked[0].channel, Channel::Whatsapp);
    assert_eq!(booked[0].source, format!("wa:{sid}"));

    // Moved to the first slot offered, then cancelled, in the chat.
    twilio_says(&world, &message_sid(), "שינוי").await;
    twilio_says(&world, &message_sid(), "1").await;
    let moved = world
        .server
        .app
        .store()
        .appointment(&booked[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(moved.slot, booked[0].slot, "moved");
    assert_eq!(moved.version, 2);
    twilio_says(&world, &message_sid(), "ביטול").await;
    let cancelled = world
        .server
        .app
        .store()
        .appointment(&booked[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);

    // The notify consumer takes each event off SQS and delivers it, signed, to the business.
    let receiver = StandIn::start(
        Kind::Receiver,
        &[Answer::Status(200)],
        Bytes::new(),
        "unused",
    )
    .await;
    let mut business = world.business.clone();
    business.generic_webhook_url = Some(format!("{}/hooks", receiver.base_url));
    let store = world.server.app.store();
    store.put_business(&business).await.unwrap();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    store
        .put_webhook_secret(&business.id, &Secret::new(secret).unwrap())
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
    let received = stack
        .clients
        .sqs
        .receive_message()
        .queue_url(&stack.resources.notify_queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .send()
        .await
        .unwrap();
    let mut events = Vec::new();
    for message in received.messages.unwrap_or_default() {
        let body = message.body.unwrap_or_default();
        let job: serde_json::Value = serde_json::from_str(&body).unwrap();
        events.push(job["event"].as_str().unwrap_or_default().to_string());
        let delivered = Consumer::Notify
            .process(
                &worker,
                &Received {
                    id: message.message_id.unwrap_or_default(),
                    body,
                    receive_count: 1,
                },
            )
            .await;
        assert_eq!(delivered, Disposition::Done);
    }
    events.sort();
    assert_eq!(
        events,
        [
            "appointment.booked",
            "appointment.cancelled",
            "appointment.rescheduled"
        ]
    );
    let deliveries = receiver.requests();
    assert_eq!(deliveries.len(), 3, "each event delivered once");
    for delivery in &deliveries {
        verify_with_python(secret, delivery).unwrap();
    }
}
