//! The `recordings` queue's job: transcribe one recording of one call.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{BusinessId, CallSid, Direction, RecordingSid};
use crate::queue::{OutboundMessage, QueueName};

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
