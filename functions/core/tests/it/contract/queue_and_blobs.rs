//! The queue and blob backends that go with each store.

use bytes::Bytes;
use frontdesk::queue::{OutboundMessage, QueueName};

use super::{unique, Backends};

pub async fn blobs_round_trip_with_type_length_and_etag(b: &Backends) {
    let key = format!("greetings/contract-{}.mp3", unique());
    assert_eq!(b.blobs.head(&key).await.unwrap(), None);
    assert_eq!(b.blobs.get(&key).await.unwrap(), None);
    let body = Bytes::from_static(b"\xff\xfb\x90\x64 fake mp3 frame");
    let meta = b.blobs.put(&key, body.clone(), "audio/mpeg").await.unwrap();
    assert_eq!(meta.content_length, body.len() as u64);
    assert!(
        meta.etag.starts_with('"') && meta.etag.ends_with('"'),
        "{}",
        meta.etag
    );
    let head = b.blobs.head(&key).await.unwrap().unwrap();
    assert_eq!(head, meta);
    assert_eq!(head.content_type, "audio/mpeg");
    let blob = b.blobs.get(&key).await.unwrap().unwrap();
    assert_eq!(blob.body, body);
    assert_eq!(blob.meta, meta);
    let changed = b
        .blobs
        .put(&key, Bytes::from_static(b"other"), "audio/mpeg")
        .await
        .unwrap();
    assert_ne!(changed.etag, meta.etag, "new content, new etag");
}

pub async fn queue_accepts_messages_and_repeats(b: &Backends) {
    let message = OutboundMessage {
        queue: QueueName::Recordings,
        dedup_id: format!("CA{}:RE1", unique()),
        body: r#"{"call_sid":"CA1"}"#.into(),
    };
    b.queue.send(&message).await.unwrap();
    b.queue.send(&message).await.unwrap();
}
