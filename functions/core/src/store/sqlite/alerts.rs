//! Owner alerts in the embedded store: one JSON document per alert and recipient, claimed by
//! `INSERT … ON CONFLICT DO NOTHING`; a call's triage on its `call_media` row; Lookup answers
//! per number.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::row::{corrupt, db, timestamp_ns};
use super::SqliteStore;
use crate::domain::{AlertRecord, BusinessId, CallSid, CallerLookup, PhoneNumber, Triage};
use crate::store::{AlertStore, StoreError};

fn document<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("a record always serialises")
}

fn read<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

impl SqliteStore {
    /// Inserts `record`, with `on_conflict` deciding what a record with its key does; whether
    /// a row was written.
    fn insert_alert(&self, record: &AlertRecord, on_conflict: &str) -> Result<bool, StoreError> {
        let written = self
            .conn()
            .prepare_cached(&format!(
                "INSERT INTO alerts (business_id, key, created_ns, document)
                 VALUES (?1, ?2, ?3, ?4) {on_conflict}"
            ))
            .and_then(|mut statement| {
                statement.execute(params![
                    record.business_id.as_str(),
                    record.key,
                    timestamp_ns(record.created_at),
                    document(record),
                ])
            })
            .map_err(db)?;
        Ok(written == 1)
    }
}

#[async_trait]
impl AlertStore for SqliteStore {
    async fn claim_alert(&self, record: &AlertRecord) -> Result<bool, StoreError> {
        self.insert_alert(record, "ON CONFLICT DO NOTHING")
    }

    async fn put_alert(&self, record: &AlertRecord) -> Result<(), StoreError> {
        self.insert_alert(
            record,
            "ON CONFLICT (business_id, key) DO UPDATE SET document = excluded.document",
        )
        .map(drop)
    }

    async fn alert(
        &self,
        business: &BusinessId,
        key: &str,
    ) -> Result<Option<AlertRecord>, StoreError> {
        let text: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM alerts WHERE business_id = ?1 AND key = ?2")
            .and_then(|mut statement| {
                statement
                    .query_row(params![business.as_str(), key], |row| row.get(0))
                    .optional()
            })
            .map_err(db)?;
        text.map(|t| read("alert", &t)).transpose()
    }

    async fn recent_alerts(
        &self,
        business: &BusinessId,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        let texts: Vec<String> = self
            .conn()
            .prepare_cached(
                "SELECT document FROM alerts WHERE business_id = ?1
                 ORDER BY created_ns DESC, key DESC LIMIT ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_map(
                        params![business.as_str(), i64::try_from(limit).unwrap_or(i64::MAX)],
                        |row| row.get(0),
                    )?
                    .collect()
            })
            .map_err(db)?;
        texts.iter().map(|t| read("alert", t)).collect()
    }

    async fn set_call_triage(&self, sid: &CallSid, triage: &Triage) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO call_media (call_sid, triage) VALUES (?1, ?2)
                 ON CONFLICT (call_sid) DO UPDATE SET triage = excluded.triage",
            )
            .and_then(|mut statement| statement.execute(params![sid.as_str(), document(triage)]))
            .map_err(db)?;
        Ok(())
    }

    async fn caller_lookup(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<CallerLookup>, StoreError> {
        let text: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM caller_lookups WHERE number = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([number.as_str()], |row| row.get(0))
                    .optional()
            })
            .map_err(db)?;
        text.map(|t| read("caller lookup", &t)).transpose()
    }

    async fn put_caller_lookup(&self, lookup: &CallerLookup) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO caller_lookups (number, document) VALUES (?1, ?2)
                 ON CONFLICT (number) DO UPDATE SET document = excluded.document",
            )
            .and_then(|mut statement| {
                statement.execute(params![lookup.number.as_str(), document(lookup)])
            })
            .map_err(db)?;
        Ok(())
    }
}
