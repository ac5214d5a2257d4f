//! Business webhook deliveries: each event's delivery log, and the secret that signs them.

use async_trait::async_trait;

use super::StoreError;
use crate::config::Secret;
use crate::domain::{BusinessId, DeliveryLog, Subject};

#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// The delivery log of an event about `subject`.
    async fn delivery(
        &self,
        subject: &Subject,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError>;

    /// Creates or replaces an event's delivery log (kept with its subject).
    async fn put_delivery(&self, log: &DeliveryLog) -> Result<(), StoreError>;

    /// Sets the secret (`whsec_…`) that signs the business's webhooks.
    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError>;

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError>;
}
