//! Delivery logs as JSON documents, and the one-secret-per-business tables (the webhook
//! secret; the Google Calendar key, read by the follow-ups store).
//!
//! A log's row is keyed by its subject in the `call_sid` column: a call's by its CallSid, as
//! before appointments had events, and an appointment's by `APPT#{id}`. A CallSid never holds
//! `#`, so the two cannot collide, and rows written before need no migration.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::config::Secret;
use crate::domain::{BusinessId, DeliveryLog, Subject};
use crate::store::{DeliveryStore, StoreError};

/// A table of one secret per business.
#[derive(Clone, Copy)]
pub(super) enum Secrets {
    /// The secret that signs the business's webhooks.
    Webhook,
    /// The business's Google service-account key.
    Calendar,
}

impl Secrets {
    fn upsert(self) -> &'static str {
        match self {
            Self::Webhook => {
                "INSERT INTO webhook_secrets (business_id, secret) VALUES (?1, ?2)
                 ON CONFLICT (business_id) DO UPDATE SET secret = excluded.secret"
            }
            Self::Calendar => {
                "INSERT INTO calendar_keys (business_id, secret) VALUES (?1, ?2)
                 ON CONFLICT (business_id) DO UPDATE SET secret = excluded.secret"
            }
        }
    }

    fn select(self) -> &'static str {
        match self {
            Self::Webhook => "SELECT secret FROM webhook_secrets WHERE business_id = ?1",
            Self::Calendar => "SELECT secret FROM calendar_keys WHERE business_id = ?1",
        }
    }
}

impl SqliteStore {
    pub(super) fn put_secret(
        &self,
        table: Secrets,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(table.upsert())
            .and_then(|mut statement| {
                statement.execute(params![business.as_str(), secret.expose()])
            })
            .map_err(db)?;
        Ok(())
    }

    pub(super) fn secret(
        &self,
        table: Secrets,
        business: &BusinessId,
    ) -> Result<Option<Secret>, StoreError> {
        let secret: Option<String> = self
            .conn()
            .prepare_cached(table.select())
            .and_then(|mut statement| statement.query_row([business.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        Ok(secret.and_then(Secret::new))
    }
}

/// The `call_sid` column's value for a log about `subject`.
fn subject_key(subject: &Subject) -> String {
    match subject {
        Subject::Call(sid) => sid.as_str().to_string(),
        Subject::Appointment(id) => format!("APPT#{id}"),
    }
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn delivery(
        &self,
        subject: &Subject,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM deliveries WHERE call_sid = ?1 AND event_id = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![subject_key(subject), event_id], |row| row.get(0))
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
                statement.execute(params![subject_key(&log.subject), log.event_id, document])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        self.put_secret(Secrets::Webhook, business, secret)
    }

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        self.secret(Secrets::Webhook, business)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AppointmentId, CallSid, DeliveryState};

    #[tokio::test]
    async fn a_call_log_stored_before_subjects_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("frontdesk.sqlite3")).unwrap();
        // The row exactly as the store wrote it before appointments had events.
        store
            .conn()
            .execute(
                "INSERT INTO deliveries (call_sid, event_id, document) VALUES (?1, ?2, ?3)",
                params![
                    "CA9",
                    "evt_CA9_completed",
                    r#"{"event_id":"evt_CA9_completed","event_type":"call.completed",
                        "call_sid":"CA9","business_id":"acme","url":"https://crm/hooks",
                        "route":"inbound_webhook_url","state":"delivered","attempts":[]}"#
                ],
            )
            .unwrap();
        let call = Subject::Call(CallSid::parse("CA9").unwrap());
        let log = store
            .delivery(&call, "evt_CA9_completed")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(log.subject, call);
        assert_eq!(log.state, DeliveryState::Delivered);

        let id = AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap();
        let appointment = Subject::Appointment(id);
        assert_eq!(
            subject_key(&appointment),
            "APPT#0192f0c1a2b34c5d8e9f0a1b2c3d4e5f"
        );
        assert!(store
            .delivery(&appointment, "evt_CA9_completed")
            .await
            .unwrap()
            .is_none());
    }
}
