//! Business events on their way to the business's webhook: the delivery log of each event.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::appointment::AppointmentId;
use super::ids::{BusinessId, CallSid};

/// What a business event is about; its delivery log is kept with it.
///
/// In a log's JSON the subject is one field, `call_sid` or `appointment_id`, so logs written
/// before appointments had events (all `call_sid`) read unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    #[serde(rename = "call_sid")]
    Call(CallSid),
    #[serde(rename = "appointment_id")]
    Appointment(AppointmentId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Call(sid) => write!(f, "call {sid}"),
            Self::Appointment(id) => write!(f, "appointment {id}"),
        }
    }
}

/// Where a business event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Attempted, will be retried.
    Retrying,
    Delivered,
    /// Given up: a non-retryable answer, or every retry used.
    Failed,
    /// Nowhere to send it (no webhook URL or no signing secret).
    Skipped,
}

impl DeliveryState {
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Retrying)
    }
}

/// One delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why no answer came (timeout, connection refused), if none did.
    pub error: Option<String>,
    pub latency_ms: u64,
}

/// The log of one business event (`webhook-id` = `event_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub event_id: String,
    pub event_type: String,
    #[serde(flatten)]
    pub subject: Subject,
    pub business_id: Option<BusinessId>,
    pub url: Option<String>,
    /// Why this URL was chosen (or why none was).
    pub route: String,
    pub state: DeliveryState,
    pub attempts: Vec<DeliveryAttempt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(subject: Subject) -> DeliveryLog {
        DeliveryLog {
            event_id: "evt_1".into(),
            event_type: "call.completed".into(),
            subject,
            business_id: None,
            url: None,
            route: "no inbound/generic webhook URL set".into(),
            state: DeliveryState::Skipped,
            attempts: vec![],
        }
    }

    #[test]
    fn a_log_written_before_subjects_reads_as_a_call_log() {
        let stored = r#"{"event_id":"evt_1","event_type":"call.completed","call_sid":"CA9",
            "business_id":null,"url":null,"route":"no inbound/generic webhook URL set",
            "state":"skipped","attempts":[]}"#;
        let read: DeliveryLog = serde_json::from_str(stored).unwrap();
        let call = log(Subject::Call(CallSid::parse("CA9").unwrap()));
        assert_eq!(read, call);
        let written: serde_json::Value = serde_json::to_value(&call).unwrap();
        assert_eq!(
            written,
            serde_json::from_str::<serde_json::Value>(stored).unwrap()
        );
    }

    #[test]
    fn an_appointment_log_names_its_appointment() {
        let id = AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap();
        let appointment = log(Subject::Appointment(id.clone()));
        let written = serde_json::to_value(&appointment).unwrap();
        assert_eq!(written["appointment_id"], id.as_str());
        assert!(written.get("call_sid").is_none());
        let read: DeliveryLog = serde_json::from_value(written).unwrap();
        assert_eq!(read, appointment);
    }
}
