//! A write the store could not take while its webhook waited: it travels on the `notify`
//! queue as `{"job": "deferred_write", "write": "call_status" | "message" | "message_status",
//! …}` and its consumer applies it once the store is back. Each of these writes is idempotent
//! and monotonic in the store, so one that did land before its deadline changes nothing when
//! applied again, and a late one never moves a status backwards.

use serde::{Deserialize, Serialize};

use crate::domain::{MessageStatusUpdate, NewMessage, StatusUpdate};
use crate::queue::{OutboundMessage, QueueName};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum DeferredWrite {
    /// A call's status callback.
    CallStatus(StatusUpdate),
    /// A WhatsApp message received.
    Message(NewMessage),
    /// A WhatsApp message's status callback.
    MessageStatus(MessageStatusUpdate),
}

impl DeferredWrite {
    /// The `job` field that tells it apart on the `notify` queue.
    pub const JOB: &'static str = "deferred_write";

    pub fn kind(&self) -> &'static str {
        match self {
            Self::CallStatus(_) => "call_status",
            Self::Message(_) => "message",
            Self::MessageStatus(_) => "message_status",
        }
    }

    pub fn message(&self) -> OutboundMessage {
        let dedup_id = match self {
            Self::CallStatus(update) => format!(
                "{}:deferred:{}:{}",
                update.sid,
                update.status.as_str(),
                update
                    .sequence
                    .map_or_else(|| "-".into(), |s| s.to_string())
            ),
            Self::Message(message) => format!("{}:deferred:message", message.id.as_str()),
            Self::MessageStatus(update) => {
                format!("{}:deferred:{}", update.id.as_str(), update.status.as_str())
            }
        };
        let mut body = serde_json::to_value(self).expect("a write always serialises");
        body["job"] = Self::JOB.into();
        OutboundMessage {
            queue: QueueName::Notify,
            dedup_id,
            body: body.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        CallSid, CallStatus, Direction, MessageContent, MessageDirection, MessageId, MessageStatus,
        PhoneNumber,
    };
    use crate::jobs::NotifyMessage;
    use time::macros::datetime;

    fn writes() -> Vec<DeferredWrite> {
        let at = datetime!(2026-11-30 08:15:02.5 UTC);
        vec![
            DeferredWrite::CallStatus(StatusUpdate {
                sid: CallSid::parse("CA0123456789abcdef0123456789abcdef").unwrap(),
                status: CallStatus::Completed,
                sequence: Some(3),
                business_id: None,
                from: Some("+972501234567".into()),
                to: Some("+97233334444".into()),
                direction: Direction::Inbound,
                duration_seconds: Some(42),
                at,
                sip_response_code: Some("200".into()),
                answered_by: None,
            }),
            DeferredWrite::Message(NewMessage {
                id: MessageId::parse("SM0123456789abcdef0123456789abcdef").unwrap(),
                business_id: None,
                direction: MessageDirection::Inbound,
                contact: Some(PhoneNumber::parse("+972501234567").unwrap()),
                from: Some("whatsapp:+972501234567".into()),
                to: Some("whatsapp:+97233334444".into()),
                content: MessageContent {
                    kind: "text".into(),
                    body: Some("שלום 👋".into()),
                    raw: serde_json::json!({"Body": "שלום 👋"}),
                    ..MessageContent::default()
                },
                status: MessageStatus::Received,
                error_code: None,
                error_message: None,
                at,
            }),
            DeferredWrite::MessageStatus(MessageStatusUpdate {
                id: MessageId::parse("SM0123456789abcdef0123456789abcdef").unwrap(),
                status: MessageStatus::Delivered,
                at,
                error_code: None,
                error_message: None,
            }),
        ]
    }

    #[test]
    fn each_write_round_trips_through_the_notify_queue() {
        for write in writes() {
            let message = write.message();
            assert_eq!(message.queue, QueueName::Notify);
            let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
            assert_eq!(body["job"], DeferredWrite::JOB);
            assert_eq!(body["write"], write.kind());
            assert_eq!(
                serde_json::from_str::<NotifyMessage>(&message.body).unwrap(),
                NotifyMessage::Deferred(write)
            );
        }
    }

    #[test]
    fn the_same_write_has_the_same_dedup_id_and_another_status_its_own() {
        let [status, message, message_status] = writes().try_into().unwrap();
        assert_eq!(status.message().dedup_id, status.clone().message().dedup_id);
        assert_eq!(
            status.message().dedup_id,
            "CA0123456789abcdef0123456789abcdef:deferred:completed:3"
        );
        assert_eq!(
            message.message().dedup_id,
            "SM0123456789abcdef0123456789abcdef:deferred:message"
        );
        assert_eq!(
            message_status.message().dedup_id,
            "SM0123456789abcdef0123456789abcdef:deferred:delivered"
        );
    }
}
