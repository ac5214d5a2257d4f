//! Conversations: a dialogue's state, written only by whoever read the current version.

use frontdesk::domain::{BusinessId, CallSid, Conversation, ConversationKey};
use jiff::{SignedDuration, Timestamp};

use super::{number, unique, Backends};

fn now() -> Timestamp {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

fn conversation(key: &ConversationKey, business: &BusinessId, version: u32) -> Conversation {
    Conversation {
        key: key.clone(),
        business_id: business.clone(),
        state: serde_json::json!({
            "step": "confirm",
            "slot": "2026-11-23T10:00:00Z",
            "said": "כן, מחר ב-10 & <ok>",
            "tries": version,
        }),
        version,
        updated_at: now() + SignedDuration::from_millis(i64::from(version) * 1_001),
        expires_at: now() + SignedDuration::from_mins(30),
    }
}

fn whatsapp() -> (ConversationKey, BusinessId) {
    let business = BusinessId::parse(&format!("conv-{}", unique())).unwrap();
    (ConversationKey::whatsapp(&business, &number()), business)
}

pub async fn a_conversation_is_written_read_and_deleted(b: &Backends) {
    let (key, business) = whatsapp();
    assert_eq!(b.store.conversation(&key).await.unwrap(), None);
    let first = conversation(&key, &business, 1);
    assert!(b.store.put_conversation(&first, None).await.unwrap());
    assert_eq!(b.store.conversation(&key).await.unwrap(), Some(first));
    let second = conversation(&key, &business, 2);
    assert!(b.store.put_conversation(&second, Some(1)).await.unwrap());
    assert_eq!(b.store.conversation(&key).await.unwrap(), Some(second));

    let call = ConversationKey::voice(&CallSid::parse(&format!("CAconv{}", unique())).unwrap());
    assert_eq!(
        b.store.conversation(&call).await.unwrap(),
        None,
        "keys are apart"
    );

    b.store.delete_conversation(&key).await.unwrap();
    assert_eq!(b.store.conversation(&key).await.unwrap(), None);
    b.store.delete_conversation(&key).await.unwrap();
    assert!(
        b.store
            .put_conversation(&conversation(&key, &business, 1), None)
            .await
            .unwrap(),
        "after deleting, it starts over"
    );
}

pub async fn a_write_naming_a_stale_version_is_refused(b: &Backends) {
    let (key, business) = whatsapp();
    assert!(
        !b.store
            .put_conversation(&conversation(&key, &business, 2), Some(1))
            .await
            .unwrap(),
        "nothing is stored at version 1"
    );
    assert_eq!(b.store.conversation(&key).await.unwrap(), None);
    let first = conversation(&key, &business, 1);
    assert!(b.store.put_conversation(&first, None).await.unwrap());
    assert!(
        !b.store.put_conversation(&first, None).await.unwrap(),
        "one is stored already"
    );
    assert!(b
        .store
        .put_conversation(&conversation(&key, &business, 2), Some(1))
        .await
        .unwrap());
    let stale = conversation(&key, &business, 2);
    assert!(!b.store.put_conversation(&stale, Some(1)).await.unwrap());
    assert_eq!(
        b.store.conversation(&key).await.unwrap().unwrap().version,
        2
    );
}

pub async fn racing_writers_of_one_version_write_once(b: &Backends) {
    let (key, business) = whatsapp();
    assert!(b
        .store
        .put_conversation(&conversation(&key, &business, 1), None)
        .await
        .unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|writer| {
            let store = b.store.clone();
            let mut next = conversation(&key, &business, 2);
            next.state["writer"] = writer.into();
            tokio::spawn(async move {
                let written = store.put_conversation(&next, Some(1)).await.unwrap();
                (written, next)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (written, next) = task.await.unwrap();
        if written {
            winners.push(next);
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(b.store.conversation(&key).await.unwrap(), winners.pop());
}

pub async fn an_expired_conversation_is_still_read(b: &Backends) {
    let (key, business) = whatsapp();
    let mut lapsed = conversation(&key, &business, 1);
    lapsed.expires_at = now() - SignedDuration::from_nanos(1_500);
    assert!(b.store.put_conversation(&lapsed, None).await.unwrap());
    let read = b.store.conversation(&key).await.unwrap().unwrap();
    assert_eq!(read, lapsed);
    assert!(read.is_expired(now()));
    assert!(!read.is_expired(lapsed.expires_at - SignedDuration::from_nanos(1)));
    let mut renewed = conversation(&key, &business, 2);
    renewed.state = serde_json::json!({});
    assert!(
        b.store.put_conversation(&renewed, Some(1)).await.unwrap(),
        "an expired one is replaced by naming its version"
    );
}
