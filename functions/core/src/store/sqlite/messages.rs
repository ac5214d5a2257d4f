//! WhatsApp messages in the embedded store: one row per message, one per status event.
//! Each operation runs in one IMMEDIATE transaction, so the monotonic rule cannot race.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::row::{corrupt, db, parse_optional_time};
use super::SqliteStore;
use crate::domain::message::message_status_advances;
use crate::domain::time::format_time;
use crate::domain::{BusinessId, MessageDirection, MessageId, MessageStatus, PhoneNumber};
use crate::domain::{MessageContent, MessageEvent, MessageStatusUpdate, NewMessage, StoredMessage};
use crate::store::messages::{page_size, parse_cursor, time_ns, ConversationPage, MessageStore};
use crate::store::{parse_time, StoreError};

const MESSAGE_COLUMNS: &str = "id, business_id, direction, contact, from_address, to_address, \
     content, created_at, status, status_at, sent_at, delivered_at, read_at, failed_at, \
     error_code, error_message, created_ns";

fn read_message(row: &Row<'_>) -> rusqlite::Result<[Option<String>; 16]> {
    let mut out: [Option<String>; 16] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = row.get(i)?;
    }
    Ok(out)
}

fn into_message(row: [Option<String>; 16]) -> Result<StoredMessage, StoreError> {
    let [id, business_id, direction, contact, from, to, content, created_at, status, status_at, sent_at, delivered_at, read_at, failed_at, error_code, error_message] =
        row;
    let id = id.ok_or_else(|| corrupt("message", "id missing"))?;
    Ok(StoredMessage {
        id: MessageId::parse(&id).map_err(|e| corrupt("message id", e))?,
        business_id: business_id
            .map(|b| BusinessId::parse(&b).map_err(|e| corrupt("message business", e)))
            .transpose()?,
        direction: direction
            .map(|d| MessageDirection::parse(&d).ok_or_else(|| corrupt("message direction", d)))
            .transpose()?,
        contact: contact
            .map(|c| PhoneNumber::parse(&c).map_err(|e| corrupt("message contact", e)))
            .transpose()?,
        from,
        to,
        content: content
            .map(|c| {
                serde_json::from_str::<MessageContent>(&c)
                    .map_err(|e| corrupt("message content", e))
            })
            .transpose()?,
        created_at: parse_optional_time(created_at)?,
        status: status
            .map(|s| MessageStatus::parse(&s).ok_or_else(|| corrupt("message status", s)))
            .transpose()?,
        status_at: parse_optional_time(status_at)?,
        sent_at: parse_optional_time(sent_at)?,
        delivered_at: parse_optional_time(delivered_at)?,
        read_at: parse_optional_time(read_at)?,
        failed_at: parse_optional_time(failed_at)?,
        error_code,
        error_message,
    })
}

fn apply_status(tx: &Transaction<'_>, update: &MessageStatusUpdate) -> Result<bool, StoreError> {
    let id = update.id.as_str();
    tx.prepare_cached("INSERT OR IGNORE INTO messages (id) VALUES (?1)")
        .and_then(|mut statement| statement.execute([id]))
        .map_err(db)?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO message_events (message_id, status, at, at_ns, error_code)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            id,
            update.status.as_str(),
            format_time(update.at),
            time_ns(update.at),
            update.error_code,
        ])
    })
    .map_err(db)?;
    let at = format_time(update.at);
    // The first time each status was reached and the first error reported: never erased.
    tx.prepare_cached(
        "UPDATE messages SET
             sent_at       = CASE WHEN ?2 = 'sent_at' THEN COALESCE(sent_at, ?3) ELSE sent_at END,
             delivered_at  = CASE WHEN ?2 = 'delivered_at' THEN COALESCE(delivered_at, ?3) ELSE delivered_at END,
             read_at       = CASE WHEN ?2 = 'read_at' THEN COALESCE(read_at, ?3) ELSE read_at END,
             failed_at     = CASE WHEN ?2 = 'failed_at' THEN COALESCE(failed_at, ?3) ELSE failed_at END,
             error_code    = COALESCE(error_code, ?4),
             error_message = COALESCE(error_message, ?5)
         WHERE id = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            id,
            update.status.time_field().map(|f| f.as_str()),
            at,
            update.error_code,
            update.error_message,
        ])
    })
    .map_err(db)?;
    let current: Option<String> = tx
        .prepare_cached("SELECT status FROM messages WHERE id = ?1")
        .and_then(|mut statement| statement.query_row([id], |row| row.get(0)))
        .map_err(db)?;
    let current = current
        .map(|s| MessageStatus::parse(&s).ok_or_else(|| corrupt("message status", s)))
        .transpose()?;
    if !message_status_advances(current, update.status) {
        return Ok(false);
    }
    tx.prepare_cached("UPDATE messages SET status = ?2, status_at = ?3 WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![id, update.status.as_str(), at]))
        .map_err(db)?;
    Ok(true)
}

fn insert(tx: &Transaction<'_>, message: &NewMessage) -> Result<bool, StoreError> {
    let content =
        serde_json::to_string(&message.content).map_err(|e| corrupt("message content", e))?;
    tx.prepare_cached("INSERT OR IGNORE INTO messages (id) VALUES (?1)")
        .and_then(|mut statement| statement.execute([message.id.as_str()]))
        .map_err(db)?;
    // Content is written once: a record from an earlier status callback has no direction.
    let inserted = tx
        .prepare_cached(
            "UPDATE messages SET business_id = ?2, direction = ?3, contact = ?4,
                 from_address = ?5, to_address = ?6, content = ?7, created_at = ?8, created_ns = ?9
             WHERE id = ?1 AND direction IS NULL",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                message.id.as_str(),
                message.business_id.as_ref().map(BusinessId::as_str),
                message.direction.as_str(),
                message.contact.as_ref().map(PhoneNumber::as_str),
                message.from,
                message.to,
                content,
                format_time(message.at),
                time_ns(message.at),
            ])
        })
        .map_err(db)?
        == 1;
    apply_status(
        tx,
        &MessageStatusUpdate {
            id: message.id.clone(),
            status: message.status,
            at: message.at,
            error_code: message.error_code.clone(),
            error_message: message.error_message.clone(),
        },
    )?;
    super::find::index_message(tx, message)?;
    Ok(inserted)
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn insert_message(&self, message: &NewMessage) -> Result<bool, StoreError> {
        self.write(|tx| insert(tx, message))
    }

    async fn apply_message_status(&self, update: &MessageStatusUpdate) -> Result<bool, StoreError> {
        self.write(|tx| apply_status(tx, update))
    }

    async fn message(&self, id: &MessageId) -> Result<Option<StoredMessage>, StoreError> {
        self.conn()
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1"
            ))
            .and_then(|mut statement| statement.query_row([id.as_str()], read_message))
            .optional()
            .map_err(db)?
            .map(into_message)
            .transpose()
    }

    async fn message_events(&self, id: &MessageId) -> Result<Vec<MessageEvent>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT status, at, error_code FROM message_events WHERE message_id = ?1
                 ORDER BY at_ns, rowid",
            )
            .map_err(db)?;
        let rows = statement
            .query_map([id.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(db)?;
        let mut events = Vec::new();
        for row in rows {
            let (status, at, error_code) = row.map_err(db)?;
            events.push(MessageEvent {
                status: MessageStatus::parse(&status)
                    .ok_or_else(|| corrupt("message event status", &status))?,
                at: parse_time(&at)?,
                error_code,
            });
        }
        events.sort_by_key(|e| (e.at, e.status.rank()));
        Ok(events)
    }

    async fn conversation_messages(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ConversationPage, StoreError> {
        let limit = page_size(limit);
        let (before_ns, before_id) = match cursor {
            Some(cursor) => {
                let (ns, id) = parse_cursor(cursor)?;
                (ns, id.as_str().to_string())
            }
            None => (i64::MAX, String::new()),
        };
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages
                 WHERE business_id = ?1 AND contact = ?2 AND direction IS NOT NULL
                   AND (?5 = '' OR (created_ns, id) < (?3, ?4))
                 ORDER BY created_ns DESC, id DESC
                 LIMIT ?6"
            ))
            .map_err(db)?;
        // One more than the page, to know whether another page follows.
        let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    contact.as_str(),
                    before_ns,
                    before_id,
                    before_id,
                    fetch
                ],
                |row| Ok((read_message(row)?, row.get::<_, Option<i64>>(16)?)),
            )
            .map_err(db)?;
        let mut messages = Vec::new();
        let mut positions = Vec::new();
        for row in rows {
            let (row, created_ns) = row.map_err(db)?;
            let message = into_message(row)?;
            positions.push(format!(
                "{:020}#{}",
                created_ns.unwrap_or_default(),
                message.id
            ));
            messages.push(message);
        }
        let more = messages.len() > limit;
        messages.truncate(limit);
        Ok(ConversationPage {
            next_cursor: if more {
                positions.get(limit - 1).cloned()
            } else {
                None
            },
            messages,
        })
    }
}
