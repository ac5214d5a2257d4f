//! What the `notify` queue carries: business events ([`NotifyJob`], unchanged on the queue) and
//! the booking outbox's follow-ups ([`FollowUpJob`]), told apart by a `job` field only
//! follow-ups have. So a job queued before follow-ups existed still parses as the event it was,
//! and one consumer gives every kind the same retries, backoff and dead-letter queue.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::alert::AlertJob;
use super::calendar::CalendarJob;
use super::confirmation::ConfirmationJob;
use super::deferred::DeferredWrite;
use super::notify::NotifyJob;
use super::reminder::ReminderJob;
use crate::domain::AppointmentId;
use crate::queue::{OutboundMessage, QueueName};

/// A follow-up of an appointment's change: `{"job": "calendar_sync", …}` or
/// `{"job": "confirmation", …}` or `{"job": "reminder", …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum FollowUpJob {
    CalendarSync(CalendarJob),
    Confirmation(ConfirmationJob),
    Reminder(ReminderJob),
}

impl FollowUpJob {
    /// Its kind, as the `job` field names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CalendarSync(_) => "calendar_sync",
            Self::Confirmation(_) => "confirmation",
            Self::Reminder(_) => "reminder",
        }
    }

    pub fn appointment_id(&self) -> &AppointmentId {
        match self {
            Self::CalendarSync(job) => &job.appointment.id,
            Self::Confirmation(job) => &job.appointment.id,
            Self::Reminder(job) => &job.appointment_id,
        }
    }

    pub fn message(&self) -> OutboundMessage {
        // Starts with the appointment's id, as an event's does: a FIFO queue groups by it.
        let dedup_id = match self {
            Self::CalendarSync(job) => job.dedup_id(),
            Self::Confirmation(job) => job.dedup_id(),
            Self::Reminder(job) => job.dedup_id(),
        };
        OutboundMessage {
            queue: QueueName::Notify,
            dedup_id,
            body: serde_json::to_string(self).expect("a job always serialises"),
        }
    }
}

/// One message of the `notify` queue.
#[derive(Clone, Debug, PartialEq)]
pub enum NotifyMessage {
    Event(NotifyJob),
    FollowUp(FollowUpJob),
    /// An owner alert (`"job": "alert"`).
    Alert(AlertJob),
    /// A webhook's write the store could not take (`"job": "deferred_write"`).
    Deferred(DeferredWrite),
}

impl<'de> Deserialize<'de> for NotifyMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let job = value.get("job").and_then(serde_json::Value::as_str);
        if job == Some(AlertJob::JOB) {
            AlertJob::deserialize(value)
                .map(Self::Alert)
                .map_err(D::Error::custom)
        } else if job == Some(DeferredWrite::JOB) {
            DeferredWrite::deserialize(value)
                .map(Self::Deferred)
                .map_err(D::Error::custom)
        } else if value.get("job").is_some() {
            FollowUpJob::deserialize(value)
                .map(Self::FollowUp)
                .map_err(D::Error::custom)
        } else {
            NotifyJob::deserialize(value)
                .map(Self::Event)
                .map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::notify::AppointmentEvent;

    fn appointment() -> crate::domain::Appointment {
        serde_json::from_value(serde_json::json!({
            "id": "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f", "business_id": "acme",
            "service": "checkup",
            "slot": {"start": "2026-11-22T08:00:00Z", "end": "2026-11-22T08:30:00Z"},
            "block": {"start": "2026-11-22T08:00:00Z", "end": "2026-11-22T08:40:00Z"},
            "timezone": "Asia/Jerusalem", "phone": "+972501234567", "name": null,
            "channel": "voice", "source": "voice:CA1:confirm", "status": "booked",
            "version": 1, "created_at": "2026-11-20T08:00:00Z",
            "updated_at": "2026-11-20T08:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn events_queued_before_follow_ups_still_parse_as_events() {
        for body in [
            r#"{"event":"call.completed","call_sid":"CA9","business_id":"acme","trigger":"call_ended"}"#,
            r#"{"event":"call.verification_code","call_sid":"CA9","business_id":null,"trigger":"gather","digits":"123456"}"#,
        ] {
            let message: NotifyMessage = serde_json::from_str(body).unwrap();
            assert!(matches!(message, NotifyMessage::Event(_)), "{body}");
        }
        let booked = NotifyJob::booked(&appointment()).message();
        assert_eq!(
            serde_json::from_str::<NotifyMessage>(&booked.body).unwrap(),
            NotifyMessage::Event(NotifyJob::booked(&appointment()))
        );
    }

    #[test]
    fn follow_ups_round_trip_with_their_kind_and_dedup_ids() {
        let a = appointment();
        let sync = FollowUpJob::CalendarSync(CalendarJob::new(AppointmentEvent::Booked, &a));
        let message = sync.message();
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
        assert_eq!(body["job"], "calendar_sync");
        assert_eq!(body["change"], "appointment.booked");
        assert_eq!(
            message.dedup_id,
            format!("{}:calendar:appointment.booked:v1", a.id)
        );
        assert_eq!(
            serde_json::from_str::<NotifyMessage>(&message.body).unwrap(),
            NotifyMessage::FollowUp(sync)
        );
        let confirm = FollowUpJob::Confirmation(ConfirmationJob::new(&a));
        assert_eq!(confirm.message().dedup_id, format!("{}:confirmation", a.id));
        assert_eq!(confirm.kind(), "confirmation");
        assert_eq!(
            serde_json::from_str::<NotifyMessage>(&confirm.message().body).unwrap(),
            NotifyMessage::FollowUp(confirm)
        );
        let unknown = r#"{"job":"fax","appointment":{}}"#;
        assert!(serde_json::from_str::<NotifyMessage>(unknown).is_err());
    }
}
