//! The consumers on DynamoDB, SQS and S3 (moto), driven through the Lambda adapter: a recorded
//! call's job is received from SQS, its copy lands in S3 encrypted as audio/mpeg, its
//! transcript in DynamoDB, and a signed `call.completed` reaches the receiver; an appointment's
//! event goes from SQS to the generic URL once, with its delivery log on its own partition.
//!
//! Needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`, or `eval "$(./infra/moto.sh start)"`).

use std::sync::Arc;

use aws_sdk_s3::types::ServerSideEncryption;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::domain::{Direction, TranscriptionState};
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::queue::sqs::{QueueUrls, SqsQueue};
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::worker::Consumer;
use frontdesk_testkit::standins::scripted::{verify_with_python, Answer, TRANSCRIPT};
use frontdesk_testkit::Stack;

use frontdesk_testkit::workers::{Env, Scripts, WEBHOOK_SECRET};

use crate::workers_embedded::appointments::appointment;

pub(crate) use frontdesk_testkit::aws::receive;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_call_ends_with_its_copy_in_s3_its_transcript_and_a_signed_event() {
    let stack = Stack::new().await;
    let clients = &stack.clients;
    let urls = stack.queue_urls();
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
    let env = Env::start(
        backends,
        recordings,
        Scripts::default(),
        |business, base| {
            business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
        },
    )
    .await;
    let job = env.recorded_call(Direction::OutboundDial).await;

    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: urls.recordings.clone(),
    };
    let batch = receive(clients, &urls.recordings).await;
    assert_eq!(batch.records.len(), 1);
    let response = handle_batch(
        &env.worker,
        &settle,
        Consumer::Transcribe.with_process(),
        batch,
    )
    .await;
    assert!(response.batch_item_failures.is_empty());

    let store = env.app().store();
    let call = store.call(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
    let media = store.call_media(&job.call_sid).await.unwrap().unwrap();
    assert_eq!(media.transcript.as_deref(), Some(TRANSCRIPT));
    let key = media.recording_key.unwrap();
    let head = clients
        .s3
        .head_object()
        .bucket(&stack.recordings_bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("audio/mpeg"));
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert!(
        store
            .transcription_backlog(
                time::OffsetDateTime::now_utc() + time::Duration::hours(1),
                1000
            )
            .await
            .unwrap()
            .iter()
            .all(|c| c.sid != job.call_sid),
        "the RECON work-list item left with the state change"
    );

    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: urls.notify.clone(),
    };
    let batch = receive(clients, &urls.notify).await;
    assert_eq!(batch.records.len(), 1, "the transcript's call.completed");
    let response = handle_batch(&env.worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(response.batch_item_failures.is_empty());
    let requests = env.receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/hooks/generic");
    verify_with_python(WEBHOOK_SECRET, &requests[0]).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let link = event["data"]["recording"]["url"].as_str().unwrap();
    assert!(
        link.contains(&key)
            && link.contains("X-Amz-Signature=")
            && link.contains("X-Amz-Expires=604800"),
        "a presigned GET of the copy: {link}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_event_goes_from_sqs_to_the_generic_url_once() {
    use frontdesk::domain::{DeliveryState, Subject};
    use frontdesk::jobs::NotifyJob;
    let stack = Stack::new().await;
    let clients = &stack.clients;
    let urls = stack.queue_urls();
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
    let env = Env::start(
        backends,
        recordings,
        Scripts::default(),
        |business, base| {
            business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
            business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
        },
    )
    .await;
    let booked = appointment(&env.business.id);
    let job = NotifyJob::booked(&booked).message();
    env.app().queue().send(&job).await.unwrap();

    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: urls.notify.clone(),
    };
    let batch = receive(clients, &urls.notify).await;
    assert_eq!(batch.records.len(), 1);
    let response = handle_batch(&env.worker, &settle, Consumer::Notify.with_process(), batch).await;
    assert!(response.batch_item_failures.is_empty());
    let requests = env.receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/hooks/generic");
    verify_with_python(WEBHOOK_SECRET, &requests[0]).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["type"], "appointment.booked");
    assert_eq!(event["data"]["appointment_id"], booked.id.as_str());
    assert_eq!(event["data"]["start"], "2026-11-22T10:00:00+02:00");

    // A second copy of the job (a standard queue delivers at least once) is not sent again.
    env.process(Consumer::Notify, &job.body, 1).await;
    assert_eq!(env.receiver.hits(), 1);
    let log = env
        .app()
        .store()
        .delivery(
            &Subject::Appointment(booked.id.clone()),
            &format!("evt_{}_booked", booked.id),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.route, "generic_webhook_url");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_message_is_reported_and_hidden_for_its_backoff() {
    let stack = Stack::new().await;
    let clients = &stack.clients;
    // One queue for both consumers: nothing else may become visible on it either.
    let queue = stack.resources.recordings_queue_url.clone();
    let recordings: Arc<dyn BlobStore> = Arc::new(S3Blobs::new(
        clients.s3.clone(),
        stack.recordings_bucket.clone(),
    ));
    let backends = frontdesk::app::Backends {
        store: Arc::new(DynamoStore::new(
            clients.dynamodb.clone(),
            stack.resources.table.clone(),
        )),
        queue: Arc::new(SqsQueue::new(
            clients.sqs.clone(),
            QueueUrls {
                recordings: queue.clone(),
                notify: queue.clone(),
            },
        )),
        greetings: recordings.clone(),
    };
    let scripts = Scripts {
        media: vec![Answer::Status(404)],
        ..Scripts::default()
    };
    let env = Env::start(backends, recordings, scripts, |_, _| {}).await;
    env.recorded_call(Direction::Inbound).await;
    let batch = receive(clients, &queue).await;
    let id = batch.records[0].message_id.clone().unwrap();
    let settle = Settle {
        sqs: clients.sqs.clone(),
        queue_url: queue.clone(),
    };
    let response = handle_batch(
        &env.worker,
        &settle,
        Consumer::Transcribe.with_process(),
        batch,
    )
    .await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(response.batch_item_failures[0].item_identifier, id);
    // Hidden for its backoff (15 s), so nothing is visible right away.
    assert!(receive(clients, &queue).await.records.is_empty());
}
