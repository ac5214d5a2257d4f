//! WhatsApp's webhooks under fire: DynamoDB refused or slow while Twilio or Meta waits. Twilio
//! does not send a message again, so what the store could not take travels on the `notify`
//! queue and is stored when the store is back; Meta does, so it is answered 503 and stored from
//! its redelivery.

use std::time::{Duration, Instant};

use frontdesk::domain::{Business, MessageDirection, MessageStatus, PhoneNumber};
use frontdesk::meta::signature::sign;
use frontdesk_testkit::faults::Fault;

use super::{faulty_with, Faulty};
use crate::whatsapp::meta::{meta_batch, post_meta, wamid};
use crate::whatsapp::{business, incoming, message_sid, status, stored, vars, META_APP_SECRET};

async fn world() -> (Faulty, frontdesk_testkit::workers::Env) {
    let f = faulty_with(&vars(&[])).await;
    let env = f.consumers(|_, _| {}).await;
    (f, env)
}

/// How many messages the business's conversation with the customer holds.
async fn conversation_len(f: &Faulty, business: &Business) -> usize {
    let customer = PhoneNumber::parse("+972501234567").unwrap();
    let store = f.server.app.store();
    let page = store.conversation_messages(&business.id, &customer, 10, None);
    page.await.unwrap().messages.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_a_twilio_whatsapp_message_stores_it_once_healed() {
    let (f, env) = world().await;
    let (business, _) = business(&f.server, Some("Thanks!")).await;
    let mut sids = Vec::new();
    for fault in [
        Fault::Refuse,
        Fault::Status(503),
        Fault::Delay(Duration::from_secs(5)),
    ] {
        let sid = message_sid();
        f.dynamodb.set(fault);
        for _ in 0..2 {
            let started = Instant::now();
            let answer = incoming(&f.server, &sid, &business, "whatsapp:+972501234567").await;
            assert_eq!(answer.status(), 200, "{fault:?}");
            assert!(started.elapsed() < Duration::from_secs(2), "{fault:?}");
            assert!(answer.text().await.unwrap().contains("<Response"));
        }
        f.dynamodb.heal();
        sids.push(sid);
    }
    f.settle(&env).await;
    for sid in &sids {
        let message = stored(&f.server, sid).await;
        assert_eq!(message.business_id, Some(business.id.clone()), "{sid}");
        assert_eq!(message.direction, Some(MessageDirection::Inbound));
        let content = message.content.unwrap();
        assert_eq!(content.body.as_deref(), Some("שלום 👋 <b>&amp;</b>"));
        assert_eq!(content.media.len(), 1);
    }
    assert_eq!(
        conversation_len(&f, &business).await,
        sids.len(),
        "each message once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_twilio_status_callbacks_applies_them_once_healed() {
    let (f, env) = world().await;
    let (business, _) = business(&f.server, None).await;
    let sid = message_sid();
    incoming(&f.server, &sid, &business, "whatsapp:+972501234567").await;
    f.dynamodb.set(Fault::Refuse);
    for callback in ["sent", "delivered", "read", "delivered"] {
        let started = Instant::now();
        assert_eq!(
            status(&f.server, &sid, callback, &[]).await,
            204,
            "{callback}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    f.dynamodb.heal();
    f.settle(&env).await;
    let message = stored(&f.server, &sid).await;
    assert_eq!(
        message.status,
        Some(MessageStatus::Read),
        "never moved back"
    );
    assert!(message.delivered_at.is_some() && message.read_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_a_meta_batch_answers_503_and_its_redelivery_is_stored_once() {
    let (f, _env) = world().await;
    let (business, _) = business(&f.server, None).await;
    let pnid = business.meta_phone_number_id.clone().unwrap();
    let (text, unknown, outbound) = (wamid(), wamid(), wamid());
    let body = meta_batch(&pnid, &text, &unknown, &outbound);
    let signature = || Some(sign(META_APP_SECRET, body.as_bytes()));
    for fault in [Fault::Refuse, Fault::Status(503), Fault::Reset] {
        f.dynamodb.set(fault);
        let answer = post_meta(&f.server, body.as_bytes(), signature()).await;
        assert_eq!(
            answer.status(),
            503,
            "{fault:?}: Meta delivers the batch again"
        );
    }
    f.dynamodb.heal();
    for _ in 0..2 {
        let answer = post_meta(&f.server, body.as_bytes(), signature()).await;
        assert_eq!(answer.status(), 200);
    }
    let message = stored(&f.server, &text).await;
    assert_eq!(message.business_id, Some(business.id.clone()));
    assert_eq!(message.content.unwrap().body.as_deref(), Some("שלום 👋"));
    assert_eq!(
        stored(&f.server, &outbound).await.status,
        Some(MessageStatus::Read)
    );
    assert_eq!(
        conversation_len(&f, &business).await,
        2,
        "each message once"
    );
}
