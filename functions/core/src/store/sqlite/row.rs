//! SQLite errors as store errors, and rows back to domain values.

use rusqlite::{ErrorCode, Row};
use time::OffsetDateTime;

pub(super) use crate::domain::time::time_ns;

/// [`time_ns`] for a [`jiff::Timestamp`]: Unix nanoseconds, saturating outside i64.
pub(super) fn timestamp_ns(at: jiff::Timestamp) -> i64 {
    let nanos = at.as_nanosecond();
    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

use crate::domain::{
    AppointmentId, BusinessId, Call, CallSid, CallStatus, Direction, Recording, RecordingSid,
    TranscriptionState,
};
use crate::store::{parse_time, StoreError};

/// Maps a SQLite failure: damaged files and unreadable values are corrupt, the rest
/// (locks, I/O, a full disk) is the backend being unavailable.
pub(super) fn db(err: rusqlite::Error) -> StoreError {
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

pub(super) fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

pub(super) fn parse_status(value: &str) -> Result<CallStatus, StoreError> {
    CallStatus::parse(value).ok_or_else(|| corrupt("call status", value))
}

pub(super) fn parse_transcription(
    value: Option<String>,
) -> Result<Option<TranscriptionState>, StoreError> {
    value
        .map(|v| TranscriptionState::parse(&v).ok_or_else(|| corrupt("transcription state", v)))
        .transpose()
}

pub(super) fn parse_optional_time(
    value: Option<String>,
) -> Result<Option<OffsetDateTime>, StoreError> {
    value.as_deref().map(parse_time).transpose()
}

pub(super) const CALL_COLUMNS: &str =
    "sid, business_id, from_number, to_number, direction, caller_name, status, \
     status_sequence, started_at, ended_at, duration_seconds, recording_sid, recording_url, \
     recording_duration_seconds, recording_digits, recording_status, transcription, \
     transcription_queued_at, gathered_digits, purpose, requested_by, answered_by, handled, \
     appointment_id";

/// A `calls` row as SQLite holds it; [`CallRow::into_call`] checks it into a [`Call`].
pub(super) struct CallRow {
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
    purpose: Option<String>,
    requested_by: Option<String>,
    answered_by: Option<String>,
    handled: bool,
    appointment_id: Option<String>,
}

impl CallRow {
    /// Reads the columns of [`CALL_COLUMNS`], in that order.
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
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
            purpose: row.get(19)?,
            requested_by: row.get(20)?,
            answered_by: row.get(21)?,
            handled: row.get(22)?,
            appointment_id: row.get(23)?,
        })
    }

    pub(super) fn into_call(self) -> Result<Call, StoreError> {
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
            purpose: self.purpose,
            requested_by: self.requested_by,
            answered_by: self.answered_by,
            handled: self.handled,
            appointment_id: self
                .appointment_id
                .map(|id| AppointmentId::parse(&id).map_err(|e| corrupt("call appointment", e)))
                .transpose()?,
        })
    }
}
