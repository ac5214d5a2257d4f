//! The domain: identifiers parsed at the edge, businesses, calls and their status machines.

pub mod business;
pub mod call;
pub mod ids;

pub use business::{Business, CallGoal, RecordSettings, VoiceMode};
pub use call::{CallStatus, Direction, TranscriptionState};
pub use ids::{BusinessId, CallSid, ParseError, PhoneNumber, RecordingSid};
