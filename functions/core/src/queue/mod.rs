//! Work queues: `recordings` (transcription jobs) and `notify` (business webhooks).
//!
//! [`sqs::SqsQueue`] on AWS; [`embedded::EmbeddedQueue`] (a SQLite table) for `frontdesk serve`.
//! Delivery is at least once; every consumer is idempotent, and senders pass a dedup id so the
//! embedded queue (and a FIFO queue, if one is configured) drop repeats.

#[cfg(feature = "embedded")]
pub mod embedded;
pub mod sqs;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{BusinessId, CallSid, Direction, RecordingSid};

/// The queues Frontdesk uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueName {
    Recordings,
    Notify,
}

impl QueueName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recordings => "recordings",
            Self::Notify => "notify",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("queue unavailable: {0}")]
pub struct QueueError(pub String);

/// A message on its way to a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundMessage {
    pub queue: QueueName,
    /// Identifies the message's content: the same work sent twice has the same id.
    pub dedup_id: String,
    pub body: String,
}

#[async_trait]
pub trait Queue: Send + Sync + 'static {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError>;
}

/// A transcription job. It carries everything needed to finish the work, so a job sent while
/// the store was down still produces a transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptionJob {
    pub call_sid: CallSid,
    pub recording_sid: RecordingSid,
    pub recording_url: String,
    pub recording_duration_seconds: Option<u32>,
    pub business_id: Option<BusinessId>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Direction,
    #[serde(with = "time::serde::rfc3339")]
    pub enqueued_at: OffsetDateTime,
}

impl TranscriptionJob {
    pub fn message(&self) -> OutboundMessage {
        OutboundMessage {
            queue: QueueName::Recordings,
            dedup_id: format!("{}:{}", self.call_sid, self.recording_sid),
            body: serde_json::to_string(self).expect("a job always serialises"),
        }
    }
}
