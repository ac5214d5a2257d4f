//! State: businesses, calls, their status events and recordings, transcriptions, deliveries,
//! API keys, WhatsApp messages, rate-limit and pacing counters, appointments, conversations, the
//! appointments' follow-ups, outbound call placements, the inbox's sign-in links and
//! sessions, the indexes that find a business's customers and words, and queue messages
//! parked while their queue was down.
//!
//! One small trait per aggregate ([`BusinessStore`], [`CallStore`], [`TranscriptionStore`],
//! [`DeliveryStore`], [`ApiKeyStore`], [`MessageStore`], [`RateStore`], [`AppointmentStore`],
//! [`ConversationStore`], [`FollowUpStore`], [`PlacementStore`],
//! [`ReminderStore`], [`InboxStore`], [`FindStore`], [`AlertStore`], [`ParkedStore`]), combined by the blanket
//! [`Store`] so the app hands out one `Arc<dyn Store>`. Two backends implement them all:
//! [`dynamodb::DynamoStore`] on AWS and [`sqlite::SqliteStore`] for `frontdesk serve`. Both pass
//! the one contract suite in `functions/core/tests/it/contract/`. Every write that a retried
//! webhook could repeat is conditional, so a duplicate has no second effect.
//!
//! Methods of the aggregate traits are callable on a `dyn Store` without importing them; on a
//! concrete store, import the traits used.

pub mod alerts;
mod api_keys;
mod appointments;
mod businesses;
mod calls;
mod conversations;
mod deliveries;
pub mod dynamodb;
pub mod find;
pub mod follow_ups;
mod inbox;
pub mod messages;
mod parked;
mod placements;
mod rates;
pub mod reminders;
#[cfg(feature = "embedded")]
pub mod sqlite;
mod transcription;

use time::OffsetDateTime;

use crate::domain::{BusinessId, PhoneNumber};
pub use alerts::{AlertStore, RECENT_ALERTS};
pub use api_keys::ApiKeyStore;
pub use appointments::{
    AppointmentPage, AppointmentQuery, AppointmentStore, Booking, Change, MAX_APPOINTMENT_PAGE,
};
pub use businesses::BusinessStore;
pub use calls::{list_position, CallPage, CallQuery, CallStore};
pub use conversations::ConversationStore;
pub use deliveries::DeliveryStore;
pub use find::FindStore;
pub use follow_ups::{FollowUp, FollowUpStore};
pub use inbox::InboxStore;
pub use messages::MessageStore;
pub use parked::{ParkedMessage, ParkedStore};
pub use placements::PlacementStore;
pub use rates::RateStore;
pub use reminders::ReminderStore;
pub use transcription::{RecordingAttach, TranscriptionStore};

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
    /// A request the store refuses to write because it breaks an invariant the caller owns
    /// (an appointment's block that does not hold its slot): a bug, not a conflict.
    #[error("refused: {0}")]
    Invalid(String),
}

/// Every aggregate's operations in one object. Implementations are cheap to share behind an
/// `Arc`.
pub trait Store:
    BusinessStore
    + CallStore
    + TranscriptionStore
    + DeliveryStore
    + ApiKeyStore
    + MessageStore
    + RateStore
    + AppointmentStore
    + ConversationStore
    + FollowUpStore
    + PlacementStore
    + ReminderStore
    + InboxStore
    + FindStore
    + AlertStore
    + ParkedStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: BusinessStore
        + CallStore
        + TranscriptionStore
        + DeliveryStore
        + ApiKeyStore
        + MessageStore
        + RateStore
        + AppointmentStore
        + ConversationStore
        + FollowUpStore
        + PlacementStore
        + ReminderStore
        + InboxStore
        + FindStore
        + AlertStore
        + ParkedStore
        + Send
        + Sync
        + 'static
{
}

/// A stored timestamp back to a time, or why the stored data is corrupt.
pub fn parse_time(value: &str) -> Result<OffsetDateTime, StoreError> {
    crate::domain::time::parse_time(value)
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{value}`: {e}")))
}

/// A stored RFC 3339 timestamp back to a [`jiff::Timestamp`] (the booking types' time), or why
/// the stored data is corrupt.
pub fn parse_timestamp(value: &str) -> Result<jiff::Timestamp, StoreError> {
    value
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{value}`: {e}")))
}
