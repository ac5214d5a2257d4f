//! Queue messages parked while their queue was down.

use frontdesk::store::ParkedMessage;
use time::Duration;

use super::{unique, Backends, T0};

pub async fn a_message_is_parked_once_read_oldest_first_and_forgotten(b: &Backends) {
    // Other tests may park in the same table: this one's messages are on a queue of its own.
    let queue = format!("contract-{}", unique());
    let parked = |dedup_id: &str, minutes: i64, body: &str| ParkedMessage {
        queue: queue.clone(),
        dedup_id: dedup_id.to_string(),
        body: body.to_string(),
        parked_at: T0 + Duration::minutes(minutes),
    };
    let later = parked(
        "CA1:completed",
        5,
        r#"{"event":"call.completed","note":"שלום"}"#,
    );
    let earlier = parked("SM1:deferred:message", 1, r#"{"job":"deferred_write"}"#);
    b.store.park(&later).await.unwrap();
    b.store.park(&earlier).await.unwrap();
    // The same message parked again (a retried webhook) is kept once, as first parked.
    b.store
        .park(&parked("CA1:completed", 9, "a second copy"))
        .await
        .unwrap();
    let mine = |all: Vec<ParkedMessage>| -> Vec<ParkedMessage> {
        all.into_iter().filter(|m| m.queue == queue).collect()
    };
    assert_eq!(
        mine(b.store.parked(1000).await.unwrap()),
        [earlier.clone(), later.clone()]
    );
    b.store.unpark(&queue, &earlier.dedup_id).await.unwrap();
    // Forgetting one already forgotten is no error: the reconciler may repeat itself.
    b.store.unpark(&queue, &earlier.dedup_id).await.unwrap();
    let later_id = later.dedup_id.clone();
    assert_eq!(mine(b.store.parked(1000).await.unwrap()), [later]);
    b.store.unpark(&queue, &later_id).await.unwrap();
    assert!(mine(b.store.parked(1000).await.unwrap()).is_empty());
}
