//! API keys of the calls API, kept by hash only.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::domain::{ApiKeyHash, BusinessId};

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Keeps an API key (by its hash) for `business`. A business may hold several keys, so one
    /// can be rotated without downtime. Storing the same hash again for the same business is
    /// harmless; for another business it is [`StoreError::ApiKeyTaken`].
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The business holding the API key with this hash.
    async fn business_by_api_key(&self, key: &ApiKeyHash)
        -> Result<Option<BusinessId>, StoreError>;
}
