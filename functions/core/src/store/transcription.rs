//! A call's recording and its transcription: attaching the recording, the work-list of jobs to
//! (re)send, and the stored copy and transcript.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::domain::{
    Call, CallMedia, CallSid, Recording, TranscriptionOutcome, TranscriptionState,
};

/// What attaching a recording did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordingAttach {
    /// First time this recording was seen: stored, transcription `pending` (or `skipped`).
    Attached,
    /// Already stored; nothing changed. The current transcription state is given so the caller
    /// can tell whether a job still needs sending.
    AlreadyAttached(Option<TranscriptionState>),
}

#[async_trait]
pub trait TranscriptionStore: Send + Sync {
    /// Stores a recording on a call (creating the call if unknown) with transcription `pending`,
    /// or `skipped` when `transcribe` is false. Conditional: a recording already attached is
    /// left as it is.
    async fn attach_recording(
        &self,
        sid: &CallSid,
        recording: &Recording,
        transcribe: bool,
        now: OffsetDateTime,
    ) -> Result<RecordingAttach, StoreError>;

    /// Claims the right to send the transcription job: `pending` → `queued`, conditionally.
    /// Exactly one of any number of concurrent callers gets `true`.
    async fn claim_transcription_job(
        &self,
        sid: &CallSid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Gives a claim back after the job could not be sent: `queued` → `pending`, so the
    /// reconciler sends it later.
    async fn release_transcription_job(&self, sid: &CallSid) -> Result<(), StoreError>;

    /// Calls whose job must be (re)sent: `pending`, or `queued` before `stale_before` and
    /// never finished. At most `limit`, oldest first.
    async fn transcription_backlog(
        &self,
        stale_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Call>, StoreError>;

    /// Keeps the recording copy's blob key on the call.
    async fn set_recording_copy(&self, sid: &CallSid, key: &str) -> Result<(), StoreError>;

    /// Ends a call's transcription (`ready`, `failed` or `skipped`) if it is still `pending` or
    /// `queued`, storing the result and leaving the backlog in the same write. `Ok(false)`: it
    /// had already ended (a redelivered job), and nothing changed.
    async fn finish_transcription(
        &self,
        sid: &CallSid,
        outcome: &TranscriptionOutcome,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// The call's recording copy and transcript, if any was stored.
    async fn call_media(&self, sid: &CallSid) -> Result<Option<CallMedia>, StoreError>;
}
