//! Reminders in the store: one per appointment and offset, on the appointment's partition,
//! found when due through an index that holds only the pending ones.
//!
//! The booking's follow-ups write them ([`ReminderStore::replace_reminders`]); the
//! reconciler's minute tick reads the due ones and claims each by a conditional write
//! (pending → queued) before queueing its job, so two ticks (or two reconcilers) never queue
//! one reminder twice; the notify consumer records what its send did.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use super::StoreError;
use crate::domain::{AppointmentId, Reminder, ReminderKey};

/// How far back the due index is read: a reminder missed for longer (the reconciler stopped
/// for a day) is left pending and shows as such in `frontdesk reminders list` and the doctor.
pub const DUE_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);

/// The reminders `replace_reminders` keeps, drops and writes, given what is stored: one with
/// the same offset and start is kept as it is (a repeated booking request changes nothing);
/// one with the same offset and another start is replaced (a reschedule moves it); one whose
/// offset is no longer wanted is dropped unless it went out already (its record stays).
pub fn plan_replacement<'a>(
    stored: &'a [Reminder],
    wanted: &'a [Reminder],
) -> (Vec<&'a Reminder>, Vec<&'a Reminder>) {
    let write = wanted
        .iter()
        .filter(|w| {
            !stored
                .iter()
                .any(|s| s.offset_minutes == w.offset_minutes && s.start == w.start)
        })
        .collect();
    let drop = stored
        .iter()
        .filter(|s| {
            !wanted.iter().any(|w| w.offset_minutes == s.offset_minutes) && !s.state.is_settled()
        })
        .collect();
    (drop, write)
}

#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Makes `wanted` the appointment's reminders ([`plan_replacement`]); empty after a
    /// cancellation, which drops the ones not sent.
    async fn replace_reminders(
        &self,
        appointment: &AppointmentId,
        wanted: &[Reminder],
    ) -> Result<(), StoreError>;

    /// The appointment's reminders, earliest offset (largest) first.
    async fn reminders(&self, appointment: &AppointmentId) -> Result<Vec<Reminder>, StoreError>;

    /// Several appointments' reminders (a listing); those with none are left out.
    async fn reminders_of(
        &self,
        appointments: &[AppointmentId],
    ) -> Result<HashMap<AppointmentId, Vec<Reminder>>, StoreError> {
        let mut found = HashMap::new();
        for id in appointments {
            let reminders = self.reminders(id).await?;
            if !reminders.is_empty() {
                found.insert(id.clone(), reminders);
            }
        }
        Ok(found)
    }

    /// Pending reminders due at or before `now` (and after `now` − [`DUE_LOOKBACK`]), soonest
    /// first, at most `limit`.
    async fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Reminder>, StoreError>;

    /// Claims a pending reminder for `start` (pending → queued, out of the due index);
    /// `false` when it is not pending any more, was moved, or is gone.
    async fn claim_reminder(&self, key: &ReminderKey, start: Timestamp)
        -> Result<bool, StoreError>;

    /// Writes `reminder`'s state, outcome and answer over the stored one with the same start
    /// (pending again puts it back in the due index); `false` when it is gone or was moved.
    async fn save_reminder(&self, reminder: &Reminder) -> Result<bool, StoreError>;
}
