//! Appointments: booking without double booking, cancelling and rescheduling atomically, and
//! listing. A booked appointment holds a counted lock on every 5-minute cell its block covers
//! ([`crate::domain::booking::engine::cells`]); a booking succeeds only if every cell stays at
//! or under the business's capacity, in the same transaction that writes the appointment and the
//! request that caused it. So concurrent bookings of one slot can never exceed capacity, and a
//! retried request (the same [`RequestKey`]) has no second effect.

use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;
use crate::domain::booking::engine::{Busy, Slot};
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, NewAppointment, PhoneNumber,
    RequestKey,
};

/// Most appointments a listing returns at once.
pub const MAX_APPOINTMENT_PAGE: usize = 200;

/// What a booking did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Booking {
    /// Stored, and its cells held.
    Booked(Appointment),
    /// The request was seen before: the appointment it made, unchanged.
    Repeat(Appointment),
    /// A cell of the block is at capacity: nothing was written.
    Taken,
}

/// What a cancellation or reschedule did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Done: the appointment as it now stands.
    Done(Appointment),
    /// The request was seen before: the appointment as it now stands, unchanged.
    Repeat(Appointment),
    /// The appointment is not `booked` at the version named (another change came first, or
    /// it was cancelled): the appointment as it stands, nothing written.
    Conflict(Appointment),
    /// Rescheduling only: a cell of the new block is at capacity; the old slot is kept.
    Taken,
    NotFound,
}

/// Which of a business's appointments to list: starting in `[from, to)`, by start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub status: Option<AppointmentStatus>,
    /// Continue after this position (a page's `next`).
    pub after: Option<String>,
    pub limit: usize,
}

/// One page, and where the next starts (an opaque position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentPage {
    pub appointments: Vec<Appointment>,
    pub next: Option<String>,
}

#[async_trait]
pub trait AppointmentStore: Send + Sync {
    /// Books `new` if every cell of its block has fewer than `capacity` booked appointments:
    /// the appointment, one counted lock per cell and the request key in one transaction.
    async fn book(&self, new: &NewAppointment, capacity: u32) -> Result<Booking, StoreError>;

    async fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError>;

    /// Cancels the appointment if it is `booked` at `version`, and frees its cells, in one
    /// transaction with `request`.
    async fn cancel(
        &self,
        id: &AppointmentId,
        version: u32,
        request: &RequestKey,
        at: Timestamp,
    ) -> Result<Change, StoreError>;

    /// Moves the appointment (if `booked` at `version`) to `slot`, whose block is `block`:
    /// releases the old cells and claims the new ones (cells in both stay held) in one
    /// transaction with `request`; the version goes up by one.
    #[allow(clippy::too_many_arguments)]
    async fn reschedule(
        &self,
        id: &AppointmentId,
        version: u32,
        slot: Slot,
        block: Busy,
        capacity: u32,
        request: &RequestKey,
        at: Timestamp,
    ) -> Result<Change, StoreError>;

    /// A business's appointments starting in `[from, to)`, soonest first, filtered by status,
    /// at most `limit` (capped at [`MAX_APPOINTMENT_PAGE`]) after `after`.
    async fn list_appointments(
        &self,
        business: &BusinessId,
        query: &AppointmentQuery,
    ) -> Result<AppointmentPage, StoreError>;

    /// The blocks of a business's `booked` appointments that overlap `[from, to)`: what the
    /// engine counts as busy.
    async fn busy_blocks(
        &self,
        business: &BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Busy>, StoreError>;

    /// A customer's `booked` appointments with a business starting at or after `from`,
    /// soonest first.
    async fn customer_appointments(
        &self,
        business: &BusinessId,
        phone: &PhoneNumber,
        from: Timestamp,
    ) -> Result<Vec<Appointment>, StoreError>;
}
