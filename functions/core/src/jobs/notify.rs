//! The `notify` queue's job: one business event about one call.

use serde::{Deserialize, Serialize};

use crate::domain::{BusinessId, CallSid};
use crate::queue::{OutboundMessage, QueueName};

/// The events Frontdesk sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "call.completed")]
    CallCompleted,
    #[serde(rename = "call.verification_code")]
    VerificationCode,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CallCompleted => "call.completed",
            Self::VerificationCode => "call.verification_code",
        }
    }

    fn id_suffix(self) -> &'static str {
        match self {
            Self::CallCompleted => "completed",
            Self::VerificationCode => "verification_code",
        }
    }
}

/// What queued the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The call's final status arrived.
    CallEnded,
    /// The recording's transcription ended.
    Transcription,
    /// `<Gather>` received digits.
    Gather,
}

/// A business event to deliver. The payload is built at delivery time from the store, so it
/// holds the latest transcript and a fresh recording link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyJob {
    pub event: EventType,
    pub call_sid: CallSid,
    pub business_id: Option<BusinessId>,
    pub trigger: Trigger,
    #[serde(default)]
    pub digits: Option<String>,
}

impl NotifyJob {
    pub fn call_completed(
        call_sid: CallSid,
        business_id: Option<BusinessId>,
        trigger: Trigger,
    ) -> Self {
        Self {
            event: EventType::CallCompleted,
            call_sid,
            business_id,
            trigger,
            digits: None,
        }
    }

    pub fn verification_code(
        call_sid: CallSid,
        business_id: Option<BusinessId>,
        digits: String,
    ) -> Self {
        Self {
            event: EventType::VerificationCode,
            call_sid,
            business_id,
            trigger: Trigger::Gather,
            digits: Some(digits),
        }
    }

    /// The event's id, the same on every attempt (`webhook-id`).
    pub fn event_id(&self) -> String {
        format!("evt_{}_{}", self.call_sid, self.event.id_suffix())
    }

    pub fn message(&self) -> OutboundMessage {
        let trigger = match self.trigger {
            Trigger::CallEnded => "ended",
            Trigger::Transcription => "transcribed",
            Trigger::Gather => "gather",
        };
        OutboundMessage {
            queue: QueueName::Notify,
            dedup_id: format!("{}:{}:{trigger}", self.call_sid, self.event.as_str()),
            body: serde_json::to_string(self).expect("a job always serialises"),
        }
    }
}
