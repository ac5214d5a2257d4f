//! API keys by hash.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};
use time::OffsetDateTime;

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::domain::time::format_time;
use crate::domain::{ApiKeyHash, BusinessId};
use crate::store::{ApiKeyStore, StoreError};

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO api_keys (key_hash, business_id, created_at)
                 VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key.as_str(),
                    business.as_str(),
                    format_time(created_at)
                ])
            })
            .map_err(db)?;
            let owner: String = tx
                .prepare_cached("SELECT business_id FROM api_keys WHERE key_hash = ?1")
                .and_then(|mut statement| statement.query_row([key.as_str()], |row| row.get(0)))
                .map_err(db)?;
            if owner == business.as_str() {
                Ok(())
            } else {
                Err(StoreError::ApiKeyTaken)
            }
        })
    }

    async fn business_by_api_key(
        &self,
        key: &ApiKeyHash,
    ) -> Result<Option<BusinessId>, StoreError> {
        let owner: Option<String> = self
            .conn()
            .prepare_cached("SELECT business_id FROM api_keys WHERE key_hash = ?1")
            .and_then(|mut statement| statement.query_row([key.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        owner
            .map(|id| BusinessId::parse(&id).map_err(|e| corrupt("API key owner", e)))
            .transpose()
    }
}
