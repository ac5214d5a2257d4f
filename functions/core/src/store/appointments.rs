//! Appointments: booking without double booking, cancelling and rescheduling atomically, and
//! listing. A booked appointment holds a counted lock on every 5-minute cell its block covers
//! ([`crate::domain::booking::engine::cells`]); a booking succeeds only if every cell stays at
//! or under the business's capacity, in the same transaction that writes the appointment and the
//! request that caused it. So concurrent bookings of one slot can never exceed capacity, and a
//! retried request (the same [`RequestKey`]) has no second effect.

use std::ops::Range;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use super::StoreError;
use crate::domain::booking::engine::{Busy, Slot, CELL_SECONDS};
use crate::domain::booking::settings::MAX_BLOCK_MINUTES;
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
    /// A block that does not contain its slot, or is longer than
    /// [`MAX_BLOCK_MINUTES`], is refused ([`StoreError::Invalid`]).
    async fn book(&self, new: &NewAppointment, capacity: u32) -> Result<Booking, StoreError>;

    async fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError>;

    /// The appointment `request` booked, cancelled or moved, as it stands now; `None` if the
    /// request was never seen. A retried request is answered from here before anything is
    /// checked again: its slot is taken by itself.
    async fn appointment_for_request(
        &self,
        business: &BusinessId,
        request: &RequestKey,
    ) -> Result<Option<Appointment>, StoreError>;

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
    /// transaction with `request`; the version goes up by one. The block is checked as
    /// [`book`](Self::book) checks it.
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
    /// engine counts as busy. On DynamoDB this reads an index, which may lag a booking by a
    /// moment; the cells, not this list, are what refuse a double booking.
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

    /// Every appointment a customer booked with a business, whatever its status, the latest
    /// booked first (by id: ids are UUIDv7, so id order is booking order), at most `limit`
    /// (capped at [`MAX_APPOINTMENT_PAGE`]) after the id `after` (a page's `next`). On
    /// DynamoDB this reads the customer's own index records, written with each booking.
    async fn appointments_with(
        &self,
        business: &BusinessId,
        phone: &PhoneNumber,
        after: Option<&str>,
        limit: usize,
    ) -> Result<AppointmentPage, StoreError>;
}

// ---- what both backends share ----------------------------------------------------------------

/// Which operation a request key was spent on, as the request record keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operation {
    Book,
    Cancel,
    Reschedule,
}

impl Operation {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Book => "book",
            Self::Cancel => "cancel",
            Self::Reschedule => "reschedule",
        }
    }
}

/// How long a cell's lock outlives the cell. Past cells are never booked again, so they go
/// (DynamoDB's TTL); a week leaves changes to recent appointments a wide margin.
pub(super) const CELL_KEPT_SECONDS: i64 = 7 * 86_400;

/// A change releases only cells that ended less than this before it. Older ones cannot be
/// booked anyway and their lock may already have expired, so they are left to expire.
const RELEASE_HORIZON_SECONDS: i64 = 86_400;

/// How long a spent request key is remembered: far longer than any retry.
pub(super) const REQUEST_KEPT_SECONDS: i64 = 30 * 86_400;

/// When a cell's lock may go: [`CELL_KEPT_SECONDS`] after the cell ends (Unix seconds).
pub(super) fn cell_expires_at(cell: i64) -> i64 {
    cell.saturating_add(1)
        .saturating_mul(CELL_SECONDS)
        .saturating_add(CELL_KEPT_SECONDS)
}

/// Refuses a block the cells cannot hold: it must contain its (non-empty) slot and last at
/// most [`MAX_BLOCK_MINUTES`], so a reschedule fits one DynamoDB transaction and a listing
/// knows how far before its slot a block can start.
pub(super) fn check_block(slot: &Slot, block: &Busy) -> Result<(), StoreError> {
    let contains = slot.start < slot.end && block.start <= slot.start && slot.end <= block.end;
    if !contains {
        return Err(StoreError::Invalid(format!(
            "block {}..{} does not contain slot {}..{}",
            block.start, block.end, slot.start, slot.end
        )));
    }
    if block.end.duration_since(block.start) > block_reach() {
        return Err(StoreError::Invalid(format!(
            "block {}..{} is longer than {MAX_BLOCK_MINUTES} minutes",
            block.start, block.end
        )));
    }
    Ok(())
}

/// The longest a block lasts, so the furthest a slot's start can be from any part of its block.
pub(super) fn block_reach() -> SignedDuration {
    SignedDuration::from_mins(i64::from(MAX_BLOCK_MINUTES))
}

/// The cells a change claims: those of `new` that `old` does not hold already.
pub(super) fn cells_to_claim(new: &Busy, old: Option<&Busy>) -> Vec<i64> {
    let held = old.map_or(0..0, Busy::cells);
    new.cells().filter(|c| !held.contains(c)).collect()
}

/// The cells a change made at `at` frees: those of `old` that `kept` does not cover, except
/// cells long past (see [`RELEASE_HORIZON_SECONDS`]).
pub(super) fn cells_to_release(old: &Busy, kept: Option<&Busy>, at: Timestamp) -> Vec<i64> {
    let kept: Range<i64> = kept.map_or(0..0, Busy::cells);
    let horizon = (at.as_second() - RELEASE_HORIZON_SECONDS).div_euclid(CELL_SECONDS);
    old.cells()
        .filter(|c| !kept.contains(c) && *c >= horizon)
        .collect()
}

/// The page size a caller asked for, within 1..=[`MAX_APPOINTMENT_PAGE`].
pub(super) fn appointment_page_size(limit: usize) -> usize {
    limit.clamp(1, MAX_APPOINTMENT_PAGE)
}

/// A time as fixed-width RFC 3339 UTC with nine fractional digits, so positions compare as
/// text in time order (DynamoDB sort keys, cursors).
pub(super) fn sortable_time(at: Timestamp) -> String {
    format!("{at:.9}")
}

/// An appointment's place in a business's listing, and the cursor format both backends share:
/// its start ([`sortable_time`]), `#`, its id.
pub(super) fn appointment_position(start: Timestamp, id: &AppointmentId) -> String {
    format!("{}#{id}", sortable_time(start))
}

/// A customer's appointments' cursor (an id) back to the id, or why it is not one.
pub(super) fn parse_appointment_id_cursor(cursor: &str) -> Result<AppointmentId, StoreError> {
    AppointmentId::parse(cursor)
        .map_err(|_| StoreError::BadCursor(cursor.chars().take(80).collect()))
}

/// A cursor back to its position, or why it is not one.
pub(super) fn parse_appointment_position(
    cursor: &str,
) -> Result<(Timestamp, AppointmentId), StoreError> {
    let bad = || StoreError::BadCursor(cursor.chars().take(80).collect());
    let (start, id) = cursor.split_once('#').ok_or_else(bad)?;
    let start: Timestamp = start.parse().map_err(|_| bad())?;
    let id = AppointmentId::parse(id).map_err(|_| bad())?;
    Ok((start, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn block(start: &str, end: &str) -> Busy {
        Busy {
            start: at(start),
            end: at(end),
        }
    }

    #[test]
    fn positions_sort_as_time_and_read_back() {
        let id = AppointmentId::parse("0193a0f0c0de7000800000000000abcd").unwrap();
        let early = appointment_position(at("2026-11-21T09:59:59.5Z"), &id);
        let late = appointment_position(at("2026-11-21T10:00:00Z"), &id);
        assert_eq!(late, format!("2026-11-21T10:00:00.000000000Z#{id}"));
        assert!(early < late, "{early} < {late}");
        assert_eq!(
            parse_appointment_position(&late).unwrap(),
            (at("2026-11-21T10:00:00Z"), id)
        );
        for bad in [
            "",
            "2026-11-21T10:00:00Z",
            "yesterday#0193",
            "2026-11-21T10:00:00Z#x",
        ] {
            assert!(
                matches!(
                    parse_appointment_position(bad),
                    Err(StoreError::BadCursor(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_reschedule_touches_only_the_cells_the_blocks_do_not_share() {
        let old = block("2026-11-21T10:00:00Z", "2026-11-21T10:30:00Z");
        let new = block("2026-11-21T10:15:00Z", "2026-11-21T10:45:00Z");
        let first = old.cells().start;
        let now = at("2026-11-20T00:00:00Z");
        assert_eq!(
            cells_to_release(&old, Some(&new), now),
            vec![first, first + 1, first + 2]
        );
        assert_eq!(
            cells_to_claim(&new, Some(&old)),
            vec![first + 6, first + 7, first + 8]
        );
        assert_eq!(cells_to_claim(&new, None).len(), 6);
        assert_eq!(cells_to_release(&old, None, now).len(), 6);
    }

    #[test]
    fn cells_long_past_are_left_to_expire() {
        let old = block("2026-11-21T10:00:00Z", "2026-11-21T10:30:00Z");
        assert_eq!(
            cells_to_release(&old, None, at("2026-11-22T10:15:00Z")).len(),
            3,
            "a day later, only what ended within the day"
        );
        assert!(cells_to_release(&old, None, at("2026-12-01T00:00:00Z")).is_empty());
        let last = old.cells().end - 1;
        assert_eq!(
            cell_expires_at(last),
            at("2026-11-28T10:30:00Z").as_second()
        );
    }

    #[test]
    fn blocks_must_hold_their_slot_and_fit_four_hours() {
        let slot = Slot {
            start: at("2026-11-21T10:00:00Z"),
            end: at("2026-11-21T10:30:00Z"),
        };
        assert!(check_block(
            &slot,
            &block("2026-11-21T09:45:00Z", "2026-11-21T10:40:00Z")
        )
        .is_ok());
        assert!(check_block(
            &slot,
            &block("2026-11-21T10:00:00Z", "2026-11-21T14:00:00Z")
        )
        .is_ok());
        for bad in [
            block("2026-11-21T10:05:00Z", "2026-11-21T10:30:00Z"),
            block("2026-11-21T10:00:00Z", "2026-11-21T10:25:00Z"),
            block("2026-11-21T10:00:00Z", "2026-11-21T14:00:01Z"),
        ] {
            assert!(
                matches!(check_block(&slot, &bad), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
        let empty = Slot {
            start: slot.start,
            end: slot.start,
        };
        assert!(check_block(
            &empty,
            &block("2026-11-21T10:00:00Z", "2026-11-21T10:30:00Z")
        )
        .is_err());
    }
}
