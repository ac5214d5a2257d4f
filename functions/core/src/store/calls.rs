//! Calls: their start, monotonic status with every callback kept as an event, the recording
//! status and gathered digits, and listing a business's calls.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::domain::{
    AppointmentId, BusinessId, Call, CallEvent, CallSid, CallStart, CallStatus, Direction,
    PhoneNumber, StatusUpdate,
};

#[async_trait]
pub trait CallStore: Send + Sync {
    /// Records a call's start. Idempotent: if the call exists (a retry, or a status callback
    /// that arrived first), only fields still unset are filled and the status follows the
    /// status ranking.
    async fn record_call_start(&self, start: &CallStart) -> Result<(), StoreError>;

    async fn call(&self, sid: &CallSid) -> Result<Option<Call>, StoreError>;

    /// Applies a status callback monotonically (see [`crate::domain::call::status_advances`]),
    /// creating the call when first seen, and keeps the callback as an event. The same
    /// callback twice stores one event. Returns whether the call's status changed.
    async fn apply_call_status(&self, update: &StatusUpdate) -> Result<bool, StoreError>;

    /// Every stored status callback of a call, in sequence (else time) order.
    async fn call_events(&self, sid: &CallSid) -> Result<Vec<CallEvent>, StoreError>;

    /// Stores `RecordingStatus` (completed, absent, failed) from the recording status callback.
    async fn set_recording_status(&self, sid: &CallSid, status: &str) -> Result<(), StoreError>;

    /// Stores digits captured by `<Gather>`.
    async fn store_gathered_digits(&self, sid: &CallSid, digits: &str) -> Result<(), StoreError>;

    /// Marks a call handled (or back to needing a call back). `Ok(false)`: no such call, and
    /// none is created.
    async fn set_call_handled(&self, sid: &CallSid, handled: bool) -> Result<bool, StoreError>;

    /// Notes the appointment booked on a call. `Ok(false)`: no such call, and none is created.
    async fn set_call_appointment(
        &self,
        sid: &CallSid,
        appointment: &AppointmentId,
    ) -> Result<bool, StoreError>;

    /// A business's calls with a known start, newest first, filtered, one page at a time.
    async fn list_calls(
        &self,
        business: &BusinessId,
        query: &CallQuery,
    ) -> Result<CallPage, StoreError>;

    /// A business's calls with one customer (the caller of an inbound call, the callee of an
    /// outbound one: [`Call::contact`]) with a known start, newest first, at most `limit`
    /// after the position `after` (a page's `next`, as [`list_position`] writes it). On
    /// DynamoDB this reads the customer's own index records, never the business's other calls.
    async fn calls_with(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CallPage, StoreError>;
}

/// Which of a business's calls to list, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallQuery {
    pub status: Option<CallStatus>,
    pub direction: Option<Direction>,
    /// Calls started at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only the calls the owner marked handled (`true`), or only those still needing a call
    /// back (`false`).
    pub handled: Option<bool>,
    /// Continue after this position (a page's `next`).
    pub after: Option<String>,
    pub limit: usize,
}

/// One page of calls and where the next starts (an opaque position: `{started_at}#{sid}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallPage {
    pub calls: Vec<Call>,
    pub next: Option<String>,
}

impl CallPage {
    /// A page from up to `limit + 1` calls read in list order: the first `limit`, and when
    /// one more came, the position the next page starts after.
    pub fn of_overfetched(mut calls: Vec<Call>, limit: usize) -> Self {
        let next = if calls.len() > limit {
            calls.truncate(limit);
            calls
                .last()
                .and_then(|c| c.started_at.map(|at| list_position(at, &c.sid)))
        } else {
            None
        };
        Self { calls, next }
    }
}

/// A call's position in its business's newest-first list.
pub fn list_position(started_at: OffsetDateTime, sid: &CallSid) -> String {
    format!("{}#{sid}", crate::domain::time::format_time(started_at))
}
