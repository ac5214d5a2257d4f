//! The confirmation job: send the customer of a phone booking a message they keep (the
//! business's WhatsApp template, else an SMS), once.

use serde::{Deserialize, Serialize};

use super::notify::AppointmentSnapshot;
use crate::domain::Appointment;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationJob {
    /// The appointment as booked.
    pub appointment: AppointmentSnapshot,
}

impl ConfirmationJob {
    pub fn new(appointment: &Appointment) -> Self {
        Self {
            appointment: appointment.into(),
        }
    }

    /// One confirmation per appointment.
    pub fn dedup_id(&self) -> String {
        format!("{}:confirmation", self.appointment.id)
    }
}
