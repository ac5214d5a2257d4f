//! Follow-ups in the embedded store: a row per appointment with a JSON column per kind (each
//! written alone, as on DynamoDB), and the businesses' calendar keys.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::deliveries::Secrets;
use super::row::{corrupt, db, timestamp_ns};
use super::SqliteStore;
use crate::config::Secret;
use crate::domain::{AppointmentId, BusinessId, FollowUps};
use crate::store::follow_ups::follow_ups_from;
use crate::store::{FollowUp, FollowUpStore, StoreError};

type Row = (String, Option<String>, Option<String>);

fn record(row: Row) -> Result<(AppointmentId, FollowUps), StoreError> {
    let (id, confirmation, calendar) = row;
    let id = AppointmentId::parse(&id).map_err(|e| corrupt("follow-ups appointment", e))?;
    Ok((
        id,
        follow_ups_from(confirmation.as_deref(), calendar.as_deref())?,
    ))
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

#[async_trait]
impl FollowUpStore for SqliteStore {
    async fn put_follow_up(
        &self,
        appointment: &AppointmentId,
        business: &BusinessId,
        record: &FollowUp,
    ) -> Result<(), StoreError> {
        // The column is one of two fixed names, never input.
        let column = record.kind();
        let json = record.json()?;
        let sql = format!(
            "INSERT INTO appointment_follow_ups (appointment_id, business_id, {column}, updated_ns)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (appointment_id) DO UPDATE SET
                 business_id = excluded.business_id,
                 {column} = excluded.{column},
                 updated_ns = excluded.updated_ns"
        );
        self.conn()
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement.execute(params![
                    appointment.as_str(),
                    business.as_str(),
                    json,
                    timestamp_ns(record.at()),
                ])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn follow_ups(&self, appointment: &AppointmentId) -> Result<FollowUps, StoreError> {
        let row = self
            .conn()
            .prepare_cached(
                "SELECT appointment_id, confirmation, calendar FROM appointment_follow_ups
                 WHERE appointment_id = ?1",
            )
            .and_then(|mut statement| statement.query_row([appointment.as_str()], read_row))
            .optional()
            .map_err(db)?;
        match row {
            Some(row) => Ok(record(row)?.1),
            None => Ok(FollowUps::default()),
        }
    }

    async fn follow_ups_of(
        &self,
        appointments: &[AppointmentId],
    ) -> Result<HashMap<AppointmentId, FollowUps>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT appointment_id, confirmation, calendar FROM appointment_follow_ups
                 WHERE appointment_id = ?1",
            )
            .map_err(db)?;
        let mut found = HashMap::new();
        for id in appointments {
            if let Some(row) = statement
                .query_row([id.as_str()], read_row)
                .optional()
                .map_err(db)?
            {
                let (id, follow_ups) = record(row)?;
                found.insert(id, follow_ups);
            }
        }
        Ok(found)
    }

    async fn recent_follow_ups(
        &self,
        business: &BusinessId,
        since: Timestamp,
    ) -> Result<Vec<(AppointmentId, FollowUps)>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT appointment_id, confirmation, calendar FROM appointment_follow_ups
                 WHERE business_id = ?1 AND updated_ns >= ?2
                 ORDER BY updated_ns DESC, appointment_id DESC",
            )
            .map_err(db)?;
        let rows = statement
            .query_map(params![business.as_str(), timestamp_ns(since)], read_row)
            .map_err(db)?;
        rows.map(|row| row.map_err(db).and_then(record)).collect()
    }

    async fn put_calendar_key(
        &self,
        business: &BusinessId,
        key: &Secret,
    ) -> Result<(), StoreError> {
        self.put_secret(Secrets::Calendar, business, key)
    }

    async fn calendar_key(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        self.secret(Secrets::Calendar, business)
    }

    async fn delete_calendar_key(&self, business: &BusinessId) -> Result<bool, StoreError> {
        self.conn()
            .prepare_cached("DELETE FROM calendar_keys WHERE business_id = ?1")
            .and_then(|mut statement| statement.execute([business.as_str()]))
            .map(|deleted| deleted > 0)
            .map_err(db)
    }
}
