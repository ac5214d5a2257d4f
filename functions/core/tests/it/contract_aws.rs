//! The contract suite on the AWS adapters (DynamoDB, SQS, S3) against a local moto server, and
//! the behaviour only AWS has: SQS message attributes, FIFO deduplication, S3 object metadata,
//! and failing fast when AWS cannot be reached.
//!
//! Needs `FRONTDESK_TEST_AWS_ENDPOINT`: `./infra/test.sh` starts moto and sets it; by hand,
//! `eval "$(./infra/moto.sh start)"`.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::TimeToLiveStatus;
use aws_sdk_s3::types::ServerSideEncryption;
use bytes::Bytes;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::domain::{Business, BusinessId, CallStatus, Direction, RecordingSid};
use frontdesk::domain::{Recording, StatusUpdate};
use frontdesk::lambda::aws::AwsClients;
use frontdesk::queue::sqs::{QueueUrls, SqsQueue, DEDUP_ID_ATTRIBUTE};
use frontdesk::queue::{OutboundMessage, Queue, QueueName};
use frontdesk::store::dynamodb::{create_table, DynamoStore, TTL_ATTRIBUTE};
use frontdesk::store::{BusinessStore, StoreError};
use frontdesk_testkit::{aws, Stack};
use time::OffsetDateTime;

use crate::contract::{self, Backends};

/// Fresh backends on a fresh [`Stack`] for one test. The contract is about what the adapters
/// do, not how fast moto answers while the whole suite shares it: their clients wait up to a
/// minute (`aws::patient_sdk`); the webhook budget's timeouts have their own tests.
async fn aws() -> Backends {
    let stack = Stack::new().await;
    let clients = AwsClients::from_config(&aws::patient_sdk(&aws::endpoint()).await);
    Backends {
        store: Arc::new(DynamoStore::new(
            clients.dynamodb,
            stack.resources.table.clone(),
        )),
        queue: Arc::new(SqsQueue::new(clients.sqs, stack.queue_urls())),
        blobs: Arc::new(S3Blobs::new(
            clients.s3,
            stack.resources.greetings_bucket.clone(),
        )),
        cases: 24,
    }
}

crate::contract_tests!(aws);

#[tokio::test]
async fn the_table_has_ttl_on_expires_at_and_creating_it_again_is_harmless() {
    let r = Stack::new().await;
    create_table(&r.clients.dynamodb, &r.resources.table)
        .await
        .expect("second create_table");
    let ttl = r
        .clients
        .dynamodb
        .describe_time_to_live()
        .table_name(&r.resources.table)
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some(TTL_ATTRIBUTE));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn a_standard_queue_message_arrives_with_its_body_and_dedup_id() {
    let r = Stack::new().await;
    let queue = SqsQueue::new(r.clients.sqs.clone(), r.queue_urls());
    let message = OutboundMessage {
        queue: QueueName::Notify,
        dedup_id: "CAaws1:RE1".into(),
        body: r#"{"call_sid":"CAaws1"}"#.into(),
    };
    queue.send(&message).await.unwrap();
    let received = r
        .clients
        .sqs
        .receive_message()
        .queue_url(&r.resources.notify_queue_url)
        .message_attribute_names("All")
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].body(), Some(message.body.as_str()));
    let dedup_id = received[0]
        .message_attributes()
        .and_then(|a| a.get(DEDUP_ID_ATTRIBUTE))
        .and_then(|v| v.string_value());
    assert_eq!(dedup_id, Some("CAaws1:RE1"));
}

#[tokio::test]
async fn a_fifo_queue_drops_a_repeated_job() {
    let r = Stack::new().await;
    let fifo_url = r.fifo_recordings_queue().await;
    let urls = QueueUrls {
        recordings: fifo_url.clone(),
        notify: r.resources.notify_queue_url.clone(),
    };
    let queue = SqsQueue::new(r.clients.sqs.clone(), urls);
    let message = OutboundMessage {
        queue: QueueName::Recordings,
        dedup_id: format!("CAfifo1:{}", "RE".repeat(80)),
        body: r#"{"call_sid":"CAfifo1"}"#.into(),
    };
    queue.send(&message).await.unwrap();
    queue.send(&message).await.unwrap();
    let received = r
        .clients
        .sqs
        .receive_message()
        .queue_url(&fifo_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(
            aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId,
        )
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1, "{received:?}");
    let group = received[0]
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId))
        .map(String::as_str);
    assert_eq!(group, Some("CAfifo1"));
}

#[tokio::test]
async fn a_greeting_put_to_s3_reads_back_as_encrypted_audio_mpeg() {
    let r = Stack::new().await;
    let blobs = S3Blobs::new(r.clients.s3.clone(), r.resources.greetings_bucket.clone());
    let key = Business::standard_greeting_key(&BusinessId::parse("acme-dental").unwrap());
    let mp3 = Bytes::from_static(b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64 greeting");
    let meta = blobs.put(&key, mp3.clone(), "audio/mpeg").await.unwrap();
    let blob = blobs
        .get(&key)
        .await
        .unwrap()
        .expect("the greeting is stored");
    assert_eq!(blob.body, mp3);
    assert_eq!(blob.meta.content_type, "audio/mpeg");
    assert_eq!(blob.meta, meta);
    let head = r
        .clients
        .s3
        .head_object()
        .bucket(&r.resources.greetings_bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
}

#[tokio::test]
async fn a_call_known_only_from_its_recording_takes_the_first_callbacks_status() {
    let store = aws().await.store;
    let sid = contract::call_sid();
    let recording = Recording {
        sid: RecordingSid::parse("REaws1").unwrap(),
        url: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/REaws1".into(),
        duration_seconds: None,
        digits: None,
    };
    let now = OffsetDateTime::now_utc();
    store
        .attach_recording(&sid, &recording, true, now)
        .await
        .unwrap();
    assert_eq!(
        store.call(&sid).await.unwrap().unwrap().status,
        CallStatus::InProgress
    );
    let ringing = StatusUpdate {
        sid: sid.clone(),
        status: CallStatus::Ringing,
        sequence: None,
        business_id: None,
        from: None,
        to: None,
        direction: Direction::Inbound,
        duration_seconds: None,
        at: now,
        sip_response_code: None,
        answered_by: None,
    };
    assert!(store.apply_call_status(&ringing).await.unwrap());
    assert_eq!(
        store.call(&sid).await.unwrap().unwrap().status,
        CallStatus::Ringing
    );
    assert!(
        !store.apply_call_status(&ringing).await.unwrap(),
        "a repeat changes nothing"
    );
}

/// A call's delivery log written before appointments had events: the item exactly as the store
/// put it then, on the call's partition with the log's JSON naming `call_sid`.
#[tokio::test]
async fn a_call_delivery_log_written_before_appointment_events_still_reads() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use frontdesk::domain::{DeliveryState, Subject};
    use frontdesk::store::DeliveryStore;
    let stack = Stack::new().await;
    let store = DynamoStore::new(
        stack.clients.dynamodb.clone(),
        stack.resources.table.clone(),
    );
    let sid = contract::call_sid();
    let event_id = format!("evt_{sid}_completed");
    let data = format!(
        r#"{{"event_id":"{event_id}","event_type":"call.completed","call_sid":"{sid}","business_id":"acme","url":"https://crm.example.com/hooks","route":"inbound_webhook_url","state":"delivered","attempts":[{{"at":"2026-11-21T10:00:00Z","status_code":200,"error":null,"latency_ms":8}}]}}"#
    );
    stack
        .clients
        .dynamodb
        .put_item()
        .table_name(&stack.resources.table)
        .item("pk", AttributeValue::S(format!("CALL#{sid}")))
        .item("sk", AttributeValue::S(format!("DELIVERY#{event_id}")))
        .item("data", AttributeValue::S(data))
        .send()
        .await
        .unwrap();
    let log = store
        .delivery(&Subject::Call(sid.clone()), &event_id)
        .await
        .unwrap()
        .expect("the old log reads");
    assert_eq!(log.subject, Subject::Call(sid));
    assert_eq!(log.state, DeliveryState::Delivered);
    assert_eq!(log.attempts.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_copies_of_one_callback_have_one_effect() {
    let store = aws().await.store;
    let sid = contract::call_sid();
    let completed = StatusUpdate {
        sid: sid.clone(),
        status: CallStatus::Completed,
        sequence: Some(4),
        business_id: None,
        from: Some("+972501234567".into()),
        to: Some("+97233334444".into()),
        direction: Direction::Inbound,
        duration_seconds: Some(42),
        at: OffsetDateTime::now_utc(),
        sip_response_code: None,
        answered_by: None,
    };
    let copies: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            let completed = completed.clone();
            tokio::spawn(async move { store.apply_call_status(&completed).await.unwrap() })
        })
        .collect();
    let mut changed = 0;
    for copy in copies {
        changed += usize::from(copy.await.unwrap());
    }
    assert_eq!(changed, 1);
    assert_eq!(store.call_events(&sid).await.unwrap().len(), 1);
    assert_eq!(
        store.call(&sid).await.unwrap().unwrap().status,
        CallStatus::Completed
    );
}

/// An endpoint nothing answers on must turn into `Unavailable` well inside a webhook's budget.
async fn assert_fails_fast(endpoint: &str) {
    let clients = aws::clients(endpoint).await;
    let store = DynamoStore::new(clients.dynamodb, "frontdesk");
    let started = Instant::now();
    let result = store.business(&BusinessId::parse("acme").unwrap()).await;
    let elapsed = started.elapsed();
    match result {
        Err(StoreError::Unavailable(reason)) => {
            assert!(
                !reason.contains("testing"),
                "no credentials in errors: {reason}"
            );
            eprintln!("{endpoint}: Unavailable after {elapsed:?}: {reason}");
        }
        other => panic!("expected Unavailable from {endpoint}, got {other:?}"),
    }
    assert!(
        elapsed < Duration::from_secs(2),
        "{endpoint}: failed after {elapsed:?}"
    );
}

#[tokio::test]
async fn a_store_on_a_refused_endpoint_fails_fast_as_unavailable() {
    // Nothing listens on the discard port: the connection is refused at once, twice.
    assert_fails_fast("http://127.0.0.1:9").await;
}

#[tokio::test]
async fn a_store_on_a_silent_endpoint_times_out_as_unavailable() {
    // Accepts connections and never answers, so only the attempt and operation timeouts end it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let holder = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut connections = Vec::new();
            // Bounded even if the test fails before it says it is done.
            let until = Instant::now() + Duration::from_secs(5);
            while !done.load(Ordering::Relaxed) && Instant::now() < until {
                if let Ok((stream, _)) = listener.accept() {
                    connections.push(stream);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            connections.len()
        })
    };
    assert_fails_fast(&format!("http://{address}")).await;
    done.store(true, Ordering::Relaxed);
    assert!(holder.join().unwrap() >= 1, "the client did connect");
}
