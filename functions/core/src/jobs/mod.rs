//! The jobs Frontdesk puts on its queues, one module per kind of work. A job carries what its
//! consumer needs and knows its queue and deduplication id ([`crate::queue::OutboundMessage`]).

pub mod notify;
pub mod transcription;

pub use notify::{
    AppointmentEvent, AppointmentJob, AppointmentSnapshot, CallJob, EventType, NotifyJob, Trigger,
};
pub use transcription::TranscriptionJob;
