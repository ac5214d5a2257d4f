//! Booking by phone on the AWS backends (DynamoDB and SQS through the real aws-sdk clients,
//! against moto), the whole way: the menu, "tomorrow at three", 1, booked; a retried callback
//! answered the same, booking nothing more; the appointment and the call's conversation in the
//! table; then the notify queue's batch through the Lambda adapter (`handle_batch`), as the
//! `notify` function takes it: the signed `appointment.booked` at the business's receiver, one
//! event in the Google stand-in's calendar under the appointment's id, and the caller's SMS
//! confirmation at Twilio's stand-in, each recorded on the appointment.

use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::config::Secret;
use frontdesk::domain::{Channel, ConfirmationChannel, FollowUpState, GoogleCalendar};
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::worker::{Consumer, Worker};
use frontdesk_testkit::follow_ups::{Providers, CALENDAR_ID};
use frontdesk_testkit::standins::google::CLIENT_EMAIL;
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer, Kind, StandIn};
use frontdesk_testkit::{Stack, TestServer};

use crate::voice_booking::{says, tomorrow_at, Call, World, CALLER};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_call_books_tomorrow_at_three_once_and_the_business_its_calendar_and_the_caller_hear_of_it(
) {
    let stack = Stack::new().await;
    let providers = Providers::start().await;
    let vars = providers.vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = stack.app(&vars).await;
    let server = TestServer::with_app(app, stack.probe()).await;
    let mut world = World::with(server).await;
    let receiver = StandIn::start(Kind::Receiver, &[Answer::Status(200)], Bytes::new(), "-").await;
    world.business.generic_webhook_url = Some(format!("{}/hooks", receiver.base_url));
    world.business.google_calendar = Some(GoogleCalendar {
        calendar_id: CALENDAR_ID.into(),
        service_account: CLIENT_EMAIL.into(),
    });
    world.save().await;
    let store = world.server.app.store();
    store
        .put_webhook_secret(&world.business.id, &Secret::new(SECRET).unwrap())
        .await
        .unwrap();
    store
        .put_calendar_key(
            &world.business.id,
            &Secret::new(providers.google.key_json()).unwrap(),
        )
        .await
        .unwrap();
    providers.google.share(CALENDAR_ID);
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
    let appointment = &booked[0];
    assert_eq!(appointment.slot.start, tomorrow_at(15, 0));
    assert_eq!(appointment.channel, Channel::Voice);
    assert_eq!(appointment.phone.as_str(), CALLER);
    assert_eq!(call.state().await.answered.map(|a| a.step), Some(2));

    // The notify function's batch: the event and both follow-ups, once each.
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
    let mut batch = aws_lambda_events::event::sqs::SqsEvent::default();
    let mut kinds = Vec::new();
    for message in received.messages.unwrap_or_default() {
        let body = message.body.clone().unwrap_or_default();
        let job: serde_json::Value = serde_json::from_str(&body).unwrap();
        kinds.push(
            job["event"]
                .as_str()
                .or(job["job"].as_str())
                .unwrap()
                .to_string(),
        );
        let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
        record.message_id = message.message_id.clone();
        record.receipt_handle = message.receipt_handle.clone();
        record.body = Some(body);
        record
            .attributes
            .insert("ApproximateReceiveCount".into(), "1".into());
        batch.records.push(record);
    }
    kinds.sort();
    assert_eq!(
        kinds,
        ["appointment.booked", "calendar_sync", "confirmation"]
    );
    let worker = Worker::new(
        world.server.app.clone(),
        Arc::new(S3Blobs::new(
            stack.clients.s3.clone(),
            stack.recordings_bucket.clone(),
        )),
    )
    .unwrap();
    let settle = Settle {
        sqs: stack.clients.sqs.clone(),
        queue_url: stack.resources.notify_queue_url.clone(),
    };
    let response = handle_batch(&worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );

    let deliveries = receiver.requests();
    assert_eq!(deliveries.len(), 1, "the event delivered once");
    verify_with_python(SECRET, &deliveries[0]).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&deliveries[0].body).unwrap();
    assert_eq!(event["type"], "appointment.booked");
    assert_eq!(event["data"]["channel"], "voice");
    assert_eq!(event["data"]["appointment_id"], appointment.id.as_str());

    let events = providers.google.events(CALENDAR_ID);
    assert_eq!(events.len(), 1, "one calendar event");
    assert!(events.contains_key(appointment.id.as_str()));

    let sms = providers.twilio_sent();
    assert_eq!(sms.len(), 1, "one confirmation");
    let sms = sms[0].form();
    assert_eq!(sms["To"], CALLER);
    assert!(sms["Body"].contains("נקבע לך תור לבדיקה"), "{sms:?}");

    let follow_ups = store.follow_ups(&appointment.id).await.unwrap();
    assert_eq!(follow_ups.calendar.unwrap().state, FollowUpState::Done);
    let confirmation = follow_ups.confirmation.unwrap();
    assert_eq!(confirmation.state, FollowUpState::Done);
    assert_eq!(confirmation.channel, ConfirmationChannel::Sms);
}
