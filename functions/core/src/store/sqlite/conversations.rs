//! Conversations in the embedded store: a row each, written by compare and set in one
//! statement. Nothing expires them; as on DynamoDB, a read returns an expired one as it is.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::domain::{BusinessId, Conversation, ConversationKey};
use crate::store::{parse_timestamp, ConversationStore, StoreError};

#[async_trait]
impl ConversationStore for SqliteStore {
    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        let row: Option<(String, String, u32, String, String)> = self
            .conn()
            .prepare_cached(
                "SELECT business_id, state, version, updated_at, expires_at
                 FROM conversations WHERE key = ?1",
            )
            .and_then(|mut statement| {
                statement.query_row([key.as_str()], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })
            })
            .optional()
            .map_err(db)?;
        let Some((business_id, state, version, updated_at, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Conversation {
            key: key.clone(),
            business_id: BusinessId::parse(&business_id)
                .map_err(|e| corrupt("conversation business", e))?,
            state: serde_json::from_str(&state).map_err(|e| corrupt("conversation state", e))?,
            version,
            updated_at: parse_timestamp(&updated_at)?,
            expires_at: parse_timestamp(&expires_at)?,
        }))
    }

    async fn put_conversation(
        &self,
        conversation: &Conversation,
        expected: Option<u32>,
    ) -> Result<bool, StoreError> {
        let state = serde_json::to_string(&conversation.state)
            .map_err(|e| corrupt("conversation state", e))?;
        let conn = self.conn();
        // One statement either way, so the version check and the write cannot be split.
        let changed = match expected {
            None => conn
                .prepare_cached(
                    "INSERT INTO conversations
                         (key, business_id, state, version, updated_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (key) DO NOTHING",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        conversation.key.as_str(),
                        conversation.business_id.as_str(),
                        state,
                        conversation.version,
                        conversation.updated_at.to_string(),
                        conversation.expires_at.to_string(),
                    ])
                }),
            Some(expected) => conn
                .prepare_cached(
                    "UPDATE conversations SET business_id = ?2, state = ?3, version = ?4,
                         updated_at = ?5, expires_at = ?6
                     WHERE key = ?1 AND version = ?7",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        conversation.key.as_str(),
                        conversation.business_id.as_str(),
                        state,
                        conversation.version,
                        conversation.updated_at.to_string(),
                        conversation.expires_at.to_string(),
                        expected,
                    ])
                }),
        }
        .map_err(db)?;
        Ok(changed == 1)
    }

    async fn delete_conversation(&self, key: &ConversationKey) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("DELETE FROM conversations WHERE key = ?1")
            .and_then(|mut statement| statement.execute([key.as_str()]))
            .map_err(db)?;
        Ok(())
    }
}
