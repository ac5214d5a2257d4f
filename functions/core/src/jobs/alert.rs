//! The `notify` queue's owner alerts: one job per alert and recipient
//! (`{"job": "alert", "business_id", "about": {…}, "recipient": {…}}`). The job names what the
//! alert is about; its words are written when it goes out, from the call as it then stands.

use serde::{Deserialize, Serialize};

use super::notify::{AppointmentEvent, AppointmentSnapshot};
use crate::domain::{BusinessId, CallSid, Recipient};
use crate::queue::{OutboundMessage, QueueName};

/// What an alert is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertAbout {
    /// A finished inbound call: a voicemail or a missed call.
    Call { call_sid: CallSid },
    /// An appointment booked or cancelled, as it stood then.
    Appointment {
        event: AppointmentEvent,
        appointment: AppointmentSnapshot,
    },
    /// The daily digest of the local day before `date`.
    Digest { date: jiff::civil::Date },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertJob {
    pub business_id: BusinessId,
    pub about: AlertAbout,
    pub recipient: Recipient,
}

#[derive(Serialize)]
struct Tagged<'a> {
    job: &'static str,
    #[serde(flatten)]
    alert: &'a AlertJob,
}

impl AlertJob {
    /// The `job` field that tells an alert from the other messages of the queue.
    pub const JOB: &'static str = "alert";

    /// What the alert is about, without the recipient: `CA…`, `{appointment}:booked:v1`,
    /// `digest:2026-11-29`. Starts with the subject, so a FIFO queue groups by it.
    pub fn about_key(about: &AlertAbout) -> String {
        match about {
            AlertAbout::Call { call_sid } => format!("{call_sid}:alert"),
            AlertAbout::Appointment { event, appointment } => format!(
                "{}:alert:{}:v{}",
                appointment.id,
                event.as_str(),
                appointment.version
            ),
            AlertAbout::Digest { date } => format!("digest-{date}:alert"),
        }
    }

    /// The alert's key: its record's, and its dedup id. One per event and recipient, so an
    /// event delivered twice alerts each recipient once.
    pub fn key(&self) -> String {
        format!("{}:{}", Self::about_key(&self.about), self.recipient.key())
    }

    pub fn message(&self) -> OutboundMessage {
        OutboundMessage {
            queue: QueueName::Notify,
            dedup_id: self.key(),
            body: serde_json::to_string(&Tagged {
                job: Self::JOB,
                alert: self,
            })
            .expect("a job always serialises"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_job_round_trips_and_keys_by_event_and_recipient() {
        let job = AlertJob {
            business_id: BusinessId::parse("demo").unwrap(),
            about: AlertAbout::Call {
                call_sid: CallSid::parse("CA1").unwrap(),
            },
            recipient: Recipient::parse("sms", "+972501234567").unwrap(),
        };
        let message = job.message();
        assert_eq!(message.dedup_id, "CA1:alert:sms:+972501234567");
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
        assert_eq!(body["job"], "alert");
        assert_eq!(body["about"]["kind"], "call");
        assert_eq!(serde_json::from_value::<AlertJob>(body).unwrap(), job);
        let digest = AlertJob {
            about: AlertAbout::Digest {
                date: jiff::civil::date(2026, 11, 29),
            },
            ..job
        };
        assert_eq!(digest.key(), "digest-2026-11-29:alert:sms:+972501234567");
    }
}
