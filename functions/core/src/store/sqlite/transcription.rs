//! A call's recording and transcription: the state on the call's row, and the `call_media` row.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::calls::ensure_call;
use super::row::{db, parse_optional_time, parse_transcription, time_ns, CallRow, CALL_COLUMNS};
use super::SqliteStore;
use crate::domain::time::format_time;
use crate::domain::{
    Call, CallMedia, CallSid, Recording, TranscriptionOutcome, TranscriptionState,
};
use crate::store::{RecordingAttach, StoreError, TranscriptionStore};

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
            if let Some(transcript) = transcript {
                super::find::index_transcript(tx, sid, transcript)?;
            }
            Ok(true)
        })
    }

    async fn call_media(&self, sid: &CallSid) -> Result<Option<CallMedia>, StoreError> {
        type MediaRow = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<MediaRow> = self
            .conn()
            .prepare_cached(
                "SELECT recording_key, transcript, language, reason, finished_at, triage
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
                        row.get(5)?,
                    ))
                })
            })
            .optional()
            .map_err(db)?;
        row.map(
            |(recording_key, transcript, language, reason, finished_at, triage)| {
                Ok(CallMedia {
                    recording_key,
                    transcript,
                    language,
                    reason,
                    finished_at: parse_optional_time(finished_at)?,
                    triage: triage
                        .map(|t| serde_json::from_str(&t))
                        .transpose()
                        .map_err(|e| super::row::corrupt("call triage", e))?,
                })
            },
        )
        .transpose()
    }
}
