//! The embedded queue for `frontdesk serve`: a SQLite table.
//!
//! Messages are kept in send order, one per (queue, dedup id), so a repeated send is dropped
//! as a FIFO queue would drop it.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use rusqlite::{params, Connection};
use time::OffsetDateTime;

use super::{OutboundMessage, Queue, QueueError, QueueName};
use crate::store::format_time;
use crate::store::sqlite::open_connection;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queue_messages (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    queue       TEXT NOT NULL,
    dedup_id    TEXT NOT NULL,
    body        TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    UNIQUE (queue, dedup_id)
) STRICT;
";

/// A message waiting on a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMessage {
    pub dedup_id: String,
    pub body: String,
    /// RFC 3339.
    pub enqueued_at: String,
}

pub struct EmbeddedQueue {
    // Statements take microseconds, less than a spawn_blocking hop costs, so calls run inline.
    conn: Mutex<Connection>,
}

fn unavailable(err: rusqlite::Error) -> QueueError {
    QueueError(err.to_string())
}

impl EmbeddedQueue {
    /// Opens the queue table in the SQLite file at `path` (which may also hold the store),
    /// creating both if missing.
    pub fn open(path: &Path) -> Result<Self, QueueError> {
        let conn = open_connection(path).map_err(QueueError)?;
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // Every operation is a single statement, so a panic cannot leave one half done.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What is on `queue`, in send order.
    pub fn messages(&self, queue: QueueName) -> Result<Vec<QueuedMessage>, QueueError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT dedup_id, body, enqueued_at FROM queue_messages WHERE queue = ?1 ORDER BY position",
            )
            .map_err(unavailable)?;
        let rows = statement
            .query_map([queue.as_str()], |row| {
                Ok(QueuedMessage {
                    dedup_id: row.get(0)?,
                    body: row.get(1)?,
                    enqueued_at: row.get(2)?,
                })
            })
            .map_err(unavailable)?;
        rows.map(|row| row.map_err(unavailable)).collect()
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError> {
        let inserted = self
            .conn()
            .execute(
                "INSERT OR IGNORE INTO queue_messages (queue, dedup_id, body, enqueued_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    message.queue.as_str(),
                    message.dedup_id,
                    message.body,
                    format_time(OffsetDateTime::now_utc()),
                ],
            )
            .map_err(unavailable)?;
        // Never the body: it carries callers' numbers.
        tracing::info!(
            queue = message.queue.as_str(),
            dedup_id = %message.dedup_id,
            repeat = inserted == 0,
            "message queued"
        );
        Ok(())
    }
}
