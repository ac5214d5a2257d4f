//! Booking by phone on the AWS backends (DynamoDB and SQS through the real aws-sdk clients,
//! against moto): the menu, "tomorrow at three", 1, booked; the appointment in the table, its
//! `appointment.booked` on the SQS notify queue, the call's conversation in the table; a
//! retried callback answered the same, booking nothing more.

use frontdesk::domain::Channel;
use frontdesk_testkit::{Stack, TestServer};

use crate::voice_booking::{says, tomorrow_at, Call, World, CALLER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_call_books_tomorrow_at_three_once() {
    let stack = Stack::new().await;
    let app = stack.app(&[]).await;
    let server = TestServer::with_app(app, stack.probe()).await;
    let world = World::with(server).await;
    let mut call = Call::new(&world);

    assert!(call.ring().await.contains("<Gather input=\"speech dtmf\""));
    let offer = call.says("מחר בשלוש").await;
    assert!(says(&offer)[0].starts_with("יש תור פנוי מחר"), "{offer}");
    let done = call.presses("1").await;
    assert!(
        says(&done)[0].starts_with("התור נקבע: בדיקה, מחר"),
        "{done}"
    );
    assert_eq!(call.again().await, done, "Twilio's retry");

    let booked = world.appointments().await;
    assert_eq!(booked.len(), 1, "{booked:?}");
    assert_eq!(booked[0].slot.start, tomorrow_at(15, 0));
    assert_eq!(booked[0].channel, Channel::Voice);
    assert_eq!(booked[0].phone.as_str(), CALLER);
    assert_eq!(call.state().await.answered.map(|a| a.step), Some(2));

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
        .map(|m| {
            let job: serde_json::Value = serde_json::from_str(m.body().unwrap()).unwrap();
            assert_eq!(job["appointment"]["channel"], "voice", "{job}");
            job["event"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(events, ["appointment.booked"]);
}
