//! Delivery logs as JSON documents, and the business's webhook secret.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::config::Secret;
use crate::domain::{BusinessId, CallSid, DeliveryLog};
use crate::store::{DeliveryStore, StoreError};

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn delivery(
        &self,
        sid: &CallSid,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM deliveries WHERE call_sid = ?1 AND event_id = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![sid.as_str(), event_id], |row| row.get(0))
            })
            .optional()
            .map_err(db)?;
        document
            .map(|d| serde_json::from_str(&d).map_err(|e| corrupt("delivery log", e)))
            .transpose()
    }

    async fn put_delivery(&self, log: &DeliveryLog) -> Result<(), StoreError> {
        let document = serde_json::to_string(log).map_err(|e| corrupt("delivery log", e))?;
        self.conn()
            .prepare_cached(
                "INSERT INTO deliveries (call_sid, event_id, document) VALUES (?1, ?2, ?3)
                 ON CONFLICT (call_sid, event_id) DO UPDATE SET document = excluded.document",
            )
            .and_then(|mut statement| {
                statement.execute(params![log.call_sid.as_str(), log.event_id, document])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO webhook_secrets (business_id, secret) VALUES (?1, ?2)
                 ON CONFLICT (business_id) DO UPDATE SET secret = excluded.secret",
            )
            .and_then(|mut statement| {
                statement.execute(params![business.as_str(), secret.expose()])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        let secret: Option<String> = self
            .conn()
            .prepare_cached("SELECT secret FROM webhook_secrets WHERE business_id = ?1")
            .and_then(|mut statement| statement.query_row([business.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        Ok(secret.and_then(Secret::new))
    }
}
