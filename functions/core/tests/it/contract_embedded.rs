//! The contract suite against the embedded backends (SQLite store and queue, blob folder),
//! plus what only the embedded backends promise.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::blob::BlobStore;
use frontdesk::domain::CallStart;
use frontdesk::domain::{BusinessId, CallStatus, Direction};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::{OutboundMessage, Queue, QueueName};
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::store::{AppointmentStore, BusinessStore, CallStore, RateStore};
use time::macros::datetime;

use crate::contract::{self, Backends};

const DATABASE: &str = "frontdesk.sqlite3";

/// A fresh folder per test. It is kept, under Cargo's per-target scratch folder, because
/// `Backends` has no field to hold a guard; `cargo clean` removes it.
fn data_dir() -> PathBuf {
    tempfile::Builder::new()
        .prefix("contract-embedded-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("a temporary folder")
        .keep()
}

async fn embedded() -> Backends {
    let dir = data_dir();
    let database = dir.join(DATABASE);
    Backends {
        store: Arc::new(SqliteStore::open(&database).expect("store opens")),
        queue: Arc::new(EmbeddedQueue::open(&database).expect("queue opens")),
        blobs: Arc::new(FolderBlobs::new(dir.join("blobs"))),
        cases: 96,
    }
}

crate::contract_tests!(embedded);

fn message(dedup_id: &str, body: &str) -> OutboundMessage {
    OutboundMessage {
        queue: QueueName::Recordings,
        dedup_id: dedup_id.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn a_message_sent_twice_is_queued_once_in_send_order() {
    let queue = EmbeddedQueue::open(&data_dir().join(DATABASE)).unwrap();
    queue.send(&message("CA1:RE1", "first")).await.unwrap();
    queue.send(&message("CA2:RE2", "second")).await.unwrap();
    queue
        .send(&message("CA1:RE1", "first, again"))
        .await
        .unwrap();

    let queued = queue.messages(QueueName::Recordings).unwrap();
    let seen: Vec<(&str, &str)> = queued
        .iter()
        .map(|m| (m.dedup_id.as_str(), m.body.as_str()))
        .collect();
    assert_eq!(seen, vec![("CA1:RE1", "first"), ("CA2:RE2", "second")]);
    assert!(frontdesk::store::parse_time(&queued[0].enqueued_at).is_ok());
    assert!(
        queue.messages(QueueName::Notify).unwrap().is_empty(),
        "queues are separate"
    );
}

#[tokio::test]
async fn blob_keys_that_could_leave_the_folder_are_refused() {
    let dir = data_dir();
    let blobs = FolderBlobs::new(dir.join("blobs"));
    let body = Bytes::from_static(b"escaped");
    for key in [
        "../outside.mp3",
        "greetings/../../outside.mp3",
        "/etc/outside.mp3",
        "greetings\\outside.mp3",
    ] {
        assert!(
            blobs.put(key, body.clone(), "audio/mpeg").await.is_err(),
            "put {key}"
        );
        assert!(blobs.get(key).await.is_err(), "get {key}");
        assert!(blobs.head(key).await.is_err(), "head {key}");
    }
    assert!(!dir.join("outside.mp3").exists());
}

#[tokio::test]
async fn a_blob_keeps_its_metadata_beside_it() {
    let dir = data_dir();
    let blobs = FolderBlobs::new(dir.join("blobs"));
    let meta = blobs
        .put(
            "greetings/acme.mp3",
            Bytes::from_static(b"frame"),
            "audio/mpeg",
        )
        .await
        .unwrap();
    let object = dir.join("blobs/greetings/acme.mp3");
    assert_eq!(std::fs::read(&object).unwrap(), b"frame");
    let sidecar = std::fs::read_to_string(dir.join("blobs/greetings/acme.mp3.meta.json")).unwrap();
    assert!(
        sidecar.contains("audio/mpeg") && sidecar.contains(meta.etag.trim_matches('"')),
        "{sidecar}"
    );
    assert_eq!(
        meta.etag.len(),
        34,
        "32 hex digits in quotes: {}",
        meta.etag
    );
    let leftovers: Vec<_> = std::fs::read_dir(object.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files remain: {leftovers:?}"
    );
}

#[tokio::test]
async fn the_store_keeps_its_data_across_reopening() {
    let database = data_dir().join(DATABASE);
    let business = contract::business(vec![contract::number()]);
    let sid = contract::call_sid();
    {
        let store = SqliteStore::open(&database).unwrap();
        store.put_business(&business).await.unwrap();
        store
            .record_call_start(&CallStart {
                sid: sid.clone(),
                business_id: business.id.clone(),
                from: "+972501234567".into(),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: None,
                status: CallStatus::Ringing,
                started_at: datetime!(2026-11-21 10:00:00 UTC),
                placed: None,
            })
            .await
            .unwrap();
        store
            .count_call_attempt(&business.id, "+972501234567", 60)
            .await
            .unwrap();
    }

    let reopened = SqliteStore::open(&database).unwrap();
    assert_eq!(
        reopened.business(&business.id).await.unwrap(),
        Some(business.clone())
    );
    assert_eq!(
        reopened
            .business_by_number(&business.phone_numbers[0])
            .await
            .unwrap()
            .map(|b| b.id),
        Some(business.id.clone())
    );
    let call = reopened.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.status, CallStatus::Ringing);
    assert_eq!(call.business_id, Some(business.id.clone()));
    assert_eq!(
        reopened
            .count_call_attempt(&business.id, "+972501234567", 60)
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn store_and_queue_share_one_file() {
    let database = data_dir().join(DATABASE);
    let store = SqliteStore::open(&database).unwrap();
    let queue = EmbeddedQueue::open(&database).unwrap();
    let business = contract::business(vec![contract::number()]);
    store.put_business(&business).await.unwrap();
    queue.send(&message("CA3:RE3", "job")).await.unwrap();
    assert_eq!(queue.messages(QueueName::Recordings).unwrap().len(), 1);
    assert_eq!(
        store
            .list_businesses()
            .await
            .unwrap()
            .iter()
            .map(|b| &b.id)
            .collect::<Vec<&BusinessId>>(),
        vec![&business.id]
    );
}

#[tokio::test]
async fn a_call_first_known_from_its_recording_status_takes_its_start_in_full() {
    let store = SqliteStore::open(&data_dir().join(DATABASE)).unwrap();
    let sid = contract::call_sid();
    store.set_recording_status(&sid, "completed").await.unwrap();
    let placeholder = store.call(&sid).await.unwrap().unwrap();
    assert_eq!(placeholder.recording_status.as_deref(), Some("completed"));
    assert_eq!(
        placeholder.status,
        CallStatus::InProgress,
        "a recorded call was answered"
    );

    let business = BusinessId::parse("acme").unwrap();
    store
        .record_call_start(&CallStart {
            sid: sid.clone(),
            business_id: business.clone(),
            from: "+972501234567".into(),
            to: "+97233334444".into(),
            direction: Direction::OutboundApi,
            caller_name: None,
            status: CallStatus::Ringing,
            started_at: datetime!(2026-11-21 10:00:00 UTC),
            placed: None,
        })
        .await
        .unwrap();
    let call = store.call(&sid).await.unwrap().unwrap();
    assert_eq!(
        call.status,
        CallStatus::Ringing,
        "no status was stored, so the start's applies"
    );
    assert_eq!(call.direction, Direction::OutboundApi);
    assert_eq!(call.business_id, Some(business));
    assert_eq!(call.recording_status.as_deref(), Some("completed"));
}

#[tokio::test]
async fn a_database_from_before_appointments_gains_their_tables() {
    let database = data_dir().join(DATABASE);
    drop(SqliteStore::open(&database).unwrap());
    // What a file written before appointments existed lacks.
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute_batch(
            "DROP TABLE appointments; DROP TABLE appointment_cells;
             DROP TABLE appointment_requests; DROP TABLE conversations;",
        )
        .unwrap();
    let store = SqliteStore::open(&database).unwrap();
    let biz = contract::appointments::business_id();
    let new = contract::appointments::ask(&biz, "10:00", 30);
    let made = contract::appointments::booked(store.book(&new, 1).await.unwrap());
    assert_eq!(store.appointment(&made.id).await.unwrap(), Some(made));
}
