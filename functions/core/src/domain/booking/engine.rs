//! Free slots: a pure function from a business's settings, the blocks already taken, `now` and a
//! window of dates to the slots a customer may book, and the check a booking must pass.
//!
//! Rules the rest of the system relies on:
//!
//! - **The grid is local wall time.** On each open date, candidate starts are
//!   `interval.start + k * slot_step` read in the business's zone. The whole *block* (the
//!   appointment plus its buffers) must lie inside that same interval, so buffers never reach
//!   outside hours and a service that overruns closing gets no slot there.
//! - **DST.** A start that falls in a spring-forward gap does not exist and is skipped. A start
//!   in a fall-back hour is ambiguous and means its *earlier* instant only, so the repeated hour
//!   never yields a second slot. An interval bound that falls in a gap means the instant of the
//!   transition (the clock jumps straight to it); an ambiguous bound means its earlier instant.
//!   Durations and buffers are real elapsed minutes.
//! - **The window.** A slot starts no earlier than `now + min_notice`, and on a local date no
//!   later than `today + max_days_ahead` (today = `now`'s local date in the business's zone).
//! - **Free** is decided by 5-minute lock cells, exactly as the store locks them: see [`cells`].

use std::ops::Range;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::booking::settings::{BookingSettings, Service, ServiceId, SettingsError};

mod check;
mod grid;
mod occupancy;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use check::{check, nearest, Reason, Refusal, ALTERNATIVES};

use grid::{Ctx, Window};
use occupancy::Occupancy;

/// The length of one lock cell, in seconds.
pub const CELL_SECONDS: i64 = 300;

/// An appointment's own time: what the customer is told. Its buffers are not part of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Slot {
    /// The block this slot occupies: `[start - buffer_before, end + buffer_after]`. This is what
    /// an appointment locks, and what it is stored as when it is passed back in as [`Busy`].
    pub fn block(&self, service: &Service) -> Busy {
        Busy {
            start: minus_minutes(self.start, service.buffer_before_minutes),
            end: plus_minutes(self.end, service.buffer_after_minutes),
        }
    }
}

/// An occupied block: an existing appointment's block (buffers included) or an external busy
/// block (a calendar event). Need not be on the 5-minute grid; it occupies every cell it touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Busy {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Busy {
    /// The lock cells this block occupies; see [`cells`].
    pub fn cells(&self) -> Range<i64> {
        cells(self.start, self.end)
    }
}

/// Why free slots could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("unknown service `{0}`")]
    UnknownService(ServiceId),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// The lock cells a block `[start, end)` covers: the 5-minute UTC-aligned cells
/// `floor(start / 5 min) .. ceil(end / 5 min)`, where a cell's index is unix seconds / 300.
/// An empty or inverted block covers no cell.
///
/// This is the one definition of "free" shared with the store: the store writes one counted
/// lock item per cell of a new appointment's block in a single transaction, and the engine
/// calls a slot free exactly when every cell of its block is covered by fewer than `capacity`
/// busy blocks. Cells are in UTC, so a DST change never moves them; blocks on the 5-minute
/// grain that merely touch share no cell.
pub fn cells(start: Timestamp, end: Timestamp) -> Range<i64> {
    if end <= start {
        return 0..0;
    }
    // Whole seconds first (floor and ceiling), then whole cells: the same two roundings.
    let floor = start.as_second() - i64::from(start.subsec_nanosecond() < 0);
    let ceiling = end.as_second() + i64::from(end.subsec_nanosecond() > 0);
    second_cells(floor, ceiling)
}

/// [`cells`] for a block in whole unix seconds.
fn second_cells(start: i64, end: i64) -> Range<i64> {
    start.div_euclid(CELL_SECONDS)..-(-end).div_euclid(CELL_SECONDS)
}

/// The free slots of `service` on the local dates `from .. from + days` (the business's zone),
/// sorted by start, without duplicates. Dates outside the booking window (before today, after
/// `today + max_days_ahead`) contribute nothing, so a huge `days` costs no more than the window.
pub fn free_slots(
    settings: &BookingSettings,
    service: &ServiceId,
    busy: &[Busy],
    now: Timestamp,
    from: Date,
    days: u32,
) -> Result<Vec<Slot>, EngineError> {
    let ctx = Ctx::new(settings, service)?;
    let window = Window::new(&ctx, now);
    let occupancy = Occupancy::new(busy, settings.capacity);
    let mut slots = Vec::new();
    if days == 0 {
        return Ok(slots);
    }
    let first = from.max(window.today);
    // A `days` too large for a span, or running past the calendar, just means "to the end".
    let until = jiff::Span::new()
        .try_days(i64::from(days) - 1)
        .ok()
        .and_then(|span| from.checked_add(span).ok())
        .unwrap_or(Date::MAX)
        .min(window.last_date);
    let mut date = first;
    while date <= until {
        window.free_on(&ctx, &occupancy, date, &mut slots);
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    // Starts rise with wall time within a day and dates are visited in order; this only guards
    // zones whose transitions cross midnight.
    if !slots.is_sorted() {
        slots.sort_unstable();
    }
    slots.dedup();
    Ok(slots)
}

fn plus_minutes(t: Timestamp, minutes: u32) -> Timestamp {
    t.saturating_add(SignedDuration::from_mins(i64::from(minutes)))
        .unwrap_or(t)
}

fn minus_minutes(t: Timestamp, minutes: u32) -> Timestamp {
    t.saturating_sub(SignedDuration::from_mins(i64::from(minutes)))
        .unwrap_or(t)
}
