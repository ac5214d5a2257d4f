//! The embedded store for `frontdesk serve`: one SQLite file.
//!
//! Businesses are JSON documents (so settings grow without a migration) plus a phone-number
//! index; calls are one row each with a column per field; status callbacks are rows keyed so a
//! repeated callback is stored once. Timestamps are RFC 3339 text ([`format_time`]); where SQL
//! must compare or order them, a companion `*_ns` column holds Unix nanoseconds, because RFC 3339
//! text does not sort as time when fractions or offsets differ.

mod messages;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior,
};
use time::OffsetDateTime;

use super::{list_position, CallPage, CallQuery};
use super::{parse_time, RecordingAttach, StoreError};
use super::{ApiKeyStore, BusinessStore, CallStore, DeliveryStore, RateStore, TranscriptionStore};
use crate::config::Secret;
use crate::domain::call::status_advances;
use crate::domain::time::format_time;
use crate::domain::{
    ApiKeyHash, Business, BusinessId, Call, CallEvent, CallMedia, CallSid, CallStart, CallStatus,
    DeliveryLog, Direction, PhoneNumber, Recording, RecordingSid, StatusUpdate,
    TranscriptionOutcome, TranscriptionState,
};

/// Bumped when the schema changes, so an older build refuses a newer file instead of
/// misreading it.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS businesses (
    id       TEXT PRIMARY KEY,
    document TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS business_numbers (
    number      TEXT PRIMARY KEY,
    business_id TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS business_numbers_by_business ON business_numbers (business_id);

-- status and direction are NULL while the call is known only from a recording or digits:
-- the first start or status callback then applies in full.
CREATE TABLE IF NOT EXISTS calls (
    sid                        TEXT PRIMARY KEY,
    business_id                TEXT,
    from_number                TEXT,
    to_number                  TEXT,
    direction                  TEXT,
    caller_name                TEXT,
    status                     TEXT,
    status_sequence            INTEGER,
    started_at                 TEXT,
    ended_at                   TEXT,
    duration_seconds           INTEGER,
    recording_sid              TEXT,
    recording_url              TEXT,
    recording_duration_seconds INTEGER,
    recording_digits           TEXT,
    recorded_at                TEXT,
    recorded_at_ns             INTEGER,
    recording_status           TEXT,
    transcription              TEXT,
    transcription_queued_at    TEXT,
    transcription_queued_at_ns INTEGER,
    gathered_digits            TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS calls_transcription_backlog ON calls (recorded_at_ns)
    WHERE transcription IN ('pending', 'queued');

CREATE TABLE IF NOT EXISTS call_events (
    call_sid         TEXT NOT NULL,
    event_key        TEXT NOT NULL,
    status           TEXT NOT NULL,
    sequence         INTEGER,
    at               TEXT NOT NULL,
    duration_seconds INTEGER,
    PRIMARY KEY (call_sid, event_key)
) STRICT;

CREATE TABLE IF NOT EXISTS call_attempts (
    business_id  TEXT NOT NULL,
    caller       TEXT NOT NULL,
    minute_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, caller, minute_start)
) STRICT;
CREATE INDEX IF NOT EXISTS call_attempts_by_expiry ON call_attempts (expires_at);

CREATE TABLE IF NOT EXISTS call_media (
    call_sid      TEXT PRIMARY KEY,
    recording_key TEXT,
    transcript    TEXT,
    language      TEXT,
    reason        TEXT,
    finished_at   TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS deliveries (
    call_sid TEXT NOT NULL,
    event_id TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (call_sid, event_id)
) STRICT;

CREATE TABLE IF NOT EXISTS webhook_secrets (
    business_id TEXT PRIMARY KEY,
    secret      TEXT NOT NULL
) STRICT;

-- Only the SHA-256 of a key is kept.
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash    TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
";

/// A counter is read during its own minute; one more minute absorbs clock skew between
/// processes sharing the file.
const COUNTER_LIFETIME_SECONDS: i64 = 120;

/// How long a write waits for another connection (the queue, a second process) to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `path` (creating it) with the settings every embedded connection uses: WAL so readers
/// never block the writer; `synchronous=NORMAL`, which in WAL mode can lose the last commits to
/// a power cut but never corrupts the file; and a busy timeout so concurrent writers wait
/// instead of failing. Errors name the file.
pub(crate) fn open_connection(path: &Path) -> Result<Connection, String> {
    let failed = |e: rusqlite::Error| format!("{}: {e}", path.display());
    let conn = Connection::open(path).map_err(failed)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(failed)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!(
            "{}: journal_mode is `{mode}`, not WAL",
            path.display()
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(failed)?;
    Ok(conn)
}

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
        tx.execute_batch(messages::SCHEMA).map_err(db)?;
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

/// Maps a SQLite failure: damaged files and unreadable values are corrupt, the rest
/// (locks, I/O, a full disk) is the backend being unavailable.
fn db(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(err.to_string()),
        _ => match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(err.to_string())
            }
            _ => StoreError::Unavailable(err.to_string()),
        },
    }
}

fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

/// Unix nanoseconds for SQL comparisons; saturates outside i64's range (years before 1678 or
/// after 2262), which keeps the order.
fn time_ns(at: OffsetDateTime) -> i64 {
    let nanos = at.unix_timestamp_nanos();
    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

fn parse_business(document: &str) -> Result<Business, StoreError> {
    serde_json::from_str(document).map_err(|e| corrupt("business document", e))
}

fn parse_status(value: &str) -> Result<CallStatus, StoreError> {
    CallStatus::parse(value).ok_or_else(|| corrupt("call status", value))
}

fn parse_transcription(value: Option<String>) -> Result<Option<TranscriptionState>, StoreError> {
    value
        .map(|v| TranscriptionState::parse(&v).ok_or_else(|| corrupt("transcription state", v)))
        .transpose()
}

fn parse_optional_time(value: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    value.as_deref().map(parse_time).transpose()
}

fn put_business(tx: &Transaction<'_>, business: &Business) -> Result<(), StoreError> {
    for number in &business.phone_numbers {
        let owner: Option<String> = tx
            .prepare_cached("SELECT business_id FROM business_numbers WHERE number = ?1")
            .and_then(|mut statement| statement.query_row([number.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        if let Some(owner) = owner.filter(|owner| owner != business.id.as_str()) {
            return Err(StoreError::NumberTaken {
                number: number.clone(),
                owner: BusinessId::parse(&owner).map_err(|e| corrupt("phone number owner", e))?,
            });
        }
    }
    let document = serde_json::to_string(business).map_err(|e| corrupt("business document", e))?;
    tx.prepare_cached(
        "INSERT INTO businesses (id, document) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document",
    )
    .and_then(|mut statement| statement.execute(params![business.id.as_str(), document]))
    .map_err(db)?;
    // Rewriting the whole index frees the numbers the business dropped.
    tx.prepare_cached("DELETE FROM business_numbers WHERE business_id = ?1")
        .and_then(|mut statement| statement.execute([business.id.as_str()]))
        .map_err(db)?;
    for number in &business.phone_numbers {
        // OR IGNORE: a number listed twice is still one index entry.
        tx.prepare_cached(
            "INSERT OR IGNORE INTO business_numbers (number, business_id) VALUES (?1, ?2)",
        )
        .and_then(|mut statement| statement.execute(params![number.as_str(), business.id.as_str()]))
        .map_err(db)?;
    }
    Ok(())
}

const CALL_COLUMNS: &str =
    "sid, business_id, from_number, to_number, direction, caller_name, status, \
     status_sequence, started_at, ended_at, duration_seconds, recording_sid, recording_url, \
     recording_duration_seconds, recording_digits, recording_status, transcription, \
     transcription_queued_at, gathered_digits";

/// A `calls` row as SQLite holds it; [`CallRow::into_call`] checks it into a [`Call`].
struct CallRow {
    sid: String,
    business_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    direction: Option<String>,
    caller_name: Option<String>,
    status: Option<String>,
    status_sequence: Option<u32>,
    started_at: Option<String>,
    ended_at: Option<String>,
    duration_seconds: Option<u32>,
    recording_sid: Option<String>,
    recording_url: Option<String>,
    recording_duration_seconds: Option<u32>,
    recording_digits: Option<String>,
    recording_status: Option<String>,
    transcription: Option<String>,
    transcription_queued_at: Option<String>,
    gathered_digits: Option<String>,
}

impl CallRow {
    /// Reads the columns of [`CALL_COLUMNS`], in that order.
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            sid: row.get(0)?,
            business_id: row.get(1)?,
            from: row.get(2)?,
            to: row.get(3)?,
            direction: row.get(4)?,
            caller_name: row.get(5)?,
            status: row.get(6)?,
            status_sequence: row.get(7)?,
            started_at: row.get(8)?,
            ended_at: row.get(9)?,
            duration_seconds: row.get(10)?,
            recording_sid: row.get(11)?,
            recording_url: row.get(12)?,
            recording_duration_seconds: row.get(13)?,
            recording_digits: row.get(14)?,
            recording_status: row.get(15)?,
            transcription: row.get(16)?,
            transcription_queued_at: row.get(17)?,
            gathered_digits: row.get(18)?,
        })
    }

    fn into_call(self) -> Result<Call, StoreError> {
        let recording = match self.recording_sid {
            None => None,
            Some(sid) => Some(Recording {
                sid: RecordingSid::parse(&sid).map_err(|e| corrupt("recording sid", e))?,
                url: self
                    .recording_url
                    .ok_or_else(|| corrupt("recording", "url missing"))?,
                duration_seconds: self.recording_duration_seconds,
                digits: self.recording_digits,
            }),
        };
        Ok(Call {
            sid: CallSid::parse(&self.sid).map_err(|e| corrupt("call sid", e))?,
            business_id: self
                .business_id
                .map(|id| BusinessId::parse(&id).map_err(|e| corrupt("call business id", e)))
                .transpose()?,
            from: self.from,
            to: self.to,
            direction: self
                .direction
                .as_deref()
                .map(Direction::parse)
                .unwrap_or(Direction::Inbound),
            caller_name: self.caller_name,
            // A call known only from its recording or digits was answered.
            status: self
                .status
                .as_deref()
                .map(parse_status)
                .transpose()?
                .unwrap_or(CallStatus::InProgress),
            status_sequence: self.status_sequence,
            started_at: parse_optional_time(self.started_at)?,
            ended_at: parse_optional_time(self.ended_at)?,
            duration_seconds: self.duration_seconds,
            recording,
            recording_status: self.recording_status,
            transcription: parse_transcription(self.transcription)?,
            transcription_queued_at: parse_optional_time(self.transcription_queued_at)?,
            gathered_digits: self.gathered_digits,
        })
    }
}

fn read_call(conn: &Connection, sid: &CallSid) -> Result<Option<Call>, StoreError> {
    conn.prepare_cached(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE sid = ?1"))
        .and_then(|mut statement| statement.query_row([sid.as_str()], CallRow::read))
        .optional()
        .map_err(db)?
        .map(CallRow::into_call)
        .transpose()
}

/// Makes sure the call has a row, so the updates that follow have one to change.
fn ensure_call(tx: &Transaction<'_>, sid: &CallSid) -> Result<(), StoreError> {
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
    advance_status(tx, &start.sid, start.status, None, start.started_at, None)?;
    Ok(())
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
             direction   = COALESCE(direction, ?5)
         WHERE sid = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            update.sid.as_str(),
            update.business_id.as_ref().map(BusinessId::as_str),
            update.from,
            update.to,
            update.direction.as_str(),
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

fn attach_recording(
    tx: &Transaction<'_>,
    sid: &CallSid,
    recording: &Recording,
    transcribe: bool,
    now: OffsetDateTime,
) -> Result<RecordingAttach, StoreError> {
    ensure_call(tx, sid)?;
    let (attached, transcription): (Option<String>, Option<String>) = tx
        .prepare_cached("SELECT recording_sid, transcription FROM calls WHERE sid = ?1")
        .and_then(|mut statement| {
            statement.query_row([sid.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
        })
        .map_err(db)?;
    if attached.is_some() {
        return Ok(RecordingAttach::AlreadyAttached(parse_transcription(
            transcription,
        )?));
    }
    let state = if transcribe {
        TranscriptionState::Pending
    } else {
        TranscriptionState::Skipped
    };
    tx.prepare_cached(
        "UPDATE calls SET recording_sid = ?2, recording_url = ?3, recording_duration_seconds = ?4,
             recording_digits = ?5, recorded_at = ?6, recorded_at_ns = ?7, transcription = ?8
         WHERE sid = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            sid.as_str(),
            recording.sid.as_str(),
            recording.url,
            recording.duration_seconds,
            recording.digits,
            format_time(now),
            time_ns(now),
            state.as_str(),
        ])
    })
    .map_err(db)?;
    Ok(RecordingAttach::Attached)
}

fn transcription_backlog(
    conn: &Connection,
    stale_before: OffsetDateTime,
    limit: usize,
) -> Result<Vec<Call>, StoreError> {
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {CALL_COLUMNS} FROM calls
             WHERE transcription IN ('pending', 'queued')
               AND (transcription = 'pending' OR transcription_queued_at_ns < ?1)
             ORDER BY recorded_at_ns, sid
             LIMIT ?2"
        ))
        .map_err(db)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = statement
        .query_map(params![time_ns(stale_before), limit], CallRow::read)
        .map_err(db)?;
    rows.map(|row| row.map_err(db).and_then(CallRow::into_call))
        .collect()
}

fn count_call_attempt(
    conn: &Connection,
    business: &BusinessId,
    from: &str,
    minute_start: i64,
) -> Result<u64, StoreError> {
    // One statement, so concurrent callers each see their own increment.
    let count: i64 = conn
        .prepare_cached(
            "INSERT INTO call_attempts (business_id, caller, minute_start, count, expires_at)
             VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (business_id, caller, minute_start) DO UPDATE SET count = count + 1
             RETURNING count",
        )
        .and_then(|mut statement| {
            statement.query_row(
                params![
                    business.as_str(),
                    from,
                    minute_start,
                    minute_start.saturating_add(COUNTER_LIFETIME_SECONDS)
                ],
                |row| row.get(0),
            )
        })
        .map_err(db)?;
    if count == 1 {
        // A caller's first attempt in a minute is the occasion to drop expired counters. The
        // caller's minute, not the wall clock, marks expiry, so a counter in use is never dropped.
        conn.prepare_cached("DELETE FROM call_attempts WHERE expires_at <= ?1")
            .and_then(|mut statement| statement.execute([minute_start]))
            .map_err(db)?;
    }
    u64::try_from(count).map_err(|e| corrupt("call attempt count", e))
}

#[async_trait]
impl BusinessStore for SqliteStore {
    async fn put_business(&self, business: &Business) -> Result<(), StoreError> {
        self.write(|tx| put_business(tx, business))
    }

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM businesses WHERE id = ?1")
            .and_then(|mut statement| statement.query_row([id.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        document.as_deref().map(parse_business).transpose()
    }

    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError> {
        self.write(|tx| {
            for table in ["business_numbers", "webhook_secrets", "api_keys"] {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE business_id = ?1"))
                    .and_then(|mut statement| statement.execute([id.as_str()]))
                    .map_err(db)?;
            }
            tx.prepare_cached("DELETE FROM businesses WHERE id = ?1")
                .and_then(|mut statement| statement.execute([id.as_str()]))
                .map(|deleted| deleted > 0)
                .map_err(db)
        })
    }

    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT b.document FROM business_numbers n JOIN businesses b ON b.id = n.business_id
                 WHERE n.number = ?1").and_then(|mut statement| statement.query_row([number.as_str()],
                |row| row.get(0)))
            .optional()
            .map_err(db)?;
        document.as_deref().map(parse_business).transpose()
    }

    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError> {
        let conn = self.conn();
        // BINARY collation orders ids byte by byte, as `BusinessId`'s `Ord` does.
        let mut statement = conn
            .prepare_cached("SELECT document FROM businesses ORDER BY id")
            .map_err(db)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(db)?;
        rows.map(|row| {
            row.map_err(db)
                .and_then(|document| parse_business(&document))
        })
        .collect()
    }
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
                ],
                CallRow::read,
            )
            .map_err(db)?;
        let mut calls = rows
            .map(|row| row.map_err(db).and_then(CallRow::into_call))
            .collect::<Result<Vec<_>, _>>()?;
        let next = if calls.len() > limit {
            calls.truncate(limit);
            calls
                .last()
                .and_then(|c| c.started_at.map(|at| list_position(at, &c.sid)))
        } else {
            None
        };
        Ok(CallPage { calls, next })
    }
}

#[async_trait]
impl TranscriptionStore for SqliteStore {
    async fn attach_recording(
        &self,
        sid: &CallSid,
        recording: &Recording,
        transcribe: bool,
        now: OffsetDateTime,
    ) -> Result<RecordingAttach, StoreError> {
        self.write(|tx| attach_recording(tx, sid, recording, transcribe, now))
    }

    async fn claim_transcription_job(
        &self,
        sid: &CallSid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        // The state check and the change are one statement, so one claimant wins.
        let claimed = self
            .conn()
            .prepare_cached(
                "UPDATE calls SET transcription = 'queued', transcription_queued_at = ?2,
                     transcription_queued_at_ns = ?3
                 WHERE sid = ?1 AND transcription = 'pending'",
            )
            .and_then(|mut statement| {
                statement.execute(params![sid.as_str(), format_time(now), time_ns(now)])
            })
            .map_err(db)?;
        Ok(claimed == 1)
    }

    async fn release_transcription_job(&self, sid: &CallSid) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE calls SET transcription = 'pending', transcription_queued_at = NULL,
                     transcription_queued_at_ns = NULL
                 WHERE sid = ?1 AND transcription = 'queued'",
            )
            .and_then(|mut statement| statement.execute([sid.as_str()]))
            .map_err(db)?;
        Ok(())
    }

    async fn transcription_backlog(
        &self,
        stale_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Call>, StoreError> {
        transcription_backlog(&self.conn(), stale_before, limit)
    }

    async fn set_recording_copy(&self, sid: &CallSid, key: &str) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO call_media (call_sid, recording_key) VALUES (?1, ?2)
                 ON CONFLICT (call_sid) DO UPDATE SET recording_key = excluded.recording_key",
            )
            .and_then(|mut statement| statement.execute(params![sid.as_str(), key]))
            .map_err(db)?;
        Ok(())
    }

    async fn finish_transcription(
        &self,
        sid: &CallSid,
        outcome: &TranscriptionOutcome,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            // The state check and the change are one statement, so one finisher wins.
            let changed = tx
                .prepare_cached(
                    "UPDATE calls SET transcription = ?2
                     WHERE sid = ?1 AND transcription IN ('pending', 'queued')",
                )
                .and_then(|mut statement| {
                    statement.execute(params![sid.as_str(), outcome.state().as_str()])
                })
                .map_err(db)?;
            if changed == 0 {
                return Ok(false);
            }
            let (transcript, language, reason) = match outcome {
                TranscriptionOutcome::Ready {
                    transcript,
                    language,
                } => (Some(transcript.as_str()), language.as_deref(), None),
                TranscriptionOutcome::Failed { reason }
                | TranscriptionOutcome::Skipped { reason } => (None, None, Some(reason.as_str())),
            };
            tx.prepare_cached(
                "INSERT INTO call_media (call_sid, transcript, language, reason, finished_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (call_sid) DO UPDATE SET transcript = excluded.transcript,
                     language = excluded.language, reason = excluded.reason,
                     finished_at = excluded.finished_at",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    sid.as_str(),
                    transcript,
                    language,
                    reason,
                    format_time(at)
                ])
            })
            .map_err(db)?;
            Ok(true)
        })
    }

    async fn call_media(&self, sid: &CallSid) -> Result<Option<CallMedia>, StoreError> {
        let row: Option<(
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        )> = self
            .conn()
            .prepare_cached(
                "SELECT recording_key, transcript, language, reason, finished_at
                 FROM call_media WHERE call_sid = ?1",
            )
            .and_then(|mut statement| {
                statement.query_row([sid.as_str()], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })
            })
            .optional()
            .map_err(db)?;
        row.map(
            |(recording_key, transcript, language, reason, finished_at)| {
                Ok(CallMedia {
                    recording_key,
                    transcript,
                    language,
                    reason,
                    finished_at: parse_optional_time(finished_at)?,
                })
            },
        )
        .transpose()
    }
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn delivery(
        &self,
        sid: &CallSid,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM deliveries WHERE call_sid = ?1 AND event_id = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![sid.as_str(), event_id], |row| row.get(0))
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
                statement.execute(params![log.call_sid.as_str(), log.event_id, document])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO webhook_secrets (business_id, secret) VALUES (?1, ?2)
                 ON CONFLICT (business_id) DO UPDATE SET secret = excluded.secret",
            )
            .and_then(|mut statement| {
                statement.execute(params![business.as_str(), secret.expose()])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        let secret: Option<String> = self
            .conn()
            .prepare_cached("SELECT secret FROM webhook_secrets WHERE business_id = ?1")
            .and_then(|mut statement| statement.query_row([business.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        Ok(secret.and_then(Secret::new))
    }
}

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO api_keys (key_hash, business_id, created_at)
                 VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    key.as_str(),
                    business.as_str(),
                    format_time(created_at)
                ])
            })
            .map_err(db)?;
            let owner: String = tx
                .prepare_cached("SELECT business_id FROM api_keys WHERE key_hash = ?1")
                .and_then(|mut statement| statement.query_row([key.as_str()], |row| row.get(0)))
                .map_err(db)?;
            if owner == business.as_str() {
                Ok(())
            } else {
                Err(StoreError::ApiKeyTaken)
            }
        })
    }

    async fn business_by_api_key(
        &self,
        key: &ApiKeyHash,
    ) -> Result<Option<BusinessId>, StoreError> {
        let owner: Option<String> = self
            .conn()
            .prepare_cached("SELECT business_id FROM api_keys WHERE key_hash = ?1")
            .and_then(|mut statement| statement.query_row([key.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        owner
            .map(|id| BusinessId::parse(&id).map_err(|e| corrupt("API key owner", e)))
            .transpose()
    }
}

#[async_trait]
impl RateStore for SqliteStore {
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError> {
        count_call_attempt(&self.conn(), business, from, minute_start)
    }
}
