//! WhatsApp messages and their statuses as Twilio's form webhooks and Meta's JSON
//! notifications can carry them, read back through a customer's conversation, the message
//! itself, its events, the customers list and the inbox's search.

use std::sync::Arc;

use frontdesk::domain::message::message_status_advances;
use frontdesk::domain::{
    BusinessId, MessageContent, MessageDirection, MessageEvent, MessageId, MessageStatus,
    MessageStatusUpdate, NewMessage, PhoneNumber, StoredMessage, WhatsAppAddress,
};
use frontdesk::http::{FormParams, MAX_FORM_BODY};
use frontdesk::meta::payload;
use frontdesk::store::find::Activity;
use frontdesk::store::messages::time_ns;
use frontdesk::store::Store;
use frontdesk::twilio::params;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::calls::{search_finds, FORM_FIELD};
use super::{check, e164, fresh, text, Outcome, Stored};
use crate::contract::Backends;

/// The most media parameters Twilio numbers, and a few past it.
const MEDIA: usize = 12;

/// Meta's `timestamp`: Unix seconds as a string or a number, anywhere in i64, or not one.
fn meta_timestamp() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (1_500_000_000i64..2_500_000_000).prop_map(|s| json!(s.to_string())),
        2 => any::<i64>().prop_map(|s| json!(s.to_string())),
        1 => any::<i64>().prop_map(|s| json!(s)),
        1 => prop::sample::select(vec![
            -62_167_219_201i64, // the second before the year 0
            -377_705_116_800,   // the first second of the year -9999
            253_402_300_799,    // the last second of the year 9999
            253_402_300_800,
        ])
        .prop_map(|s| json!(s.to_string())),
        1 => text(40).prop_map(|s| json!(s)),
    ]
}

/// A WhatsApp address as either provider writes it: `whatsapp:+…`, `+…` or bare digits.
fn address(number: &str, style: u8) -> String {
    match style % 3 {
        0 => format!("whatsapp:{number}"),
        1 => number.to_string(),
        _ => number.trim_start_matches('+').to_string(),
    }
}

/// One media parameter pair as Twilio sends it: a URL and a type, either perhaps empty.
fn media_item() -> impl Strategy<Value = (String, String)> {
    let maybe_empty = |max| prop_oneof![4 => text(max), 1 => Just(String::new())];
    (maybe_empty(2048), maybe_empty(200))
}

/// An inbound message as a provider sends it.
#[derive(Clone, Debug)]
pub enum Inbound {
    /// Twilio's form fields.
    Twilio(Vec<(String, String)>),
    /// Meta's notification.
    Meta(Value),
}

fn twilio_inbound() -> impl Strategy<Value = Inbound> {
    (
        "(SM|MM)[A-Za-z0-9_-]{1,62}",
        e164(),
        any::<u8>(),
        prop::option::of(text(FORM_FIELD)),
        prop::option::of(text(FORM_FIELD)),
        prop::option::of(prop_oneof![
            (0..=MEDIA).prop_map(|n| n.to_string()),
            text(12)
        ]),
        prop::collection::vec(media_item(), 0..=MEDIA),
        prop::option::of(text(FORM_FIELD)),
        prop::option::of(text(64)),
    )
        .prop_map(
            |(sid, from, style, body, profile, num_media, media, replied_to, kind)| {
                let mut form = vec![
                    ("MessageSid".to_string(), sid),
                    ("From".to_string(), address(&from, style)),
                    ("To".to_string(), "whatsapp:+97233334444".to_string()),
                ];
                let optional = [
                    ("Body", body),
                    ("ProfileName", profile),
                    ("NumMedia", num_media),
                    ("OriginalRepliedMessageSid", replied_to),
                    ("MessageType", kind),
                ];
                for (key, value) in optional {
                    if let Some(value) = value {
                        form.push((key.to_string(), value));
                    }
                }
                for (i, (url, content_type)) in media.into_iter().enumerate() {
                    form.push((format!("MediaUrl{i}"), url));
                    form.push((format!("MediaContentType{i}"), content_type));
                }
                Inbound::Twilio(form)
            },
        )
}

fn meta_inbound() -> impl Strategy<Value = Inbound> {
    (
        "wamid\\.[A-Za-z0-9_.+/=:-]{1,249}",
        e164(),
        meta_timestamp(),
        prop::option::of(text(FORM_FIELD)),
        text(FORM_FIELD),
        prop::option::of((text(200), text(100), prop::option::of(text(FORM_FIELD)))),
    )
        .prop_map(|(id, from, timestamp, profile, body, media)| {
            let digits = from.trim_start_matches('+');
            let mut message = json!({"id": id, "from": digits, "timestamp": timestamp});
            match media {
                None => {
                    message["type"] = json!("text");
                    message["text"] = json!({"body": body});
                }
                Some((media_id, mime, caption)) => {
                    message["type"] = json!("image");
                    message["image"] =
                        json!({"id": media_id, "mime_type": mime, "caption": caption});
                }
            }
            let mut contacts = vec![];
            if let Some(name) = profile {
                contacts.push(json!({"wa_id": digits, "profile": {"name": name}}));
            }
            Inbound::Meta(notification(json!({
                "metadata": {"display_phone_number": "97233334444", "phone_number_id": "1"},
                "contacts": contacts,
                "messages": [message],
            })))
        })
}

fn notification(value: Value) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": value}
    ]}]})
}

/// The message the handlers store for `inbound`, or `None` when the edge turns it away.
fn received(inbound: &Inbound, business: &BusinessId) -> Option<NewMessage> {
    match inbound {
        Inbound::Twilio(pairs) => {
            let form = FormParams::from_pairs(pairs.clone());
            if form.encode().len() > MAX_FORM_BODY {
                return None;
            }
            let id = params::message_sid(&form).ok()?;
            let from = WhatsAppAddress::parse(form.non_empty("From")?).ok()?;
            Some(NewMessage {
                id,
                business_id: Some(business.clone()),
                direction: MessageDirection::Inbound,
                contact: Some(from.number().clone()),
                from: Some(from.address()),
                to: Some("whatsapp:+97233334444".into()),
                content: params::message_content(&form),
                status: MessageStatus::Received,
                error_code: None,
                error_message: None,
                at: OffsetDateTime::now_utc(),
            })
        }
        Inbound::Meta(body) => {
            let changes = payload::parse(body.to_string().as_bytes()).ok()?;
            let message = changes.into_iter().next()?.messages.into_iter().next()?;
            Some(NewMessage {
                id: message.id,
                business_id: Some(business.clone()),
                direction: MessageDirection::Inbound,
                contact: Some(message.from.number().clone()),
                from: Some(message.from.address()),
                to: Some("whatsapp:+97233334444".into()),
                content: message.content,
                status: MessageStatus::Received,
                error_code: None,
                error_message: None,
                at: message.at,
            })
        }
    }
}

/// A provider's id made unique to this case, so repeated cases never meet in the store.
fn unique_id(inbound: Inbound) -> Inbound {
    let suffix = fresh();
    match inbound {
        Inbound::Twilio(mut pairs) => {
            pairs[0].1 = format!("{}{suffix}", &pairs[0].1[..pairs[0].1.len().min(50)]);
            Inbound::Twilio(pairs)
        }
        Inbound::Meta(mut body) => {
            let id = &mut body["entry"][0]["changes"][0]["value"]["messages"][0]["id"];
            *id = json!(format!("{}{suffix}", id.as_str().unwrap_or("wamid.")));
            Inbound::Meta(body)
        }
    }
}

pub async fn every_whatsapp_message_a_provider_can_send_reads_back_through_the_conversation(
    b: &Backends,
) {
    let inbound = prop_oneof![twilio_inbound(), meta_inbound()];
    check(b, inbound, message_round_trip).await;
}

async fn message_round_trip(store: Arc<dyn Store>, inbound: Inbound) -> Outcome {
    let business = BusinessId::parse(&format!("rt-msg-{}", fresh())).unwrap();
    let Some(message) = received(&unique_id(inbound), &business) else {
        return Err(TestCaseError::reject("the edge turns it away"));
    };
    let inserted = store.insert_message(&message).await.stored("message")?;
    prop_assert!(inserted, "a new message is stored");
    let contact = message.contact.clone().unwrap();
    // A received message: no error, no status time but its own.
    let expected = StoredMessage::just_stored(&message);
    let page = conversation(&store, &business, &contact).await?;
    prop_assert_eq!(page.len(), 1, "the conversation holds the message");
    prop_assert_eq!(
        &page[0].content,
        &expected.content,
        "the conversation shows what was said"
    );
    prop_assert_eq!(&page[0], &expected);
    let read = store.message(&message.id).await.stored("message")?;
    prop_assert_eq!(
        read.as_ref(),
        Some(&page[0]),
        "one message, however it is read"
    );
    let media = &message.content.media;
    prop_assert!(
        media.len() <= 10,
        "at most ten media items: {}",
        media.len()
    );
    prop_assert!(
        media.iter().all(|m| m.url.is_some() || m.id.is_some()),
        "every media item can be fetched: {:?}",
        media
    );

    let customers = store
        .list_contacts(&business, None, 10)
        .await
        .stored("customers")?;
    prop_assert_eq!(customers.contacts.len(), 1);
    prop_assert_eq!(&customers.contacts[0].number, &contact);
    prop_assert_eq!(customers.contacts[0].last_at, message.at);

    if let Some(said) = message.content.body.as_deref() {
        let activity = Activity::Message(message.id.clone());
        search_finds(store.as_ref(), &business, said, activity).await?;
    }
    Ok(())
}

async fn conversation(
    store: &Arc<dyn Store>,
    business: &BusinessId,
    contact: &PhoneNumber,
) -> Result<Vec<StoredMessage>, TestCaseError> {
    let page = store
        .conversation_messages(business, contact, 10, None)
        .await
        .stored("conversation")?;
    Ok(page.messages)
}

/// A status callback as a provider sends it.
#[derive(Clone, Debug)]
pub enum Status {
    Twilio {
        status: MessageStatus,
        timestamp: String,
        error_code: Option<String>,
        error_message: Option<String>,
    },
    Meta(Value),
}

fn twilio_status() -> impl Strategy<Value = Status> {
    (
        prop::sample::select(MessageStatus::ALL.to_vec()),
        super::calls::callback_timestamp(),
        prop::option::of(prop_oneof![Just("0".to_string()), "[0-9]{1,6}", text(200)]),
        prop::option::of(text(FORM_FIELD)),
    )
        .prop_map(
            |(status, timestamp, error_code, error_message)| Status::Twilio {
                status,
                timestamp,
                error_code,
                error_message,
            },
        )
}

fn meta_status() -> impl Strategy<Value = Status> {
    (
        prop::sample::select(vec!["sent", "delivered", "read", "failed"]),
        meta_timestamp(),
        prop::option::of((
            prop_oneof![
                any::<i64>().prop_map(|n| json!(n)),
                text(40).prop_map(|s| json!(s))
            ],
            text(FORM_FIELD),
        )),
    )
        .prop_map(|(status, timestamp, error)| {
            let mut event = json!({"status": status, "timestamp": timestamp,
                "recipient_id": "972501234567"});
            if let Some((code, details)) = error {
                event["errors"] = json!([{"code": code, "error_data": {"details": details}}]);
            }
            Status::Meta(event)
        })
}

/// The update the handlers apply for `status` about message `id`.
fn status_update(status: &Status, id: &MessageId) -> Option<MessageStatusUpdate> {
    match status {
        Status::Twilio {
            status,
            timestamp,
            error_code,
            error_message,
        } => {
            let form = FormParams::from_pairs(
                [
                    Some(("Timestamp", timestamp.clone())),
                    error_code.clone().map(|c| ("ErrorCode", c)),
                    error_message.clone().map(|m| ("ErrorMessage", m)),
                ]
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            );
            if form.encode().len() > MAX_FORM_BODY {
                return None;
            }
            Some(MessageStatusUpdate {
                id: id.clone(),
                status: *status,
                at: params::callback_time(&form),
                error_code: form
                    .non_empty("ErrorCode")
                    .filter(|code| *code != "0")
                    .map(str::to_string),
                error_message: form.non_empty("ErrorMessage").map(str::to_string),
            })
        }
        Status::Meta(event) => {
            let mut event = event.clone();
            event["id"] = json!(id.as_str());
            let body = notification(json!({"statuses": [event]}));
            let changes = payload::parse(body.to_string().as_bytes()).ok()?;
            let status = changes.into_iter().next()?.statuses.into_iter().next()?;
            Some(MessageStatusUpdate {
                id: id.clone(),
                status: status.status,
                at: status.at,
                error_code: status.error_code,
                error_message: status.error_message,
            })
        }
    }
}

pub async fn every_status_a_provider_can_report_reads_back_with_its_message(b: &Backends) {
    let statuses = (
        prop::bool::ANY,
        prop_oneof![twilio_status(), meta_status()],
        text(4096),
    );
    check(b, statuses, status_round_trip).await;
}

/// A message the business sent (through Twilio or Meta), then one status callback about it.
async fn status_round_trip(
    store: Arc<dyn Store>,
    (meta, status, reply): (bool, Status, String),
) -> Outcome {
    let business = BusinessId::parse(&format!("rt-status-{}", fresh())).unwrap();
    let id = if meta {
        MessageId::parse(&format!("wamid.rt{}", fresh())).unwrap()
    } else {
        MessageId::parse(&format!("SMrt{}", fresh())).unwrap()
    };
    let Some(update) = status_update(&status, &id) else {
        return Err(TestCaseError::reject("the edge turns it away"));
    };
    let contact = PhoneNumber::parse("+972501234567").unwrap();
    let sent = NewMessage {
        id: id.clone(),
        business_id: Some(business.clone()),
        direction: MessageDirection::Outbound,
        contact: Some(contact.clone()),
        from: Some("whatsapp:+97233334444".into()),
        to: Some(contact.whatsapp()),
        content: MessageContent {
            kind: "text".into(),
            body: Some(reply),
            ..MessageContent::default()
        },
        status: MessageStatus::Queued,
        error_code: None,
        error_message: None,
        at: OffsetDateTime::now_utc(),
    };
    store.insert_message(&sent).await.stored("sent message")?;
    let advanced = store.apply_message_status(&update).await.stored("status")?;
    prop_assert_eq!(
        advanced,
        message_status_advances(Some(MessageStatus::Queued), update.status)
    );

    let page = conversation(&store, &business, &contact).await?;
    prop_assert_eq!(page.len(), 1, "the conversation holds the message");
    let shown = &page[0];
    prop_assert_eq!(&shown.content, &Some(sent.content.clone()));
    let expected_status = if advanced {
        update.status
    } else {
        MessageStatus::Queued
    };
    prop_assert_eq!(shown.status, Some(expected_status));
    let status_at = if advanced { update.at } else { sent.at };
    prop_assert_eq!(shown.status_at, Some(status_at));
    prop_assert_eq!(&shown.error_code, &update.error_code);
    prop_assert_eq!(&shown.error_message, &update.error_message);
    // One event per status, oldest first: the send's, and the callback's unless it repeats it.
    let mut expected = vec![MessageEvent {
        status: MessageStatus::Queued,
        at: sent.at,
        error_code: None,
    }];
    if update.status != MessageStatus::Queued {
        expected.push(MessageEvent {
            status: update.status,
            at: update.at,
            error_code: update.error_code.clone(),
        });
    }
    expected.sort_by_key(|event| time_ns(event.at));
    let events = store.message_events(&id).await.stored("events")?;
    prop_assert_eq!(events, expected);
    Ok(())
}
