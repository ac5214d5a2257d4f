//! What a WhatsApp message says and what is known of it: content, status updates, events.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{MessageDirection, MessageId, MessageStatus};
use crate::domain::ids::{BusinessId, PhoneNumber};

/// A media item: Twilio gives a URL, Meta a media id to fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// What a message said, stored as one JSON document so new kinds need no schema change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageContent {
    /// `text`, `image`, `location`, `interactive`, `button`, `reaction`, … or the provider's
    /// own name for a kind Frontdesk does not know.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// The message this one replies or reacts to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// Every field as received: Twilio's full parameter set, or Meta's message object.
    #[serde(default)]
    pub raw: serde_json::Value,
}

/// A message to store (and as a deferred write carries it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    pub id: MessageId,
    pub business_id: Option<BusinessId>,
    pub direction: MessageDirection,
    /// The other party: the conversation the message belongs to.
    pub contact: Option<PhoneNumber>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub content: MessageContent,
    /// Its status as stored (`received` inbound; the send's answer outbound).
    pub status: MessageStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One status callback about a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageStatusUpdate {
    pub id: MessageId,
    pub status: MessageStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// A stored status event. One per message and status: a repeated callback is one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEvent {
    pub status: MessageStatus,
    pub at: OffsetDateTime,
    pub error_code: Option<String>,
}

/// A message as stored. A message known only from status callbacks has no direction or
/// content yet.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    pub id: MessageId,
    pub business_id: Option<BusinessId>,
    pub direction: Option<MessageDirection>,
    pub contact: Option<PhoneNumber>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub content: Option<MessageContent>,
    pub created_at: Option<OffsetDateTime>,
    pub status: Option<MessageStatus>,
    pub status_at: Option<OffsetDateTime>,
    pub sent_at: Option<OffsetDateTime>,
    pub delivered_at: Option<OffsetDateTime>,
    pub read_at: Option<OffsetDateTime>,
    pub failed_at: Option<OffsetDateTime>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl StoredMessage {
    /// `message` as the store keeps it once written, before any status callback: a failed
    /// send's time is its failure's.
    pub fn just_stored(message: &NewMessage) -> Self {
        let failed = message.status.time_field().is_some() && message.status.is_terminal();
        Self {
            id: message.id.clone(),
            business_id: message.business_id.clone(),
            direction: Some(message.direction),
            contact: message.contact.clone(),
            from: message.from.clone(),
            to: message.to.clone(),
            content: Some(message.content.clone()),
            created_at: Some(message.at),
            status: Some(message.status),
            status_at: Some(message.at),
            sent_at: None,
            delivered_at: None,
            read_at: None,
            failed_at: failed.then_some(message.at),
            error_code: message.error_code.clone(),
            error_message: message.error_message.clone(),
        }
    }
}
