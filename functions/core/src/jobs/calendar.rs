//! The calendar sync job: bring the business's Google Calendar in step with one change of one
//! appointment (booked → insert its event, rescheduled → patch it, cancelled → delete it).
//! It carries the appointment as the change left it; the consumer reads the appointment again
//! before it writes, so a job that arrives after a later change never undoes it.

use serde::{Deserialize, Serialize};

use super::notify::{AppointmentEvent, AppointmentSnapshot};
use crate::domain::Appointment;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarJob {
    pub change: AppointmentEvent,
    pub appointment: AppointmentSnapshot,
}

impl CalendarJob {
    pub fn new(change: AppointmentEvent, appointment: &Appointment) -> Self {
        Self {
            change,
            appointment: appointment.into(),
        }
    }

    /// The same change of the same version is one piece of work, however often it is queued.
    pub fn dedup_id(&self) -> String {
        format!(
            "{}:calendar:{}:v{}",
            self.appointment.id,
            self.change.as_str(),
            self.appointment.version
        )
    }
}
