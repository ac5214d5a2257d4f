//! The grid: which slots a date offers before anything is booked, read in the business's zone.

use std::cell::Cell;
use std::ops::Range;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Span, Timestamp};

use super::occupancy::Occupancy;
use super::{plus_minutes, second_cells, EngineError, Slot};
use crate::domain::booking::settings::{BookingSettings, Service, ServiceId};

/// The settings and service a computation is about, with the zone looked up once.
pub(super) struct Ctx<'a> {
    pub settings: &'a BookingSettings,
    pub service: &'a Service,
    pub tz: TimeZone,
    /// The last transition looked up: after which instant, and the transition (if any).
    next_transition: Cell<Option<(Timestamp, Option<Timestamp>)>>,
}

/// One open interval of one date, as wall times and as the instants that bound it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Opening {
    pub open_wall: Time,
    pub close_wall: Time,
    pub open: Timestamp,
    pub close: Timestamp,
}

impl<'a> Ctx<'a> {
    pub fn new(settings: &'a BookingSettings, id: &ServiceId) -> Result<Self, EngineError> {
        let service = settings
            .service(id)
            .ok_or_else(|| EngineError::UnknownService(id.clone()))?;
        Ok(Self {
            settings,
            service,
            tz: settings.zone()?,
            next_transition: Cell::new(None),
        })
    }

    /// Whether `date` has no hours at all: a closed date, or a weekday without intervals.
    pub fn is_closed(&self, date: Date) -> bool {
        self.settings.is_closed_on(date) || self.settings.hours.on(date.weekday()).is_empty()
    }

    /// The open intervals of `date` as instants; none on a closed date.
    pub fn openings(&self, date: Date) -> impl Iterator<Item = Opening> + '_ {
        let hours = if self.settings.is_closed_on(date) {
            &[][..]
        } else {
            self.settings.hours.on(date.weekday())
        };
        hours.iter().filter_map(move |interval| {
            Some(Opening {
                open_wall: interval.start,
                close_wall: interval.end,
                open: bound(&self.tz, date.to_datetime(interval.start))?,
                close: bound(&self.tz, date.to_datetime(interval.end))?,
            })
        })
    }

    /// Every slot the grid offers on `date`, in order, with the cells of its block, before busy
    /// blocks and the booking window are considered. Works in whole unix seconds (every grid
    /// instant is one) and makes timestamps only for what it yields: this is the hot loop.
    pub fn grid(&self, date: Date, mut each: impl FnMut(Slot, Range<i64>)) {
        let step = i64::from(self.settings.slot_step_minutes);
        let length = 60 * i64::from(self.service.duration_minutes);
        let before = 60 * i64::from(self.service.buffer_before_minutes);
        let after = 60 * i64::from(self.service.buffer_after_minutes);
        for opening in self.openings(date) {
            let (open, close) = (opening.open.as_second(), opening.close.as_second());
            let steady = self.is_steady(date, &opening);
            let (first, last) = (
                minute_of_day(opening.open_wall),
                minute_of_day(opening.close_wall),
            );
            let mut minute = first;
            while minute < last {
                let start = if steady {
                    Some(open + 60 * (minute - first))
                } else {
                    start_instant(&self.tz, date.to_datetime(time_of(minute)))
                        .map(|t| t.as_second())
                };
                minute += step;
                let Some(start) = start else { continue };
                let (block_start, block_end) = (start - before, start + length + after);
                // Starts only rise with wall time (gaps skipped, folds read early), so once one
                // block overruns closing every later one does too.
                if block_end > close {
                    break;
                }
                if block_start < open {
                    continue;
                }
                if let (Ok(start), Ok(end)) = (
                    Timestamp::from_second(start),
                    Timestamp::from_second(start + length),
                ) {
                    each(Slot { start, end }, second_cells(block_start, block_end));
                }
            }
        }
    }

    /// Whether no transition touches `opening`, so its wall clock runs with real time and a
    /// start is the opening instant plus its minutes: the common case, and much the cheaper.
    fn is_steady(&self, date: Date, opening: &Opening) -> bool {
        let offset = self.tz.to_offset(opening.open);
        // An opening the gap moved to the transition does not read back with its offset; one
        // read early in a fold does, but then the transition lies inside the interval.
        let read_back = offset
            .to_timestamp(date.to_datetime(opening.open_wall))
            .ok();
        read_back == Some(opening.open)
            && self
                .transition_after(opening.open)
                .is_none_or(|t| t >= opening.close)
    }

    /// The first transition after `t`. Looking one up is slow next to the rest of the grid, and
    /// dates are visited in order, so the last answer is kept while it still holds.
    fn transition_after(&self, t: Timestamp) -> Option<Timestamp> {
        if let Some((from, next)) = self.next_transition.get() {
            if from <= t && next.is_none_or(|next| t < next) {
                return next;
            }
        }
        let next = self.tz.following(t).next().map(|tr| tr.timestamp());
        self.next_transition.set(Some((t, next)));
        next
    }
}

/// The booking window as seen at `now`.
pub(super) struct Window {
    pub now: Timestamp,
    /// `now + min_notice`: nothing starts earlier.
    pub earliest: Timestamp,
    /// `now`'s local date.
    pub today: Date,
    /// `today + max_days_ahead`: nothing starts on a later local date.
    pub last_date: Date,
}

impl Window {
    pub fn new(ctx: &Ctx<'_>, now: Timestamp) -> Self {
        let today = ctx.tz.to_datetime(now).date();
        let ahead = Span::new().days(i64::from(ctx.settings.max_days_ahead));
        Self {
            now,
            earliest: plus_minutes(now, ctx.settings.min_notice_minutes),
            today,
            last_date: today.checked_add(ahead).unwrap_or(Date::MAX),
        }
    }

    pub fn contains_date(&self, date: Date) -> bool {
        self.today <= date && date <= self.last_date
    }

    /// Appends the free slots of `date` to `out`, in order.
    pub fn free_on(&self, ctx: &Ctx<'_>, occupancy: &Occupancy, date: Date, out: &mut Vec<Slot>) {
        if !self.contains_date(date) {
            return;
        }
        ctx.grid(date, |slot, cells| {
            if slot.start >= self.earliest && occupancy.is_free(&cells) {
                out.push(slot);
            }
        });
    }
}

/// The instant a grid start means: `None` inside a spring-forward gap (that wall time never
/// happens), the earlier instant inside a fall-back hour (so the repeated hour is offered once).
pub(super) fn start_instant(tz: &TimeZone, wall: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(wall).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(wall).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(wall).ok(),
        AmbiguousOffset::Gap { .. } => None,
    }
}

/// The instant an interval bound means: like a start, except that a bound inside a gap is the
/// transition itself (the moment the clock jumps past it), so an interval loses only the hour
/// that does not exist.
fn bound(tz: &TimeZone, wall: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(wall).offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset the wall time lands just before the transition.
            let before_jump = after.to_timestamp(wall).ok()?;
            Some(tz.following(before_jump).next()?.timestamp())
        }
        _ => start_instant(tz, wall),
    }
}

fn minute_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

/// A minute of the day as a time; `minute` is below 24 * 60 because it is before a closing time.
fn time_of(minute: i64) -> Time {
    Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or(Time::MAX)
}
