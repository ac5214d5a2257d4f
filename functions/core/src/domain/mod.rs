//! The domain: identifiers parsed at the edge, businesses, calls and their status machines.

pub mod business;
pub mod call;
pub mod ids;
pub mod message;

pub use business::{Business, CallGoal, RecordSettings, VoiceMode};
pub use call::{CallStatus, Direction, TranscriptionState};
pub use ids::{BusinessId, CallSid, ParseError, PhoneNumber, RecordingSid};
pub use message::{
    MessageDirection, MessageId, MessageSid, MessageStatus, Provider, Wamid, WhatsAppAddress,
};
