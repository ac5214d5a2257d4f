//! The jobs Frontdesk puts on its queues, one module per kind of work. A job carries what its
//! consumer needs and knows its queue and deduplication id ([`crate::queue::OutboundMessage`]).
//! The `notify` queue carries business events and the booking outbox's follow-ups (calendar
//! sync, confirmation, reminders), owner alerts and the writes the store could not take
//! ([`deferred`]) side by side ([`outbox::NotifyMessage`]).

pub mod alert;
pub mod calendar;
pub mod confirmation;
pub mod deferred;
pub mod notify;
pub mod outbox;
pub mod reminder;
pub mod transcription;

pub use alert::{AlertAbout, AlertJob};
pub use calendar::CalendarJob;
pub use confirmation::ConfirmationJob;
pub use deferred::DeferredWrite;
pub use notify::{
    AppointmentEvent, AppointmentJob, AppointmentSnapshot, CallJob, EventType, NotifyJob, Trigger,
};
pub use outbox::{FollowUpJob, NotifyMessage};
pub use reminder::ReminderJob;
pub use transcription::TranscriptionJob;
