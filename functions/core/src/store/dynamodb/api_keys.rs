//! API keys by hash, listed again in the business's partition so deleting the business finds
//! them.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::expr::{Placeholders, Transaction};
use super::item::{corrupt, required, s};
use super::keys::{api_key_key, business_api_key_key, BUSINESS_ID, CREATED_AT, PARTITION_KEY};
use super::DynamoStore;
use crate::domain::time::format_time;
use crate::domain::{ApiKeyHash, BusinessId};
use crate::store::{ApiKeyStore, StoreError};

#[async_trait]
impl ApiKeyStore for DynamoStore {
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut item = api_key_key(key);
        item.insert(BUSINESS_ID.into(), s(business.as_str()));
        item.insert(CREATED_AT.into(), s(format_time(created_at)));
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "attribute_not_exists({pk}) OR {owner} = {id}",
            pk = placeholders.name(PARTITION_KEY),
            owner = placeholders.name(BUSINESS_ID),
            id = placeholders.value(s(business.as_str())),
        );
        let mut listed = business_api_key_key(business, key);
        listed.insert(CREATED_AT.into(), s(format_time(created_at)));
        let items = vec![
            self.transaction_put(item, Some((condition, placeholders)))?,
            self.transaction_put(listed, None)?,
        ];
        match self.transact(items).await? {
            Transaction::Committed => Ok(()),
            Transaction::Cancelled(reasons)
                if reasons.first().and_then(Option::as_deref) == Some("ConditionalCheckFailed") =>
            {
                Err(StoreError::ApiKeyTaken)
            }
            Transaction::Cancelled(reasons) => Err(StoreError::Unavailable(format!(
                "API key write cancelled: {reasons:?}"
            ))),
        }
    }

    async fn business_by_api_key(
        &self,
        key: &ApiKeyHash,
    ) -> Result<Option<BusinessId>, StoreError> {
        let Some(item) = self.get(api_key_key(key)).await? else {
            return Ok(None);
        };
        BusinessId::parse(required(&item, BUSINESS_ID)?)
            .map(Some)
            .map_err(corrupt("API key owner"))
    }
}
