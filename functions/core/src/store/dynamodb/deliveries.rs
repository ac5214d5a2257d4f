//! Delivery logs on their subject's partition (the call's or the appointment's), and the
//! business's webhook secret.

use async_trait::async_trait;

use super::item::{required, s};
use super::keys::{delivery_key, webhook_secret_key, DATA};
use super::{unavailable, DynamoStore};
use crate::config::Secret;
use crate::domain::{BusinessId, DeliveryLog, Subject};
use crate::store::{DeliveryStore, StoreError};

#[async_trait]
impl DeliveryStore for DynamoStore {
    async fn delivery(
        &self,
        subject: &Subject,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError> {
        self.get(delivery_key(subject, event_id))
            .await?
            .as_ref()
            .map(|item| {
                serde_json::from_str(required(item, DATA)?)
                    .map_err(|e| StoreError::Corrupt(format!("delivery log: {e}")))
            })
            .transpose()
    }

    async fn put_delivery(&self, log: &DeliveryLog) -> Result<(), StoreError> {
        let data = serde_json::to_string(log)
            .map_err(|e| StoreError::Corrupt(format!("delivery log does not serialise: {e}")))?;
        let mut item = delivery_key(&log.subject, &log.event_id);
        item.insert(DATA.into(), s(data));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        self.put_secret(webhook_secret_key(business), secret).await
    }

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        self.secret(webhook_secret_key(business)).await
    }
}
