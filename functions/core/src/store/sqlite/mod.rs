//! The embedded store for `frontdesk serve`: one SQLite file.
//!
//! Businesses are JSON documents (so settings grow without a migration) plus a phone-number
//! index; calls are one row each with a column per field; status callbacks are rows keyed so a
//! repeated callback is stored once. Timestamps are RFC 3339 text
//! ([`format_time`](crate::domain::time::format_time)); where SQL must compare or order them, a
//! companion `*_ns` column holds Unix nanoseconds, because RFC 3339 text does not sort as time
//! when fractions or offsets differ. An appointment holds a counted row per 5-minute cell of its
//! block (`appointment_cells`), written with it in one IMMEDIATE transaction, so the embedded
//! store refuses a double booking by the same rule as DynamoDB's conditions.
//!
//! One file per aggregate, and the ones they share: `connection.rs` (how every embedded
//! connection is opened), `schema.rs` (the tables), `row.rs` (errors and reading rows back).

mod alerts;
mod api_keys;
mod appointments;
mod businesses;
mod calls;
mod connection;
mod conversations;
mod deliveries;
mod find;
mod follow_ups;
mod inbox;
mod messages;
mod parked;
mod placements;
mod rates;
mod reminders;
mod row;
mod schema;
mod transcription;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::store::StoreError;
pub(crate) use connection::open_connection;
use row::db;
use schema::{
    add_missing_columns, ALERTS_SCHEMA, BOOKING_SCHEMA, FIND_SCHEMA, INBOX_SCHEMA, MESSAGES_SCHEMA,
    PARKED_SCHEMA, PLACEMENTS_SCHEMA, SCHEMA, SCHEMA_VERSION,
};

pub struct SqliteStore {
    // Statements take microseconds, less than a spawn_blocking hop costs, so calls run inline.
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file and schema if missing.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = open_connection(path).map_err(StoreError::Unavailable)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(db)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Corrupt(format!(
                "{}: schema version {version} is newer than this build's {SCHEMA_VERSION}",
                path.display()
            )));
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        tx.execute_batch(SCHEMA).map_err(db)?;
        add_missing_columns(&tx).map_err(db)?;
        tx.execute_batch(PLACEMENTS_SCHEMA).map_err(db)?;
        tx.execute_batch(PARKED_SCHEMA).map_err(db)?;
        tx.execute_batch(ALERTS_SCHEMA).map_err(db)?;
        tx.execute_batch(MESSAGES_SCHEMA).map_err(db)?;
        tx.execute_batch(BOOKING_SCHEMA).map_err(db)?;
        tx.execute_batch(INBOX_SCHEMA).map_err(db)?;
        tx.execute_batch(FIND_SCHEMA).map_err(db)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-operation dropped its transaction, which rolled back: the connection is
        // still consistent, so a poisoned lock is safe to take over.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` in an IMMEDIATE transaction: the write lock is taken up front, so a
    /// read-then-write cannot lose a race to another connection on the same file.
    fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let result = work(&tx)?;
        tx.commit().map_err(db)?;
        Ok(result)
    }
}
