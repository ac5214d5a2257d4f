//! Conversations on the single table, one item each, written by compare and set.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | conversation | `CONV#{key}` | `CONV` | `business_id`, `state` (JSON), `version`, `updated_at`, `expiry` (RFC 3339), `expires_at` (the expiry in Unix seconds, rounded up: the TTL) |
//!
//! TTL deletion is lazy (hours to days after `expires_at`), so a read can meet an expired
//! conversation; it is returned as it is and the caller decides.

use async_trait::async_trait;

use super::expr::Placeholders;
use super::item::{conversation_from_item, n, s};
use super::keys::{
    conversation_key, BUSINESS_ID, EXPIRY, PARTITION_KEY, STATE, TTL_ATTRIBUTE, UPDATED_AT, VERSION,
};
use super::{unavailable, DynamoStore};
use crate::domain::{Conversation, ConversationKey};
use crate::store::{ConversationStore, StoreError};

#[async_trait]
impl ConversationStore for DynamoStore {
    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        self.get(conversation_key(key))
            .await?
            .as_ref()
            .map(conversation_from_item)
            .transpose()
    }

    async fn put_conversation(
        &self,
        conversation: &Conversation,
        expected: Option<u32>,
    ) -> Result<bool, StoreError> {
        let state = serde_json::to_string(&conversation.state)
            .map_err(|e| StoreError::Corrupt(format!("conversation state: {e}")))?;
        let expires = conversation.expires_at;
        // The TTL must not fire before the expiry itself: whole seconds, rounded up.
        let ttl = expires.as_second() + i64::from(expires.subsec_nanosecond() > 0);
        let mut item = conversation_key(&conversation.key);
        item.insert(BUSINESS_ID.into(), s(conversation.business_id.as_str()));
        item.insert(STATE.into(), s(state));
        item.insert(VERSION.into(), n(conversation.version));
        item.insert(UPDATED_AT.into(), s(conversation.updated_at.to_string()));
        item.insert(EXPIRY.into(), s(expires.to_string()));
        item.insert(TTL_ATTRIBUTE.into(), n(ttl));
        let mut p = Placeholders::default();
        let condition = match expected {
            Some(version) => format!("{} = {}", p.name(VERSION), p.value(n(version))),
            None => format!("attribute_not_exists({})", p.name(PARTITION_KEY)),
        };
        self.put_when(item, condition, p).await
    }

    async fn delete_conversation(&self, key: &ConversationKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(conversation_key(key)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }
}
