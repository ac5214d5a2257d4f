//! A stored reminder: one per appointment and offset, with when it is due, the start it
//! reminds of (a reschedule replaces it), where it stands, what its send did (the same record
//! a confirmation keeps) and the customer's answer.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::follow_up::Confirmation;
use crate::domain::{AppointmentId, BusinessId, CallSid};

/// Which reminder: the appointment and the offset in minutes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReminderKey {
    pub appointment_id: AppointmentId,
    pub offset_minutes: u32,
}

/// Where a reminder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderState {
    /// Waiting for its due time (only these are in the due index).
    Pending,
    /// Claimed by the scan (or `send-now`): its job is on the notify queue.
    Queued,
    /// The provider was down or throttling; the queue tries again.
    Retrying,
    Sent,
    /// Refused, or every receive used.
    Failed,
    /// Not sent: the appointment was cancelled, moved or has started.
    Skipped,
}

impl ReminderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Queued => "queued",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    /// Nothing more will be done: a redelivered job finds it so and sends nothing.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Sent | Self::Failed | Self::Skipped)
    }
}

/// What the customer answered to a reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderAnswer {
    Confirmed,
    Cancelled,
}

impl ReminderAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub appointment_id: AppointmentId,
    pub business_id: BusinessId,
    pub offset_minutes: u32,
    /// The appointment's start this reminder is for.
    pub start: Timestamp,
    /// When it goes out (inside the outreach window).
    pub due: Timestamp,
    pub state: ReminderState,
    /// What its send did: channel, provider, message, error.
    #[serde(default)]
    pub outcome: Option<Confirmation>,
    /// A WhatsApp reminder sent as an SMS because no template was configured.
    #[serde(default)]
    pub fell_back_to_sms: bool,
    /// Why it was skipped.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub answer: Option<ReminderAnswer>,
    #[serde(default)]
    pub answered_at: Option<Timestamp>,
    /// The call a voice reminder placed.
    #[serde(default)]
    pub call_sid: Option<CallSid>,
}

impl Reminder {
    /// A reminder waiting for `due`.
    pub fn pending(
        appointment_id: &AppointmentId,
        business_id: &BusinessId,
        offset_minutes: u32,
        start: Timestamp,
        due: Timestamp,
    ) -> Self {
        Self {
            appointment_id: appointment_id.clone(),
            business_id: business_id.clone(),
            offset_minutes,
            start,
            due,
            state: ReminderState::Pending,
            outcome: None,
            fell_back_to_sms: false,
            reason: None,
            answer: None,
            answered_at: None,
            call_sid: None,
        }
    }

    pub fn key(&self) -> ReminderKey {
        ReminderKey {
            appointment_id: self.appointment_id.clone(),
            offset_minutes: self.offset_minutes,
        }
    }
}
