//! Owner alerts: the record of each alert to each recipient (claimed once, updated per
//! attempt, listed for `doctor` and the inbox), a call's triage, and Twilio Lookup's answers
//! kept per number.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{AlertRecord, BusinessId, CallSid, CallerLookup, PhoneNumber, Triage};

/// How many alert records a business keeps reading back (`doctor`, the inbox): the newest.
pub const RECENT_ALERTS: usize = 50;

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Writes `record` if no record has its key yet. `Ok(false)`: one exists (another
    /// delivery of the same event claimed it first), and nothing changed.
    async fn claim_alert(&self, record: &AlertRecord) -> Result<bool, StoreError>;

    /// Replaces the record under `record.key` (an attempt's outcome).
    async fn put_alert(&self, record: &AlertRecord) -> Result<(), StoreError>;

    async fn alert(
        &self,
        business: &BusinessId,
        key: &str,
    ) -> Result<Option<AlertRecord>, StoreError>;

    /// The business's alert records, newest first, at most `limit`.
    async fn recent_alerts(
        &self,
        business: &BusinessId,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, StoreError>;

    /// Keeps what Frontdesk made of a call with its transcript ([`crate::domain::CallMedia`]).
    async fn set_call_triage(&self, sid: &CallSid, triage: &Triage) -> Result<(), StoreError>;

    async fn caller_lookup(&self, number: &PhoneNumber)
        -> Result<Option<CallerLookup>, StoreError>;

    async fn put_caller_lookup(&self, lookup: &CallerLookup) -> Result<(), StoreError>;
}
