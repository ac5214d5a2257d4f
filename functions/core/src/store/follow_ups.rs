//! Follow-ups in the store: what became of each appointment's confirmation and calendar event
//! (one record per appointment, each kind written on its own so two consumers never undo each
//! other), and the business's calendar key they authenticate with.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;
use crate::config::Secret;
use crate::domain::{AppointmentId, BusinessId, CalendarSync, Confirmation, FollowUps};

/// One kind of follow-up's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUp {
    Confirmation(Confirmation),
    Calendar(CalendarSync),
}

impl FollowUp {
    /// Its field in the record (a DynamoDB attribute, an SQLite column).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Confirmation(_) => "confirmation",
            Self::Calendar(_) => "calendar",
        }
    }

    /// Its JSON, as stored.
    pub fn json(&self) -> Result<String, StoreError> {
        match self {
            Self::Confirmation(record) => serde_json::to_string(record),
            Self::Calendar(record) => serde_json::to_string(record),
        }
        .map_err(|e| StoreError::Corrupt(format!("{} record: {e}", self.kind())))
    }

    /// When it was written.
    pub fn at(&self) -> Timestamp {
        match self {
            Self::Confirmation(record) => record.at,
            Self::Calendar(record) => record.at,
        }
    }
}

/// The records back from their stored JSON.
pub fn follow_ups_from(
    confirmation: Option<&str>,
    calendar: Option<&str>,
) -> Result<FollowUps, StoreError> {
    let read = |what: &str, json: &str| StoreError::Corrupt(format!("{what} record: {json}"));
    Ok(FollowUps {
        confirmation: confirmation
            .map(|json| serde_json::from_str(json).map_err(|_| read("confirmation", json)))
            .transpose()?,
        calendar: calendar
            .map(|json| serde_json::from_str(json).map_err(|_| read("calendar", json)))
            .transpose()?,
    })
}

#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// Writes `record` as the appointment's follow-up of its kind, replacing the last one.
    async fn put_follow_up(
        &self,
        appointment: &AppointmentId,
        business: &BusinessId,
        record: &FollowUp,
    ) -> Result<(), StoreError>;

    /// The appointment's follow-ups (empty when none was recorded).
    async fn follow_ups(&self, appointment: &AppointmentId) -> Result<FollowUps, StoreError>;

    /// Several appointments' follow-ups at once (a listing); those with none are left out.
    async fn follow_ups_of(
        &self,
        appointments: &[AppointmentId],
    ) -> Result<HashMap<AppointmentId, FollowUps>, StoreError>;

    /// A business's follow-ups written at or after `since`, newest first (the doctor's look).
    async fn recent_follow_ups(
        &self,
        business: &BusinessId,
        since: Timestamp,
    ) -> Result<Vec<(AppointmentId, FollowUps)>, StoreError>;

    /// Sets the business's Google service-account key (its JSON), kept like the webhook secret.
    async fn put_calendar_key(&self, business: &BusinessId, key: &Secret)
        -> Result<(), StoreError>;

    async fn calendar_key(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError>;

    /// Removes it; `Ok(false)` when there was none.
    async fn delete_calendar_key(&self, business: &BusinessId) -> Result<bool, StoreError>;
}
