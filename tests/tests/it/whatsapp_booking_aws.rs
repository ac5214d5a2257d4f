//! Booking over WhatsApp on the AWS backends (DynamoDB and SQS through the real aws-sdk
//! clients, against moto): the main flow once, offer, pick, booked, the appointment in the
//! table and `appointment.booked` on the notify queue.

use frontdesk::domain::{Channel, Provider};
use frontdesk::http::form;
use frontdesk_testkit::{Stack, TestServer};

use crate::whatsapp_booking::{
    message_sid, stand_ins, tomorrow_at, twilio_says, vars, World, EMPTY,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_whatsapp_conversation_books_and_queues_the_event() {
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
    let events: Vec<String> = received
        .messages
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.body.as_deref())
        .map(|body| {
            let job: serde_json::Value = serde_json::from_str(body).unwrap();
            job["event"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(events, ["appointment.booked"]);
}
