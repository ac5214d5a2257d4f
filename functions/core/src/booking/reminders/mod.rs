//! Appointment reminders, the booking side: which reminders an appointment has (written with
//! the change's follow-ups when it is booked, moved when it is rescheduled, dropped when it is
//! cancelled), what a reminder says, and what a customer's answer to one does ([`answer`]).
//!
//! Sending is the notify consumer's (`worker::reminder`), claiming due ones the reconciler's
//! (`worker::reminder_scan`), for every channel: a WhatsApp template, an SMS, or a call whose
//! callee answers with a key (`handlers::outbound_call`), through the same [`answer`].

pub mod answer;
#[cfg(test)]
mod tests;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use tracing::{error, info};

use super::confirmation::Confirmation as Parts;
use super::dialogue::state::Lang;
use crate::app::App;
use crate::domain::reminder::due::due_at;
use crate::domain::{Appointment, AppointmentStatus, Business, Reminder};
use crate::jobs::AppointmentSnapshot;

/// The reminders `appointment` should have under `business`'s settings, as of `now`: one per
/// offset whose due time (inside the outreach window) is still ahead and before the start;
/// none for an appointment that is not booked, or a business without reminders.
pub fn wanted(business: &Business, appointment: &Appointment, now: Timestamp) -> Vec<Reminder> {
    let Some(settings) = business.reminders.as_ref() else {
        return Vec::new();
    };
    if appointment.status != AppointmentStatus::Booked {
        return Vec::new();
    }
    let zone = TimeZone::get(&appointment.timezone).unwrap_or(TimeZone::UTC);
    settings
        .offsets()
        .into_iter()
        .filter_map(|offset| {
            let due = due_at(appointment.slot.start, offset, &settings.window, &zone, now)?;
            Some(Reminder::pending(
                &appointment.id,
                &business.id,
                offset,
                appointment.slot.start,
                due,
            ))
        })
        .collect()
}

/// Writes, moves or drops the appointment's reminders after its change. Like the other
/// follow-ups, only after the store committed; a store that fails loses the reminders, never
/// the appointment, and says so.
pub async fn schedule(app: &App, business: &Business, appointment: &Appointment, now: Timestamp) {
    let wanted = wanted(business, appointment, now);
    let stored = app
        .store()
        .replace_reminders(&appointment.id, &wanted)
        .await;
    match stored {
        Ok(()) if !wanted.is_empty() => {
            info!(appointment_id = %appointment.id, reminders = wanted.len(), "reminders scheduled");
        }
        Ok(()) => {}
        Err(err) => error!(
            metric = "reminder_at_risk",
            appointment_id = %appointment.id,
            error = %err,
            "appointment stored; its reminders could not be written"
        ),
    }
}

/// What a reminder says: the service, the day and the time in the business's language and
/// zone (a template's three variables, as a confirmation's), and how to answer.
pub struct Words {
    pub parts: Parts,
}

impl Words {
    pub fn of(business: &Business, appointment: &AppointmentSnapshot) -> Self {
        Self {
            parts: Parts::of(business, appointment),
        }
    }

    /// The SMS (and the text when a template is missing), signed with the business's name.
    pub fn sms(&self, business: &str) -> String {
        let Parts {
            service, day, time, ..
        } = &self.parts;
        match self.parts.lang {
            Lang::He => format!(
                "{business}: תזכורת לתור ל{service} ב{day} בשעה {time}. השיבו 1 לאישור או 2 לביטול."
            ),
            Lang::En => format!(
                "{business}: a reminder of your {service} appointment on {day} at {time}. Reply 1 to confirm or 2 to cancel."
            ),
        }
    }
}
