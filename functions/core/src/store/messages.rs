//! WhatsApp messages in the store: idempotent insert by provider id, monotonic status, every
//! status event kept, conversations newest first.
//!
//! Both backends implement [`MessageStore`] and pass the same contract suite
//! (`functions/core/tests/it/contract/messages.rs`).

use async_trait::async_trait;
use time::OffsetDateTime;

pub use crate::domain::time::time_ns;

use super::StoreError;
use crate::domain::{
    BusinessId, MessageEvent, MessageId, MessageStatusUpdate, NewMessage, PhoneNumber,
    StoredMessage,
};

/// A page of a conversation, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversationPage {
    pub messages: Vec<StoredMessage>,
    /// Pass back to get the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Largest page a conversation listing returns.
pub const MAX_PAGE: usize = 100;

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message once per provider id and applies its status. Returns `true` the first
    /// time; a repeat (a retried webhook) changes nothing and returns `false`. A record
    /// created earlier by a status callback takes the message's content.
    async fn insert_message(&self, message: &NewMessage) -> Result<bool, StoreError>;

    /// Keeps the callback as an event, sets its status time and error (an error is never
    /// erased), and moves the status only forward (see
    /// [`crate::domain::message::message_status_advances`]), atomically. An unknown id
    /// creates the record. Returns whether the status changed.
    async fn apply_message_status(&self, update: &MessageStatusUpdate) -> Result<bool, StoreError>;

    async fn message(&self, id: &MessageId) -> Result<Option<StoredMessage>, StoreError>;

    /// Every status event of a message, oldest first.
    async fn message_events(&self, id: &MessageId) -> Result<Vec<MessageEvent>, StoreError>;

    /// The messages of a business's conversation with `contact`, newest first, at most `limit`
    /// (capped at [`MAX_PAGE`]) after `cursor`. A dialogue's state is
    /// [`ConversationStore::conversation`](crate::store::ConversationStore::conversation).
    async fn conversation_messages(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ConversationPage, StoreError>;
}

/// The sort key of a message in its conversation, and the cursor format both backends share:
/// zero-padded Unix nanoseconds, `#`, the id. It sorts as time, then id.
pub fn conversation_position(at: OffsetDateTime, id: &MessageId) -> String {
    format!("{:020}#{}", time_ns(at), id.as_str())
}

/// A cursor back to its position, or why it is not one.
pub fn parse_cursor(cursor: &str) -> Result<(i64, MessageId), StoreError> {
    let bad = || StoreError::BadCursor(cursor.chars().take(80).collect());
    let (ns, id) = cursor.split_once('#').ok_or_else(bad)?;
    let ns = ns.parse::<i64>().map_err(|_| bad())?;
    let id = MessageId::parse(id).map_err(|_| bad())?;
    Ok((ns, id))
}

/// The page size a caller asked for, within 1..=[`MAX_PAGE`].
pub fn page_size(limit: usize) -> usize {
    limit.clamp(1, MAX_PAGE)
}
