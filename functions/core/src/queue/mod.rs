//! Work queues: `recordings` (transcription jobs) and `notify` (business webhooks).
//!
//! [`sqs::SqsQueue`] on AWS; [`embedded::EmbeddedQueue`] (a SQLite table) for `frontdesk serve`.
//! Delivery is at least once; every consumer is idempotent, and senders pass a dedup id so the
//! embedded queue (and a FIFO queue, if one is configured) drop repeats.

#[cfg(feature = "embedded")]
pub mod embedded;
pub mod sqs;

use std::time::Duration;

use async_trait::async_trait;

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

    /// The queue [`Self::as_str`] names.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Recordings, Self::Notify]
            .into_iter()
            .find(|queue| queue.as_str() == name)
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

/// A message as a consumer receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The queue's id for it (SQS message id, or the embedded queue's position).
    pub id: String,
    pub body: String,
    /// How many times it has been received, this time included (SQS `ApproximateReceiveCount`).
    pub receive_count: u32,
}

/// What the queue should do with a processed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Finished (successfully or for good): delete it.
    Done,
    /// Show it again after `after`; once every receive is used it goes to the dead-letter queue.
    Retry { after: Duration },
}
