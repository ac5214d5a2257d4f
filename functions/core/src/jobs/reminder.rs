//! The reminder job: send one appointment's reminder (the one `offset_minutes` before the
//! start it was scheduled for), once. Put on the `notify` queue by the reconciler's scan when
//! the reminder is due, or by `frontdesk reminders send-now`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::{AppointmentId, BusinessId, Reminder, ReminderKey};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderJob {
    pub appointment_id: AppointmentId,
    pub business_id: BusinessId,
    pub offset_minutes: u32,
    /// The appointment's start it reminds of: a job for a start since moved sends nothing.
    pub start: Timestamp,
}

impl ReminderJob {
    pub fn new(reminder: &Reminder) -> Self {
        Self {
            appointment_id: reminder.appointment_id.clone(),
            business_id: reminder.business_id.clone(),
            offset_minutes: reminder.offset_minutes,
            start: reminder.start,
        }
    }

    pub fn key(&self) -> ReminderKey {
        ReminderKey {
            appointment_id: self.appointment_id.clone(),
            offset_minutes: self.offset_minutes,
        }
    }

    /// One job per appointment, offset and start.
    pub fn dedup_id(&self) -> String {
        format!(
            "{}:reminder:{}:{}",
            self.appointment_id,
            self.offset_minutes,
            self.start.as_second()
        )
    }
}
