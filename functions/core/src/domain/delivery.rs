//! Business events on their way to the business's webhook: the delivery log of each event.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::{BusinessId, CallSid};

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
