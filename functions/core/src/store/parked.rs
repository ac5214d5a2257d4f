//! Queue messages parked in the store while their queue was down: the reconciler sends them
//! when it is back (`crate::worker::reconcile`). The other half of "write before you
//! acknowledge" — a write the store could not take travels on the queue instead
//! (`crate::jobs::deferred`).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;

/// A message that could not be sent, as it would have been.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedMessage {
    /// The queue's name (`recordings`, `notify`).
    pub queue: String,
    pub dedup_id: String,
    pub body: String,
    pub parked_at: OffsetDateTime,
}

#[async_trait]
pub trait ParkedStore: Send + Sync {
    /// Keeps `message` until it is sent; the same queue and dedup id are kept once.
    async fn park(&self, message: &ParkedMessage) -> Result<(), StoreError>;

    /// Up to `limit` parked messages, oldest first.
    async fn parked(&self, limit: usize) -> Result<Vec<ParkedMessage>, StoreError>;

    /// Forgets a parked message (it was sent).
    async fn unpark(&self, queue: &str, dedup_id: &str) -> Result<(), StoreError>;
}
