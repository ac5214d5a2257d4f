//! Rate counters: one atomic ADD per attempt, expiring through the table's TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

use super::expr::Changes;
use super::item::{get_n, n};
use super::keys::{pacing_key, rate_key, COUNT, TTL_ATTRIBUTE};
use super::{unavailable, DynamoStore};
use crate::domain::BusinessId;
use crate::store::{RateStore, StoreError};

/// How long a rate counter outlives the start of its minute.
pub const RATE_COUNTER_TTL_SECONDS: i64 = 180;

#[async_trait]
impl RateStore for DynamoStore {
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError> {
        self.count_in(rate_key(business, from, minute_start), minute_start)
            .await
    }

    async fn count_placement(&self, account: &str, second: i64) -> Result<u64, StoreError> {
        self.count_in(pacing_key(account, second), second).await
    }
}

impl DynamoStore {
    /// One atomic ADD on the counter at `key`, which expires a while after `start`.
    async fn count_in(&self, key: super::item::Item, start: i64) -> Result<u64, StoreError> {
        let mut changes = Changes::blind();
        changes.add(COUNT, n(1));
        changes.set(TTL_ATTRIBUTE, n(start + RATE_COUNTER_TTL_SECONDS));
        let out = self
            .update_request(key, changes)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        let attributes = out.attributes.unwrap_or_default();
        get_n(&attributes, COUNT)?
            .ok_or_else(|| StoreError::Corrupt("rate counter update returned no count".into()))
    }
}
