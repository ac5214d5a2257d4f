//! Queue messages parked while their queue was down, one row per queue and dedup id.

use async_trait::async_trait;
use rusqlite::params;

use super::row::db;
use super::SqliteStore;
use crate::domain::time::format_time;
use crate::store::{parse_time, ParkedMessage, ParkedStore, StoreError};

#[async_trait]
impl ParkedStore for SqliteStore {
    async fn park(&self, message: &ParkedMessage) -> Result<(), StoreError> {
        let at = message.parked_at;
        let at_ns = i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX);
        self.conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO parked_messages (queue, dedup_id, body, parked_at, parked_ns)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    message.queue,
                    message.dedup_id,
                    message.body,
                    format_time(at),
                    at_ns
                ])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn parked(&self, limit: usize) -> Result<Vec<ParkedMessage>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT queue, dedup_id, body, parked_at FROM parked_messages
                 ORDER BY parked_ns, queue, dedup_id LIMIT ?1",
            )
            .map_err(db)?;
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(db)?;
        let mut parked = Vec::new();
        for row in rows {
            let (queue, dedup_id, body, at) = row.map_err(db)?;
            parked.push(ParkedMessage {
                queue,
                dedup_id,
                body,
                parked_at: parse_time(&at)?,
            });
        }
        Ok(parked)
    }

    async fn unpark(&self, queue: &str, dedup_id: &str) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("DELETE FROM parked_messages WHERE queue = ?1 AND dedup_id = ?2")
            .and_then(|mut statement| statement.execute([queue, dedup_id]))
            .map_err(db)?;
        Ok(())
    }
}
