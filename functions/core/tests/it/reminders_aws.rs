//! Reminders on DynamoDB and SQS (moto), through the Lambda adapter: a booked appointment's
//! reminder is claimed by the tick at its due time (the due index on `gsi1`) onto the SQS
//! notify queue, sent once as an SMS by `handle_batch`, not queued again by a second tick; the
//! customer's "2" cancels the appointment, frees its slot and queues `appointment.cancelled`.
//!
//! Needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`, or `eval "$(./infra/moto.sh start)"`).

use std::sync::Arc;

use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::booking::dialogue::{self, Conversed, Inbound};
use frontdesk::booking::{self, Outcome};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    AppointmentStatus, Channel, MessageId, PhoneNumber, Provider, ReminderAnswer, ReminderSettings,
    ReminderState, WhatsAppAddress,
};
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::queue::sqs::SqsQueue;
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::worker::reminder_scan;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::App;
use frontdesk_testkit::follow_ups::{self as outbox, day_after_tomorrow_at, zone, Providers};
use frontdesk_testkit::Stack;
use jiff::Timestamp;

use crate::workers_aws::receive;

fn kinds(batch: &aws_lambda_events::event::sqs::SqsEvent) -> Vec<String> {
    batch
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
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booked_appointment_is_reminded_through_sqs_and_the_customers_2_cancels_it() {
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
    let mut business = outbox::business();
    business.google_calendar = None;
    business.reminders = Some(
        ReminderSettings::parse_json(r#"{"offsets_minutes": [1440, 120], "channel": "sms"}"#)
            .unwrap(),
    );
    app.store().put_business(&business).await.unwrap();
    let worker = Worker::new(app.clone(), recordings).unwrap();
    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: urls.notify.clone(),
    };

    let start = day_after_tomorrow_at(10, 0);
    let request = outbox::booking(Channel::Api, start);
    let Outcome::Done(booked) = booking::book(&app, &business, &request, Timestamp::now())
        .await
        .unwrap()
    else {
        panic!("not booked");
    };
    assert_eq!(
        kinds(&receive(clients, &urls.notify).await),
        ["appointment.booked"]
    );
    let due = app.store().reminders(&booked.id).await.unwrap()[0].due;
    assert_eq!(zone().to_datetime(due).hour(), 10);

    let report = reminder_scan::scan(&app, due).await;
    assert_eq!(report.queued, 1, "{report:?}");
    assert_eq!(
        reminder_scan::scan(&app, due).await.queued,
        0,
        "claimed once"
    );
    let batch = receive(clients, &urls.notify).await;
    assert_eq!(kinds(&batch), ["reminder"]);
    let response = handle_batch(&worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(response.batch_item_failures.is_empty());
    let sms = providers.twilio_sent();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].form()["To"], outbox::CUSTOMER);
    let reminded = &app.store().reminders(&booked.id).await.unwrap()[0];
    assert_eq!(reminded.state, ReminderState::Sent);

    let answer = Inbound {
        id: MessageId::parse(&format!("SM{:032x}", frontdesk_testkit::unique::next())).unwrap(),
        from: WhatsAppAddress::from(PhoneNumber::parse(outbox::CUSTOMER).unwrap()),
        kind: "text".into(),
        text: "2".into(),
        reply_id: None,
        profile_name: None,
        provider: Provider::Twilio,
    };
    let conversed = dialogue::converse(&app, &business, &answer, None, Timestamp::now()).await;
    assert_eq!(conversed, Conversed::Answered);
    let cancelled = app.store().appointment(&booked.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(
        app.store().reminders(&booked.id).await.unwrap()[0].answer,
        Some(ReminderAnswer::Cancelled)
    );
    assert_eq!(
        kinds(&receive(clients, &urls.notify).await),
        ["appointment.cancelled"]
    );
    let free = booking::availability(
        &app,
        &business,
        &ServiceId::parse("checkup").unwrap(),
        zone().to_datetime(start).date(),
        1,
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert!(
        free.iter().any(|slot| slot.start == start),
        "the slot is free again"
    );
}
