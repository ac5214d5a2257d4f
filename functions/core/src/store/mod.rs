//! State: businesses, calls, their status events and recordings, rate-limit counters.
//!
//! One trait, two backends: [`dynamodb::DynamoStore`] on AWS and [`sqlite::SqliteStore`] for
//! `frontdesk serve`. Both pass the one contract suite in `functions/core/tests/contract/`.
//! Every write that a retried webhook could repeat is conditional, so a duplicate has no
//! second effect.

pub mod dynamodb;
pub mod messages;
#[cfg(feature = "embedded")]
pub mod sqlite;
pub mod work;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::config::Secret;
use crate::domain::{
    ApiKeyHash, Business, BusinessId, Call, CallEvent, CallMedia, CallSid, CallStart, DeliveryLog,
    PhoneNumber, Recording, StatusUpdate, TranscriptionOutcome, TranscriptionState,
};
pub use work::{list_position, CallPage, CallQuery};

/// A backend failure. Handlers degrade on it (safe TwiML, fail-open limits); they never
/// turn it into a 5xx for Twilio.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or timed out.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// An API key hash is already held by another business.
    #[error("API key already belongs to another business")]
    ApiKeyTaken,
    /// A phone number already belongs to another business.
    #[error("phone number {number} already belongs to business {owner}")]
    NumberTaken {
        number: PhoneNumber,
        owner: BusinessId,
    },
    /// Stored data could not be read back (a bug or a hand edit).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A listing cursor that this store did not hand out.
    #[error("cursor `{0}` is not valid")]
    BadCursor(String),
}

/// What attaching a recording did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordingAttach {
    /// First time this recording was seen: stored, transcription `pending` (or `skipped`).
    Attached,
    /// Already stored; nothing changed. The current transcription state is given so the caller
    /// can tell whether a job still needs sending.
    AlreadyAttached(Option<TranscriptionState>),
}

/// The store's operations. Implementations are cheap to share behind an `Arc`.
#[async_trait]
pub trait Store: messages::MessageStore + Send + Sync + 'static {
    /// Creates or replaces a business and claims its phone numbers. A number another business
    /// holds is refused with [`StoreError::NumberTaken`]; numbers the business dropped are freed.
    async fn put_business(&self, business: &Business) -> Result<(), StoreError>;

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError>;

    /// Deletes a business, frees its phone numbers and revokes its API keys and webhook secret;
    /// its calls and messages stay as history. `Ok(false)`: there was no such business.
    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError>;

    /// The business that owns `number`, through the phone-number index.
    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError>;

    /// Every business, ordered by id.
    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError>;

    /// Records a call's start. Idempotent: if the call exists (a retry, or a status callback
    /// that arrived first), only fields still unset are filled and the status follows the
    /// status ranking.
    async fn record_call_start(&self, start: &CallStart) -> Result<(), StoreError>;

    async fn call(&self, sid: &CallSid) -> Result<Option<Call>, StoreError>;

    /// Applies a status callback monotonically (see [`crate::domain::call::status_advances`]),
    /// creating the call when first seen, and keeps the callback as an event. The same
    /// callback twice stores one event. Returns whether the call's status changed.
    async fn apply_call_status(&self, update: &StatusUpdate) -> Result<bool, StoreError>;

    /// Every stored status callback of a call, in sequence (else time) order.
    async fn call_events(&self, sid: &CallSid) -> Result<Vec<CallEvent>, StoreError>;

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

    /// Stores `RecordingStatus` (completed, absent, failed) from the recording status callback.
    async fn set_recording_status(&self, sid: &CallSid, status: &str) -> Result<(), StoreError>;

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

    /// Stores digits captured by `<Gather>`.
    async fn store_gathered_digits(&self, sid: &CallSid, digits: &str) -> Result<(), StoreError>;

    /// Atomically counts one call attempt from `from` to `business` in the minute starting at
    /// `minute_start` (Unix seconds) and returns the count so far. Counters expire.
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError>;

    /// Keeps an API key (by its hash) for `business`. A business may hold several keys, so one
    /// can be rotated without downtime. Storing the same hash again for the same business is
    /// harmless; for another business it is [`StoreError::ApiKeyTaken`].
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The business holding the API key with this hash.
    async fn business_by_api_key(&self, key: &ApiKeyHash)
        -> Result<Option<BusinessId>, StoreError>;

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

    /// Sets the secret (`whsec_…`) that signs the business's webhooks.
    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError>;

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError>;

    /// The delivery log of an event.
    async fn delivery(
        &self,
        sid: &CallSid,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError>;

    /// Creates or replaces an event's delivery log.
    async fn put_delivery(&self, log: &DeliveryLog) -> Result<(), StoreError>;

    /// A business's calls with a known start, newest first, filtered, one page at a time.
    async fn list_calls(
        &self,
        business: &BusinessId,
        query: &CallQuery,
    ) -> Result<CallPage, StoreError>;
}

/// A stored timestamp back to a time, or why the stored data is corrupt.
pub fn parse_time(value: &str) -> Result<OffsetDateTime, StoreError> {
    crate::domain::time::parse_time(value)
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{value}`: {e}")))
}
