//! What the background workers keep: a call's recording copy and transcript, and the delivery
//! log of each business event.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{BusinessId, CallSid, CallStatus, Direction, TranscriptionState};

/// Which of a business's calls to list, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallQuery {
    pub status: Option<CallStatus>,
    pub direction: Option<Direction>,
    /// Calls started at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Continue after this position (a page's `next`).
    pub after: Option<String>,
    pub limit: usize,
}

/// One page of calls and where the next starts (an opaque position: `{started_at}#{sid}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallPage {
    pub calls: Vec<super::Call>,
    pub next: Option<String>,
}

/// A call's position in its business's newest-first list.
pub fn list_position(started_at: OffsetDateTime, sid: &CallSid) -> String {
    format!("{}#{sid}", super::format_time(started_at))
}

/// A call's recording copy and transcription result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallMedia {
    /// Key of the copy in the recordings blob store.
    pub recording_key: Option<String>,
    pub transcript: Option<String>,
    pub language: Option<String>,
    /// Why transcription failed or was skipped.
    pub reason: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// How a call's transcription ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptionOutcome {
    Ready {
        transcript: String,
        language: Option<String>,
    },
    Failed {
        reason: String,
    },
    Skipped {
        reason: String,
    },
}

impl TranscriptionOutcome {
    pub fn state(&self) -> TranscriptionState {
        match self {
            Self::Ready { .. } => TranscriptionState::Ready,
            Self::Failed { .. } => TranscriptionState::Failed,
            Self::Skipped { .. } => TranscriptionState::Skipped,
        }
    }
}

/// Where a business event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Attempted, will be retried.
    Retrying,
    Delivered,
    /// Given up: a non-retryable answer, or every retry used.
    Failed,
    /// Nowhere to send it (no webhook URL or no signing secret).
    Skipped,
}

impl DeliveryState {
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Retrying)
    }
}

/// One delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why no answer came (timeout, connection refused), if none did.
    pub error: Option<String>,
    pub latency_ms: u64,
}

/// The log of one business event (`webhook-id` = `event_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub event_id: String,
    pub event_type: String,
    pub call_sid: CallSid,
    pub business_id: Option<BusinessId>,
    pub url: Option<String>,
    /// Why this URL was chosen (or why none was).
    pub route: String,
    pub state: DeliveryState,
    pub attempts: Vec<DeliveryAttempt>,
}
