//! Reminders in the embedded store: a row per appointment and offset, the whole reminder as
//! JSON beside the columns SQL compares (state, start, due), read when due through
//! `reminders_due (state, due_ns)`.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::params;

use super::row::{corrupt, db, timestamp_ns};
use super::SqliteStore;
use crate::domain::{AppointmentId, Reminder, ReminderKey};
use crate::store::reminders::{plan_replacement, DUE_LOOKBACK};
use crate::store::{ReminderStore, StoreError};

fn json(reminder: &Reminder) -> Result<String, StoreError> {
    serde_json::to_string(reminder).map_err(|e| StoreError::Corrupt(format!("reminder: {e}")))
}

fn parse(data: String) -> Result<Reminder, StoreError> {
    serde_json::from_str(&data).map_err(|e| corrupt("reminder", e))
}

fn upsert(tx: &rusqlite::Transaction<'_>, reminder: &Reminder) -> Result<(), StoreError> {
    let data = json(reminder)?;
    tx.prepare_cached(
        "INSERT INTO reminders
             (appointment_id, offset_minutes, business_id, start_ns, due_ns, state, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (appointment_id, offset_minutes) DO UPDATE SET
             business_id = excluded.business_id, start_ns = excluded.start_ns,
             due_ns = excluded.due_ns, state = excluded.state, data = excluded.data",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            reminder.appointment_id.as_str(),
            reminder.offset_minutes,
            reminder.business_id.as_str(),
            timestamp_ns(reminder.start),
            timestamp_ns(reminder.due),
            reminder.state.as_str(),
            data,
        ])
    })
    .map_err(db)?;
    Ok(())
}

fn stored(
    conn: &rusqlite::Connection,
    appointment: &AppointmentId,
) -> Result<Vec<Reminder>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT data FROM reminders WHERE appointment_id = ?1 ORDER BY offset_minutes DESC",
        )
        .map_err(db)?;
    let rows = statement
        .query_map([appointment.as_str()], |row| row.get::<_, String>(0))
        .map_err(db)?;
    rows.map(|row| row.map_err(db).and_then(parse)).collect()
}

#[async_trait]
impl ReminderStore for SqliteStore {
    async fn replace_reminders(
        &self,
        appointment: &AppointmentId,
        wanted: &[Reminder],
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let current = stored(tx, appointment)?;
            let (drop, write) = plan_replacement(&current, wanted);
            for reminder in drop {
                tx.prepare_cached(
                    "DELETE FROM reminders WHERE appointment_id = ?1 AND offset_minutes = ?2",
                )
                .and_then(|mut s| s.execute(params![appointment.as_str(), reminder.offset_minutes]))
                .map_err(db)?;
            }
            for reminder in write {
                upsert(tx, reminder)?;
            }
            Ok(())
        })
    }

    async fn reminders(&self, appointment: &AppointmentId) -> Result<Vec<Reminder>, StoreError> {
        stored(&self.conn(), appointment)
    }

    async fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Reminder>, StoreError> {
        let since = now.checked_sub(DUE_LOOKBACK).unwrap_or(Timestamp::MIN);
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT data FROM reminders
                 WHERE state = 'pending' AND due_ns > ?1 AND due_ns <= ?2
                 ORDER BY due_ns, appointment_id, offset_minutes LIMIT ?3",
            )
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    timestamp_ns(since),
                    timestamp_ns(now),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |row| row.get::<_, String>(0),
            )
            .map_err(db)?;
        rows.map(|row| row.map_err(db).and_then(parse)).collect()
    }

    async fn claim_reminder(
        &self,
        key: &ReminderKey,
        start: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let current = stored(tx, &key.appointment_id)?
                .into_iter()
                .find(|r| r.offset_minutes == key.offset_minutes);
            let Some(mut reminder) = current
                .filter(|r| r.start == start && r.state == crate::domain::ReminderState::Pending)
            else {
                return Ok(false);
            };
            reminder.state = crate::domain::ReminderState::Queued;
            upsert(tx, &reminder)?;
            Ok(true)
        })
    }

    async fn save_reminder(&self, reminder: &Reminder) -> Result<bool, StoreError> {
        self.write(|tx| {
            let current = stored(tx, &reminder.appointment_id)?
                .into_iter()
                .find(|r| r.offset_minutes == reminder.offset_minutes);
            if current.is_none_or(|r| r.start != reminder.start) {
                return Ok(false);
            }
            upsert(tx, reminder)?;
            Ok(true)
        })
    }
}
