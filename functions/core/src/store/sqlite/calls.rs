//! Calls: one row each, status callbacks kept once each, and a business's calls listing.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::row::{db, parse_status, CallRow, CALL_COLUMNS};
use super::schema::CALL_CONTACT;
use super::SqliteStore;
use crate::domain::call::status_advances;
use crate::domain::time::format_time;
use crate::domain::{
    AppointmentId, BusinessId, Call, CallEvent, CallSid, CallStart, CallStatus, PhoneNumber,
    StatusUpdate,
};
use crate::store::{parse_time, CallPage, CallQuery, CallStore, StoreError};

fn read_call(conn: &Connection, sid: &CallSid) -> Result<Option<Call>, StoreError> {
    conn.prepare_cached(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE sid = ?1"))
        .and_then(|mut statement| statement.query_row([sid.as_str()], CallRow::read))
        .optional()
        .map_err(db)?
        .map(CallRow::into_call)
        .transpose()
}

/// Makes sure the call has a row, so the updates that follow have one to change.
pub(super) fn ensure_call(tx: &Transaction<'_>, sid: &CallSid) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT OR IGNORE INTO calls (sid) VALUES (?1)")
        .and_then(|mut statement| statement.execute([sid.as_str()]))
        .map_err(db)?;
    Ok(())
}

/// The status and its sequence, or `None` while no start or status callback has been seen.
fn current_status(
    tx: &Transaction<'_>,
    sid: &CallSid,
) -> Result<Option<(CallStatus, Option<u32>)>, StoreError> {
    let (status, sequence): (Option<String>, Option<u32>) = tx
        .prepare_cached("SELECT status, status_sequence FROM calls WHERE sid = ?1")
        .and_then(|mut statement| {
            statement.query_row([sid.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
        })
        .map_err(db)?;
    Ok(status
        .as_deref()
        .map(parse_status)
        .transpose()?
        .map(|s| (s, sequence)))
}

/// Moves the call to `status` when the status ranking allows it; a final status also sets
/// `ended_at` and the duration. Returns whether the status changed.
fn advance_status(
    tx: &Transaction<'_>,
    sid: &CallSid,
    status: CallStatus,
    sequence: Option<u32>,
    at: OffsetDateTime,
    duration_seconds: Option<u32>,
) -> Result<bool, StoreError> {
    let current = current_status(tx, sid)?;
    if !status_advances(current, status, sequence) {
        return Ok(false);
    }
    if status.is_final() {
        tx.prepare_cached(
            "UPDATE calls SET status = ?2, status_sequence = ?3, ended_at = ?4,
                 duration_seconds = COALESCE(?5, duration_seconds)
             WHERE sid = ?1",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                sid.as_str(),
                status.as_str(),
                sequence,
                format_time(at),
                duration_seconds
            ])
        })
    } else {
        tx.prepare_cached("UPDATE calls SET status = ?2, status_sequence = ?3 WHERE sid = ?1")
            .and_then(|mut statement| {
                statement.execute(params![sid.as_str(), status.as_str(), sequence])
            })
    }
    .map_err(db)?;
    Ok(current.map(|(s, _)| s) != Some(status))
}

fn record_call_start(tx: &Transaction<'_>, start: &CallStart) -> Result<(), StoreError> {
    ensure_call(tx, &start.sid)?;
    // Only what is still unset: a retry or an earlier status callback keeps its values.
    tx.prepare_cached(
        "UPDATE calls SET
             business_id = COALESCE(business_id, ?2),
             from_number = COALESCE(from_number, ?3),
             to_number   = COALESCE(to_number, ?4),
             direction   = COALESCE(direction, ?5),
             caller_name = COALESCE(caller_name, ?6),
             started_at  = COALESCE(started_at, ?7)
         WHERE sid = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            start.sid.as_str(),
            start.business_id.as_str(),
            start.from,
            start.to,
            start.direction.as_str(),
            start.caller_name,
            format_time(start.started_at),
        ])
    })
    .map_err(db)?;
    if let Some(placed) = &start.placed {
        // Frontdesk placed this call: what it asked for stands over what a callback wrote.
        tx.prepare_cached(
            "UPDATE calls SET business_id = ?2, from_number = ?3, to_number = ?4,
                 direction = ?5, purpose = ?6, requested_by = ?7
             WHERE sid = ?1",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                start.sid.as_str(),
                start.business_id.as_str(),
                start.from,
                start.to,
                start.direction.as_str(),
                placed.purpose,
                placed.requested_by,
            ])
        })
        .map_err(db)?;
    }
    advance_status(tx, &start.sid, start.status, None, start.started_at, None)?;
    super::find::index_call_start(tx, &start.sid)
}

fn apply_call_status(tx: &Transaction<'_>, update: &StatusUpdate) -> Result<bool, StoreError> {
    ensure_call(tx, &update.sid)?;
    // Twilio numbers each callback of a call; without a number the status identifies it.
    let event_key = match update.sequence {
        Some(sequence) => format!("sequence:{sequence}"),
        None => format!("status:{}", update.status.as_str()),
    };
    tx.prepare_cached("INSERT OR IGNORE INTO call_events (call_sid, event_key, status, sequence, at, duration_seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)").and_then(|mut statement| statement.execute(params![
            update.sid.as_str(),
            event_key,
            update.status.as_str(),
            update.sequence,
            format_time(update.at),
            update.duration_seconds,
        ]))
    .map_err(db)?;
    tx.prepare_cached(
        "UPDATE calls SET
             business_id = COALESCE(business_id, ?2),
             from_number = COALESCE(from_number, ?3),
             to_number   = COALESCE(to_number, ?4),
             direction   = COALESCE(direction, ?5),
             answered_by = COALESCE(?6, answered_by)
         WHERE sid = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            update.sid.as_str(),
            update.business_id.as_ref().map(BusinessId::as_str),
            update.from,
            update.to,
            update.direction.as_str(),
            update.answered_by,
        ])
    })
    .map_err(db)?;
    // A new call has no status yet, so its first callback always counts as a change.
    advance_status(
        tx,
        &update.sid,
        update.status,
        update.sequence,
        update.at,
        update.duration_seconds,
    )
}

fn call_events(conn: &Connection, sid: &CallSid) -> Result<Vec<CallEvent>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT status, sequence, at, duration_seconds FROM call_events WHERE call_sid = ?1 ORDER BY rowid",
        )
        .map_err(db)?;
    let rows = statement
        .query_map([sid.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get(1)?,
                row.get::<_, String>(2)?,
                row.get(3)?,
            ))
        })
        .map_err(db)?;
    let mut events = Vec::new();
    for row in rows {
        let (status, sequence, at, duration_seconds) = row.map_err(db)?;
        events.push(CallEvent {
            status: parse_status(&status)?,
            sequence,
            at: parse_time(&at)?,
            duration_seconds,
        });
    }
    // Sorted here, not in SQL, because RFC 3339 text does not sort as time. Numbered
    // callbacks come first, in sequence order; the rest follow by time.
    events.sort_by_key(|e| (e.sequence.is_none(), e.sequence, e.at));
    Ok(events)
}

#[async_trait]
impl CallStore for SqliteStore {
    async fn record_call_start(&self, start: &CallStart) -> Result<(), StoreError> {
        self.write(|tx| record_call_start(tx, start))
    }

    async fn call(&self, sid: &CallSid) -> Result<Option<Call>, StoreError> {
        read_call(&self.conn(), sid)
    }

    async fn apply_call_status(&self, update: &StatusUpdate) -> Result<bool, StoreError> {
        self.write(|tx| apply_call_status(tx, update))
    }

    async fn call_events(&self, sid: &CallSid) -> Result<Vec<CallEvent>, StoreError> {
        call_events(&self.conn(), sid)
    }

    async fn set_recording_status(&self, sid: &CallSid, status: &str) -> Result<(), StoreError> {
        // The status callback can beat the recording's attachment, so it may create the call.
        self.conn()
            .prepare_cached(
                "INSERT INTO calls (sid, recording_status) VALUES (?1, ?2)
                 ON CONFLICT (sid) DO UPDATE SET recording_status = excluded.recording_status",
            )
            .and_then(|mut statement| statement.execute(params![sid.as_str(), status]))
            .map_err(db)?;
        Ok(())
    }

    async fn store_gathered_digits(&self, sid: &CallSid, digits: &str) -> Result<(), StoreError> {
        // Kept even for a call whose start was not stored: the code is what the business wants.
        self.conn()
            .prepare_cached(
                "INSERT INTO calls (sid, gathered_digits) VALUES (?1, ?2)
                 ON CONFLICT (sid) DO UPDATE SET gathered_digits = excluded.gathered_digits",
            )
            .and_then(|mut statement| statement.execute(params![sid.as_str(), digits]))
            .map_err(db)?;
        Ok(())
    }

    async fn set_call_appointment(
        &self,
        sid: &CallSid,
        appointment: &AppointmentId,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .prepare_cached("UPDATE calls SET appointment_id = ?2 WHERE sid = ?1")
            .and_then(|mut statement| {
                statement.execute(params![sid.as_str(), appointment.as_str()])
            })
            .map_err(db)?;
        Ok(changed == 1)
    }

    async fn set_call_handled(&self, sid: &CallSid, handled: bool) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .prepare_cached("UPDATE calls SET handled = ?2 WHERE sid = ?1")
            .and_then(|mut statement| statement.execute(params![sid.as_str(), handled]))
            .map_err(db)?;
        Ok(changed == 1)
    }

    async fn list_calls(
        &self,
        business: &BusinessId,
        query: &CallQuery,
    ) -> Result<CallPage, StoreError> {
        let limit = query.limit.max(1);
        let conn = self.conn();
        // The position is `{started_at}#{sid}`, compared as text like DynamoDB's gsi1sk.
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {CALL_COLUMNS} FROM calls
                 WHERE business_id = ?1 AND started_at IS NOT NULL
                   AND (?2 IS NULL OR status = ?2)
                   AND (?3 IS NULL OR direction = ?3)
                   AND (?4 IS NULL OR started_at || '#' || sid >= ?4)
                   AND (?5 IS NULL OR started_at || '#' || sid < ?5)
                   AND (?7 IS NULL OR handled = ?7)
                 ORDER BY started_at || '#' || sid DESC
                 LIMIT ?6"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    query.status.map(|s| s.as_str()),
                    query.direction.map(|d| d.as_str()),
                    query.since.map(format_time),
                    query.after,
                    i64::try_from(limit + 1).unwrap_or(i64::MAX),
                    query.handled,
                ],
                CallRow::read,
            )
            .map_err(db)?;
        let calls = rows
            .map(|row| row.map_err(db).and_then(CallRow::into_call))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CallPage::of_overfetched(calls, limit))
    }

    async fn calls_with(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CallPage, StoreError> {
        let limit = limit.max(1);
        let conn = self.conn();
        // The contact expression is `calls_by_contact`'s, word for word, so the index serves it.
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {CALL_COLUMNS} FROM calls
                 WHERE business_id = ?1 AND {CALL_CONTACT} = ?2 AND started_at IS NOT NULL
                   AND (?3 IS NULL OR started_at || '#' || sid < ?3)
                 ORDER BY started_at || '#' || sid DESC
                 LIMIT ?4"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    contact.as_str(),
                    after,
                    i64::try_from(limit + 1).unwrap_or(i64::MAX),
                ],
                CallRow::read,
            )
            .map_err(db)?;
        let calls = rows
            .map(|row| row.map_err(db).and_then(CallRow::into_call))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CallPage::of_overfetched(calls, limit))
    }
}
