//! The booking outbox on DynamoDB and SQS (moto), through the Lambda adapter: a phone booking
//! queues its event, its calendar sync and its confirmation on the SQS notify queue; one batch
//! through `handle_batch` makes the calendar event with the appointment's id, sends the SMS and
//! records both on the appointment's follow-ups item; the sync's job received again makes no
//! second event; a reschedule's sync patches it.
//!
//! Needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`, or `eval "$(./infra/moto.sh start)"`).

use std::sync::Arc;

use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::booking::{self, Outcome};
use frontdesk::domain::{Channel, FollowUpState, RequestKey};
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::queue::sqs::SqsQueue;
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::App;
use frontdesk_testkit::follow_ups::{
    self as outbox, day_after_tomorrow_at, Providers, CALENDAR_ID,
};
use frontdesk_testkit::Stack;
use jiff::Timestamp;

use crate::workers_aws::receive;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_booking_syncs_the_calendar_and_confirms_through_sqs_and_the_lambda_adapter() {
    let stack = Stack::new().await;
    let clients = &stack.clients;
    let urls = stack.queue_urls();
    let providers = Providers::start().await;
    let recordings: Arc<dyn BlobStore> = Arc::new(S3Blobs::new(
        clients.s3.clone(),
        stack.recordings_bucket.clone(),
    ));
    let backends = frontdesk::app::Backends {
        store: Arc::new(DynamoStore::new(
            clients.dynamodb.clone(),
            stack.resources.table.clone(),
        )),
        queue: Arc::new(SqsQueue::new(clients.sqs.clone(), urls.clone())),
        greetings: recordings.clone(),
    };
    let app = App::new(providers.config(&[]), backends);
    let business = outbox::business();
    outbox::connect(&app, &business, &providers.google).await;
    let worker = Worker::new(app.clone(), recordings).unwrap();
    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: urls.notify.clone(),
    };

    let request = outbox::booking(Channel::Voice, day_after_tomorrow_at(10, 0));
    let Outcome::Done(booked) = booking::book(&app, &business, &request, Timestamp::now())
        .await
        .unwrap()
    else {
        panic!("not booked");
    };
    let batch = receive(clients, &urls.notify).await;
    let mut kinds: Vec<String> = batch
        .records
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
            body["job"]
                .as_str()
                .or(body["event"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["appointment.booked", "calendar_sync", "confirmation"]
    );
    let sync_body = batch
        .records
        .iter()
        .filter_map(|r| r.body.clone())
        .find(|b| b.contains("calendar_sync"))
        .unwrap();
    let response = handle_batch(&worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(response.batch_item_failures.is_empty());

    let events = providers.google.events(CALENDAR_ID);
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[booked.id.as_str()].body["start"]["dateTime"],
        booked.slot.start.to_string()
    );
    let sms = providers.twilio_sent();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].form()["To"], outbox::CUSTOMER);

    let store = app.store();
    let follow_ups = store.follow_ups(&booked.id).await.unwrap();
    assert_eq!(follow_ups.calendar.unwrap().state, FollowUpState::Done);
    let confirmation = follow_ups.confirmation.unwrap();
    assert_eq!(confirmation.state, FollowUpState::Done);
    assert!(store
        .message(confirmation.message_id.as_ref().unwrap())
        .await
        .unwrap()
        .is_some());
    let listed = store
        .follow_ups_of(std::slice::from_ref(&booked.id))
        .await
        .unwrap();
    assert!(listed[&booked.id].confirmation.is_some());
    let recent = store
        .recent_follow_ups(
            &business.id,
            Timestamp::now() - jiff::SignedDuration::from_hours(1),
        )
        .await
        .unwrap();
    assert_eq!(recent.len(), 1);

    // The sync's job again, as SQS may deliver it: Google answers 409; still one event.
    let mut again = aws_lambda_events::event::sqs::SqsEvent::default();
    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
    record.message_id = Some("redelivered".into());
    record.body = Some(sync_body);
    again.records.push(record);
    let response = handle_batch(&worker, &settle, Consumer::Notify.with_process(), again).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(providers.google.events(CALENDAR_ID).len(), 1);
    assert_eq!(providers.google.calls_of("POST", "/events").len(), 2);

    let key = RequestKey::new("test", &["move", &booked.id.to_string()]).unwrap();
    let moved = booking::reschedule(
        &app,
        &business,
        &booked.id,
        day_after_tomorrow_at(13, 0),
        &key,
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert!(matches!(moved, Some(Outcome::Done(_))));
    let batch = receive(clients, &urls.notify).await;
    assert_eq!(batch.records.len(), 2, "the event and the sync");
    let response = handle_batch(&worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        providers.google.events(CALENDAR_ID)[booked.id.as_str()].body["start"]["dateTime"],
        day_after_tomorrow_at(13, 0).to_string()
    );
    assert_eq!(
        providers.google.calls_of("PATCH", booked.id.as_str()).len(),
        1
    );
}
