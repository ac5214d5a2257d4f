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
use crate::domain::time::format_time;
use crate::queue::{Disposition, Received};
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

-- Consumption, as SQS does it: a received message is hidden until visible_at_ns; after too
-- many receives it is dead (the dead-letter queue). No row yet: never received.
CREATE TABLE IF NOT EXISTS queue_receipts (
    position      INTEGER PRIMARY KEY,
    receive_count INTEGER NOT NULL,
    visible_at_ns INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'done', 'dead'))
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

/// Unix nanoseconds, saturating (the order is what matters).
fn ns(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

impl EmbeddedQueue {
    /// Receives up to `max` visible messages of `queue` in send order and hides each for
    /// `visibility`, counting the receive. A message's receipt is its position.
    pub fn receive(
        &self,
        queue: QueueName,
        max: usize,
        visibility: std::time::Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<Received>, QueueError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(unavailable)?;
        let due: Vec<(i64, String, u32)> = {
            let mut statement = tx
                .prepare_cached(
                    "SELECT m.position, m.body, COALESCE(r.receive_count, 0)
                     FROM queue_messages m LEFT JOIN queue_receipts r ON r.position = m.position
                     WHERE m.queue = ?1 AND COALESCE(r.state, 'waiting') = 'waiting'
                       AND COALESCE(r.visible_at_ns, 0) <= ?2
                     ORDER BY m.position LIMIT ?3",
                )
                .map_err(unavailable)?;
            let rows = statement
                .query_map(
                    params![
                        queue.as_str(),
                        ns(now),
                        i64::try_from(max).unwrap_or(i64::MAX)
                    ],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)?
        };
        let hidden_until = ns(now + visibility);
        let mut received = Vec::with_capacity(due.len());
        for (position, body, count) in due {
            tx.prepare_cached(
                "INSERT INTO queue_receipts (position, receive_count, visible_at_ns, state)
                 VALUES (?1, ?2, ?3, 'waiting')
                 ON CONFLICT (position) DO UPDATE SET receive_count = excluded.receive_count,
                     visible_at_ns = excluded.visible_at_ns",
            )
            .and_then(|mut statement| statement.execute(params![position, count + 1, hidden_until]))
            .map_err(unavailable)?;
            received.push(Received {
                id: position.to_string(),
                body,
                receive_count: count + 1,
            });
        }
        tx.commit().map_err(unavailable)?;
        Ok(received)
    }

    /// Settles a received message: `Done` deletes it; `Retry` shows it again after the delay,
    /// or moves it to the dead letters once it has been received `max_receives` times.
    pub fn settle(
        &self,
        message: &Received,
        disposition: Disposition,
        max_receives: u32,
        now: OffsetDateTime,
    ) -> Result<(), QueueError> {
        let position: i64 = message
            .id
            .parse()
            .map_err(|_| QueueError(format!("`{}` is not an embedded receipt", message.id)))?;
        let (state, visible_at) = match disposition {
            Disposition::Done => ("done", ns(now)),
            Disposition::Retry { .. } if message.receive_count >= max_receives => ("dead", ns(now)),
            Disposition::Retry { after } => ("waiting", ns(now + after)),
        };
        self.conn()
            .prepare_cached(
                "UPDATE queue_receipts SET state = ?2, visible_at_ns = ?3 WHERE position = ?1",
            )
            .and_then(|mut statement| statement.execute(params![position, state, visible_at]))
            .map_err(unavailable)?;
        Ok(())
    }

    /// Bodies of the messages of `queue` that used every receive (the dead-letter queue).
    pub fn dead_letters(&self, queue: QueueName) -> Result<Vec<String>, QueueError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT m.body FROM queue_messages m JOIN queue_receipts r ON r.position = m.position
                 WHERE m.queue = ?1 AND r.state = 'dead' ORDER BY m.position",
            )
            .map_err(unavailable)?;
        let rows = statement
            .query_map([queue.as_str()], |row| row.get(0))
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
