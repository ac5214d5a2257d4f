//! Conversations: the state of a dialogue with one customer (a WhatsApp contact, a caller), kept
//! between messages or turns with an expiry, and changed only by whoever read the current
//! version (compare and set), so two messages processed at once cannot both act on one state.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Conversation, ConversationKey};

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// The conversation under `key`, expired or not (the caller decides what an expired one
    /// means); `None` if there never was one or it was deleted.
    async fn conversation(&self, key: &ConversationKey)
        -> Result<Option<Conversation>, StoreError>;

    /// Writes `conversation` if the stored version is `expected` (`None`: none is stored).
    /// The stored version becomes `conversation.version`. `Ok(false)`: someone else wrote
    /// first; nothing was written.
    async fn put_conversation(
        &self,
        conversation: &Conversation,
        expected: Option<u32>,
    ) -> Result<bool, StoreError>;

    async fn delete_conversation(&self, key: &ConversationKey) -> Result<(), StoreError>;
}
