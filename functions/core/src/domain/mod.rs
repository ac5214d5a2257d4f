//! The domain: identifiers parsed at the edge, businesses, calls and their status machines,
//! recordings and their transcription, outbound placements, messages, business events, API keys, and booking:
//! settings, the free-slot engine, appointments and their follow-ups.

pub mod alert;
pub mod api_key;
pub mod appointment;
pub mod booking;
pub mod business;
pub mod call;
pub mod conversation;
pub mod delivery;
pub mod follow_up;
pub mod ids;
pub mod inbox;
pub mod message;
pub mod placement;
pub mod reminder;
pub mod time;
pub mod token;
pub mod transcription;

pub use alert::{
    AlertAttempt, AlertKind, AlertRecord, AlertSettings, AlertState, CallerLookup, EmailAddress,
    Intent, QuietHours, Recipient, Triage, TriageSource, Urgency,
};
pub use api_key::{ApiKey, ApiKeyHash};
pub use appointment::{
    Appointment, AppointmentId, AppointmentStatus, Channel, NewAppointment, RequestKey,
};
pub use business::{Business, CallGoal, RecordSettings, VoiceMode};
pub use call::{
    Call, CallEvent, CallOutcome, CallStart, CallStatus, Direction, PlacedBy, Recording,
    StatusUpdate, TranscriptionState,
};
pub use conversation::{Conversation, ConversationKey};
pub use delivery::{DeliveryAttempt, DeliveryLog, DeliveryState, Subject};
pub use follow_up::{
    CalendarAction, CalendarSync, Confirmation, ConfirmationChannel, ConfirmationTemplate,
    FollowUpState, FollowUps, GoogleCalendar,
};
pub use ids::{BusinessId, CallSid, ParseError, PhoneNumber, RecordingSid};
pub use inbox::{FormKey, InboxSecret, InboxSession, SecretHash, SignInLink};
pub use message::{
    Media, MessageContent, MessageDirection, MessageEvent, MessageId, MessageSid, MessageStatus,
    MessageStatusUpdate, NewMessage, Provider, StoredMessage, Wamid, WhatsAppAddress,
};
pub use placement::{
    Hears, Placement, PlacementId, PlacementState, Purpose, Requester, MAX_SAY_CHARS,
};
pub use reminder::{
    Reminder, ReminderAnswer, ReminderChannel, ReminderKey, ReminderSettings, ReminderState,
};
pub use transcription::{CallMedia, TranscriptionOutcome};
