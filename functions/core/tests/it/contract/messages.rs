//! The message half of the store contract.

use frontdesk::domain::{MessageContent, MessageStatusUpdate, NewMessage};
use frontdesk::domain::{MessageDirection, MessageId, MessageStatus, PhoneNumber};
use frontdesk::store::StoreError;
use time::{Duration, OffsetDateTime};

use super::{business, number, unique, Backends, T0};

pub fn message_id() -> MessageId {
    MessageId::parse(&format!("SMtest{}", unique())).unwrap()
}

fn inbound(
    id: &MessageId,
    business: &frontdesk::domain::BusinessId,
    contact: &PhoneNumber,
    at: OffsetDateTime,
) -> NewMessage {
    NewMessage {
        id: id.clone(),
        business_id: Some(business.clone()),
        direction: MessageDirection::Inbound,
        contact: Some(contact.clone()),
        from: Some(contact.whatsapp()),
        to: Some("whatsapp:+97233334444".into()),
        content: MessageContent {
            kind: "text".into(),
            body: Some("שלום 👋 & <hi>".into()),
            profile_name: Some("Dana".into()),
            raw: serde_json::json!({"Body": "שלום 👋 & <hi>", "NumMedia": "0"}),
            ..MessageContent::default()
        },
        status: MessageStatus::Received,
        error_code: None,
        error_message: None,
        at,
    }
}

fn status(id: &MessageId, status: MessageStatus, at: OffsetDateTime) -> MessageStatusUpdate {
    MessageStatusUpdate {
        id: id.clone(),
        status,
        at,
        error_code: None,
        error_message: None,
    }
}

pub async fn an_inbound_message_delivered_three_times_is_stored_once(b: &Backends) {
    let biz = business(vec![]);
    let contact = number();
    let id = message_id();
    let message = inbound(&id, &biz.id, &contact, T0);
    assert!(b.store.insert_message(&message).await.unwrap());
    assert!(!b.store.insert_message(&message).await.unwrap());
    assert!(!b.store.insert_message(&message).await.unwrap());
    let stored = b.store.message(&id).await.unwrap().unwrap();
    assert_eq!(stored.content.as_ref(), Some(&message.content));
    assert_eq!(stored.direction, Some(MessageDirection::Inbound));
    assert_eq!(stored.status, Some(MessageStatus::Received));
    assert_eq!(stored.created_at, Some(T0));
    assert_eq!(b.store.message_events(&id).await.unwrap().len(), 1);
    let page = b
        .store
        .conversation_messages(&biz.id, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1, "one message in the conversation");
}

pub async fn sent_delivered_and_read_in_every_order_end_read_with_every_time(b: &Backends) {
    use MessageStatus::*;
    let steps = [
        (Sent, T0 + Duration::seconds(1)),
        (Delivered, T0 + Duration::seconds(2)),
        (Read, T0 + Duration::seconds(3)),
    ];
    for order in super::permutations(&steps) {
        let id = message_id();
        for (s, at) in &order {
            b.store
                .apply_message_status(&status(&id, *s, *at))
                .await
                .unwrap();
        }
        let stored = b.store.message(&id).await.unwrap().unwrap();
        assert_eq!(stored.status, Some(Read), "order {order:?}");
        assert_eq!(stored.sent_at, Some(steps[0].1), "order {order:?}");
        assert_eq!(stored.delivered_at, Some(steps[1].1), "order {order:?}");
        assert_eq!(stored.read_at, Some(steps[2].1), "order {order:?}");
        assert_eq!(b.store.message_events(&id).await.unwrap().len(), 3);

        // A failure after read is terminal and keeps every earlier time and its error.
        let mut failed = status(&id, Failed, T0 + Duration::seconds(4));
        failed.error_code = Some("131047".into());
        failed.error_message = Some("Re-engagement message".into());
        assert!(b.store.apply_message_status(&failed).await.unwrap());
        let stored = b.store.message(&id).await.unwrap().unwrap();
        assert_eq!(stored.status, Some(Failed));
        assert_eq!(stored.read_at, Some(steps[2].1));
        assert_eq!(stored.sent_at, Some(steps[0].1));
        assert_eq!(stored.failed_at, Some(T0 + Duration::seconds(4)));
        assert_eq!(stored.error_code.as_deref(), Some("131047"));
        assert_eq!(b.store.message_events(&id).await.unwrap().len(), 4);
    }
}

pub async fn late_delivered_never_overwrites_read(b: &Backends) {
    let id = message_id();
    use MessageStatus::*;
    assert!(b
        .store
        .apply_message_status(&status(&id, Delivered, T0))
        .await
        .unwrap());
    assert!(b
        .store
        .apply_message_status(&status(&id, Read, T0 + Duration::seconds(5)))
        .await
        .unwrap());
    assert!(!b
        .store
        .apply_message_status(&status(&id, Delivered, T0))
        .await
        .unwrap());
    assert!(!b
        .store
        .apply_message_status(&status(&id, Sent, T0))
        .await
        .unwrap());
    let stored = b.store.message(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Some(Read));
    assert_eq!(stored.status_at, Some(T0 + Duration::seconds(5)));
    assert_eq!(stored.delivered_at, Some(T0));
    assert_eq!(
        stored.sent_at,
        Some(T0),
        "a late sent still records its time"
    );
}

pub async fn an_error_code_is_never_erased_by_a_later_callback(b: &Backends) {
    use MessageStatus::*;
    let id = message_id();
    let mut undelivered = status(&id, Undelivered, T0);
    undelivered.error_code = Some("63016".into());
    b.store.apply_message_status(&undelivered).await.unwrap();
    b.store
        .apply_message_status(&status(&id, Sent, T0))
        .await
        .unwrap();
    b.store
        .apply_message_status(&status(&id, Failed, T0))
        .await
        .unwrap();
    let stored = b.store.message(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.status,
        Some(Undelivered),
        "the first terminal status stays"
    );
    assert_eq!(stored.error_code.as_deref(), Some("63016"));
    assert_eq!(stored.failed_at, Some(T0));
}

pub async fn a_status_before_the_message_creates_it_and_the_message_fills_it(b: &Backends) {
    use MessageStatus::*;
    let biz = business(vec![]);
    let contact = number();
    let id = message_id();
    assert!(b
        .store
        .apply_message_status(&status(&id, Delivered, T0 + Duration::seconds(2)))
        .await
        .unwrap());
    let early = b
        .store
        .message(&id)
        .await
        .unwrap()
        .expect("created by its status");
    assert_eq!(early.status, Some(Delivered));
    assert_eq!(early.direction, None);
    assert_eq!(early.content, None);

    let mut sent = inbound(&id, &biz.id, &contact, T0);
    sent.direction = MessageDirection::Outbound;
    sent.status = Queued;
    assert!(
        b.store.insert_message(&sent).await.unwrap(),
        "the content is new"
    );
    let stored = b.store.message(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.status,
        Some(Delivered),
        "queued does not undo delivered"
    );
    assert_eq!(stored.direction, Some(MessageDirection::Outbound));
    assert_eq!(stored.content.as_ref(), Some(&sent.content));
    assert_eq!(stored.business_id, Some(biz.id.clone()));
    let page = b
        .store
        .conversation_messages(&biz.id, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1);
}

pub async fn a_conversation_is_listed_newest_first_in_pages(b: &Backends) {
    let biz = business(vec![]);
    let contact = number();
    let other = number();
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = message_id();
        let mut message = inbound(&id, &biz.id, &contact, T0 + Duration::minutes(i));
        if i % 2 == 1 {
            message.direction = MessageDirection::Outbound;
            message.status = MessageStatus::Queued;
        }
        b.store.insert_message(&message).await.unwrap();
        ids.push(id);
    }
    b.store
        .insert_message(&inbound(&message_id(), &biz.id, &other, T0))
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = b
            .store
            .conversation_messages(&biz.id, &contact, 2, cursor.as_deref())
            .await
            .unwrap();
        pages += 1;
        assert!(page.messages.len() <= 2);
        seen.extend(page.messages.into_iter().map(|m| m.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(
        seen, ids,
        "newest first, each once, other contacts left out"
    );
    assert_eq!(pages, 3);
    assert!(matches!(
        b.store
            .conversation_messages(&biz.id, &contact, 2, Some("not-a-cursor"))
            .await,
        Err(StoreError::BadCursor(_))
    ));
}

pub async fn racing_status_callbacks_never_move_a_status_backwards(b: &Backends) {
    use MessageStatus::*;
    for _ in 0..3 {
        let id = message_id();
        let mut tasks = Vec::new();
        for (i, s) in [Sent, Delivered, Read, Delivered, Sent, Read]
            .into_iter()
            .enumerate()
        {
            let store = b.store.clone();
            let update = status(&id, s, T0 + Duration::seconds(i as i64));
            tasks.push(tokio::spawn(async move {
                store.apply_message_status(&update).await.unwrap()
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let stored = b.store.message(&id).await.unwrap().unwrap();
        assert_eq!(stored.status, Some(Read));
        assert_eq!(b.store.message_events(&id).await.unwrap().len(), 3);
    }
}
