//! The `notify` queue's job: one business event, about a call or an appointment.
//!
//! A call's job is on the queue exactly as it was before appointments had events
//! (`{"event": "call.completed", "call_sid", "business_id", "trigger", "digits"}`), so jobs
//! queued during a deploy still process. An appointment's job carries the appointment as it
//! stood when the change happened: a later change raises its own event, and the payload of this
//! one never moves.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::booking::engine::Slot;
use crate::domain::booking::settings::ServiceId;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, CallSid, Channel, PhoneNumber,
    Subject,
};
use crate::queue::{OutboundMessage, QueueName};

/// A call's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "call.completed")]
    CallCompleted,
    #[serde(rename = "call.verification_code")]
    VerificationCode,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CallCompleted => "call.completed",
            Self::VerificationCode => "call.verification_code",
        }
    }

    fn id_suffix(self) -> &'static str {
        match self {
            Self::CallCompleted => "completed",
            Self::VerificationCode => "verification_code",
        }
    }
}

/// An appointment's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppointmentEvent {
    #[serde(rename = "appointment.booked")]
    Booked,
    #[serde(rename = "appointment.cancelled")]
    Cancelled,
    #[serde(rename = "appointment.rescheduled")]
    Rescheduled,
}

impl AppointmentEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "appointment.booked",
            Self::Cancelled => "appointment.cancelled",
            Self::Rescheduled => "appointment.rescheduled",
        }
    }
}

/// What queued a call's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The call's final status arrived.
    CallEnded,
    /// The recording's transcription ended.
    Transcription,
    /// `<Gather>` received digits.
    Gather,
}

/// A call's event. Its payload is built at delivery time from the store, so it holds the
/// latest transcript and a fresh recording link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallJob {
    pub event: EventType,
    pub call_sid: CallSid,
    pub business_id: Option<BusinessId>,
    pub trigger: Trigger,
    #[serde(default)]
    pub digits: Option<String>,
}

/// What an appointment's event tells. Its own type rather than [`Appointment`], so the store's
/// record can grow without changing what is on the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentSnapshot {
    pub id: AppointmentId,
    pub business_id: BusinessId,
    pub service: ServiceId,
    pub slot: Slot,
    /// The business's IANA zone, in which the event shows the times.
    pub timezone: String,
    pub phone: PhoneNumber,
    pub name: Option<String>,
    pub channel: Channel,
    pub status: AppointmentStatus,
    pub version: u32,
}

impl From<&Appointment> for AppointmentSnapshot {
    fn from(a: &Appointment) -> Self {
        Self {
            id: a.id.clone(),
            business_id: a.business_id.clone(),
            service: a.service.clone(),
            slot: a.slot,
            timezone: a.timezone.clone(),
            phone: a.phone.clone(),
            name: a.name.clone(),
            channel: a.channel,
            status: a.status,
            version: a.version,
        }
    }
}

/// An appointment's event: the appointment after the change, and for a reschedule the slot it
/// left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentJob {
    pub event: AppointmentEvent,
    pub appointment: AppointmentSnapshot,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Slot>,
}

/// A business event to deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum NotifyJob {
    Call(CallJob),
    Appointment(AppointmentJob),
}

/// Chosen by the event's name rather than by trying each shape, so a malformed job is refused
/// with the reason its own kind gives.
impl<'de> Deserialize<'de> for NotifyJob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let about_appointment = value
            .get("event")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|event| event.starts_with("appointment."));
        if about_appointment {
            AppointmentJob::deserialize(value)
                .map(Self::Appointment)
                .map_err(D::Error::custom)
        } else {
            CallJob::deserialize(value)
                .map(Self::Call)
                .map_err(D::Error::custom)
        }
    }
}

impl NotifyJob {
    pub fn call_completed(
        call_sid: CallSid,
        business_id: Option<BusinessId>,
        trigger: Trigger,
    ) -> Self {
        Self::Call(CallJob {
            event: EventType::CallCompleted,
            call_sid,
            business_id,
            trigger,
            digits: None,
        })
    }

    pub fn verification_code(
        call_sid: CallSid,
        business_id: Option<BusinessId>,
        digits: String,
    ) -> Self {
        Self::Call(CallJob {
            event: EventType::VerificationCode,
            call_sid,
            business_id,
            trigger: Trigger::Gather,
            digits: Some(digits),
        })
    }

    /// `appointment.booked`, for the appointment the booking stored.
    pub fn booked(appointment: &Appointment) -> Self {
        Self::appointment(AppointmentEvent::Booked, appointment, None)
    }

    /// `appointment.cancelled`, for the appointment as the cancellation left it.
    pub fn cancelled(appointment: &Appointment) -> Self {
        Self::appointment(AppointmentEvent::Cancelled, appointment, None)
    }

    /// `appointment.rescheduled`, for the appointment as the reschedule left it (new slot, new
    /// version) and the slot it had before.
    pub fn rescheduled(appointment: &Appointment, previous: Slot) -> Self {
        Self::appointment(AppointmentEvent::Rescheduled, appointment, Some(previous))
    }

    fn appointment(
        event: AppointmentEvent,
        appointment: &Appointment,
        previous: Option<Slot>,
    ) -> Self {
        Self::Appointment(AppointmentJob {
            event,
            appointment: appointment.into(),
            previous,
        })
    }

    /// The event's name, `type` in its body.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Call(job) => job.event.as_str(),
            Self::Appointment(job) => job.event.as_str(),
        }
    }

    /// What the event is about, which keeps its delivery log.
    pub fn subject(&self) -> Subject {
        match self {
            Self::Call(job) => Subject::Call(job.call_sid.clone()),
            Self::Appointment(job) => Subject::Appointment(job.appointment.id.clone()),
        }
    }

    /// The event's id (`webhook-id`): the same on every attempt and every repeat of one change,
    /// different for two changes. An appointment is booked and cancelled at most once, but may
    /// be rescheduled many times, each to a new version.
    pub fn event_id(&self) -> String {
        match self {
            Self::Call(job) => format!("evt_{}_{}", job.call_sid, job.event.id_suffix()),
            Self::Appointment(job) => {
                let id = &job.appointment.id;
                match job.event {
                    AppointmentEvent::Booked => format!("evt_{id}_booked"),
                    AppointmentEvent::Cancelled => format!("evt_{id}_cancelled"),
                    AppointmentEvent::Rescheduled => {
                        format!("evt_{id}_rescheduled_v{}", job.appointment.version)
                    }
                }
            }
        }
    }

    pub fn message(&self) -> OutboundMessage {
        // A dedup id starts with the subject: a FIFO queue groups by it, so one subject's
        // events keep their order.
        let dedup_id = match self {
            Self::Call(job) => {
                let trigger = match job.trigger {
                    Trigger::CallEnded => "ended",
                    Trigger::Transcription => "transcribed",
                    Trigger::Gather => "gather",
                };
                format!("{}:{}:{trigger}", job.call_sid, job.event.as_str())
            }
            Self::Appointment(job) => format!(
                "{}:{}:v{}",
                job.appointment.id,
                job.event.as_str(),
                job.appointment.version
            ),
        };
        OutboundMessage {
            queue: QueueName::Notify,
            dedup_id,
            body: serde_json::to_string(self).expect("a job always serialises"),
        }
    }
}

#[cfg(test)]
mod tests;
