//! The check a booking must pass, and the alternatives offered when it does not.

use jiff::{SignedDuration, Span, Timestamp};
use serde::Serialize;

use super::grid::{start_instant, Ctx, Window};
use super::occupancy::Occupancy;
use super::{plus_minutes, Busy, EngineError, Slot};
use crate::domain::booking::settings::{BookingSettings, ServiceId};

/// How many alternatives a refusal carries.
pub const ALTERNATIVES: usize = 3;

/// Why a time is not offered at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnknownService,
    Past,
    TooSoon,
    TooFar,
    Closed,
    OutsideHours,
    NotOnGrid,
    OverrunsClosing,
}

impl Reason {
    /// A phrase to say to the customer in `language` (`he…` Hebrew, anything else English).
    pub fn phrase(self, language: &str) -> &'static str {
        if language.starts_with("he") {
            self.phrase_he()
        } else {
            self.phrase_en()
        }
    }

    pub fn phrase_en(self) -> &'static str {
        match self {
            Reason::UnknownService => "we don't offer that service",
            Reason::Past => "that time has already passed",
            Reason::TooSoon => "that is too short notice",
            Reason::TooFar => "that is too far ahead to book yet",
            Reason::Closed => "we are closed that day",
            Reason::OutsideHours => "that is outside our opening hours",
            Reason::NotOnGrid => "appointments don't start at that time",
            Reason::OverrunsClosing => "the appointment would run past closing time",
        }
    }

    pub fn phrase_he(self) -> &'static str {
        match self {
            Reason::UnknownService => "אנחנו לא מציעים את השירות הזה",
            Reason::Past => "השעה הזו כבר עברה",
            Reason::TooSoon => "זו התראה קצרה מדי",
            Reason::TooFar => "עוד אי אפשר לקבוע תור רחוק כל כך קדימה",
            Reason::Closed => "אנחנו סגורים ביום הזה",
            Reason::OutsideHours => "השעה הזו מחוץ לשעות הפעילות שלנו",
            Reason::NotOnGrid => "תורים לא מתחילים בשעה הזו",
            Reason::OverrunsClosing => "התור היה מסתיים אחרי שעת הסגירה",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.phrase_en())
    }
}

/// Why a booking was refused, with the nearest free slots to offer instead (nearest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// The engine never offers this time.
    NotOffered {
        reason: Reason,
        alternatives: Vec<Slot>,
    },
    /// The time is offered, but every place in it is taken.
    Taken { alternatives: Vec<Slot> },
}

impl Refusal {
    pub fn alternatives(&self) -> &[Slot] {
        match self {
            Refusal::NotOffered { alternatives, .. } | Refusal::Taken { alternatives } => {
                alternatives
            }
        }
    }

    /// A phrase to say to the customer in `language` (`he…` Hebrew, anything else English).
    pub fn phrase(&self, language: &str) -> &'static str {
        match self {
            Refusal::NotOffered { reason, .. } => reason.phrase(language),
            Refusal::Taken { .. } if language.starts_with("he") => "השעה הזו כבר תפוסה",
            Refusal::Taken { .. } => "that time is already taken",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.phrase("en"))
    }
}

impl std::error::Error for Refusal {}

/// Whether `service` can be booked at `start`: only a slot [`free_slots`](super::free_slots)
/// itself would return passes, and it comes back whole. A refusal says why and carries up to
/// [`ALTERNATIVES`] nearest free slots. Settings whose zone does not resolve (validated ones
/// always do) offer nothing: every time is refused as [`Reason::Closed`], without alternatives.
pub fn check(
    settings: &BookingSettings,
    service: &ServiceId,
    start: Timestamp,
    busy: &[Busy],
    now: Timestamp,
) -> Result<Slot, Refusal> {
    let ctx = match Ctx::new(settings, service) {
        Ok(ctx) => ctx,
        Err(error) => {
            let reason = match error {
                EngineError::UnknownService(_) => Reason::UnknownService,
                EngineError::Settings(_) => Reason::Closed,
            };
            return Err(Refusal::NotOffered {
                reason,
                alternatives: Vec::new(),
            });
        }
    };
    let window = Window::new(&ctx, now);
    let occupancy = Occupancy::new(busy, settings.capacity);
    let refuse = |reason: Option<Reason>| {
        let alternatives = search(&ctx, &window, &occupancy, start, ALTERNATIVES);
        Err(match reason {
            Some(reason) => Refusal::NotOffered {
                reason,
                alternatives,
            },
            None => Refusal::Taken { alternatives },
        })
    };
    if let Some(reason) = why_not(&ctx, &window, start) {
        return refuse(Some(reason));
    }
    let mut offered = None;
    ctx.grid(ctx.tz.to_datetime(start).date(), |slot, cells| {
        if slot.start == start {
            offered = Some((slot, cells));
        }
    });
    match offered {
        // Breaking no rule yet not on the grid: a start between grid marks of some kind.
        None => refuse(Some(Reason::NotOnGrid)),
        Some((slot, cells)) if occupancy.is_free(&cells) => Ok(slot),
        Some(_) => refuse(None),
    }
}

/// The first rule `start` breaks, in the order a customer would find most telling; `None` when
/// it breaks none (which for a time off the grid still means it is not offered).
fn why_not(ctx: &Ctx<'_>, window: &Window, start: Timestamp) -> Option<Reason> {
    if start < window.now {
        return Some(Reason::Past);
    }
    if start < window.earliest {
        return Some(Reason::TooSoon);
    }
    let wall = ctx.tz.to_datetime(start);
    let date = wall.date();
    if date > window.last_date {
        return Some(Reason::TooFar);
    }
    if ctx.is_closed(date) {
        return Some(Reason::Closed);
    }
    let Some(opening) = ctx
        .openings(date)
        .find(|o| o.open_wall <= wall.time() && wall.time() < o.close_wall)
    else {
        return Some(Reason::OutsideHours);
    };
    let offset = wall.time().duration_since(opening.open_wall);
    let step = SignedDuration::from_mins(i64::from(ctx.settings.slot_step_minutes));
    let on_step = offset.as_nanos() % step.as_nanos() == 0;
    // The second pass through a fall-back hour is never a start.
    if !on_step || start_instant(&ctx.tz, wall) != Some(start) {
        return Some(Reason::NotOnGrid);
    }
    let slot = Slot {
        start,
        end: plus_minutes(start, ctx.service.duration_minutes),
    };
    let block = slot.block(ctx.service);
    if block.start < opening.open {
        return Some(Reason::OutsideHours);
    }
    if block.end > opening.close {
        return Some(Reason::OverrunsClosing);
    }
    None
}

/// The `n` free slots nearest to `around` (by absolute distance of their start; ties go to the
/// earlier), searching outward a day at a time within the booking window. Empty for an unknown
/// service.
pub fn nearest(
    settings: &BookingSettings,
    service: &ServiceId,
    busy: &[Busy],
    now: Timestamp,
    around: Timestamp,
    n: usize,
) -> Vec<Slot> {
    let Ok(ctx) = Ctx::new(settings, service) else {
        return Vec::new();
    };
    let window = Window::new(&ctx, now);
    let occupancy = Occupancy::new(busy, settings.capacity);
    search(&ctx, &window, &occupancy, around, n)
}

fn search(
    ctx: &Ctx<'_>,
    window: &Window,
    occupancy: &Occupancy,
    around: Timestamp,
    n: usize,
) -> Vec<Slot> {
    let mut found = Vec::new();
    if n == 0 {
        return found;
    }
    let distance = |slot: &Slot| (slot.start.duration_since(around).abs(), slot.start);
    // Outside the window every slot lies on one side, so start from the window's nearer edge.
    let centre = ctx
        .tz
        .to_datetime(around)
        .date()
        .clamp(window.today, window.last_date);
    let day = |k: i64| centre.checked_add(Span::new().days(k)).ok();
    let start_of =
        |date: jiff::civil::Date| date.to_zoned(ctx.tz.clone()).ok().map(|z| z.timestamp());
    let mut radius = 0;
    loop {
        let earlier = day(-radius).filter(|d| window.contains_date(*d));
        let later = day(radius).filter(|d| radius > 0 && window.contains_date(*d));
        if earlier.is_none() && later.is_none() && radius > 0 {
            break;
        }
        for date in earlier.into_iter().chain(later) {
            window.free_on(ctx, occupancy, date, &mut found);
        }
        if found.len() >= n {
            found.sort_unstable_by_key(distance);
            let nth = distance(&found[n - 1]).0;
            // Slots on days not yet searched start after the next later day begins, or before
            // the earliest searched day began.
            let beyond_later = day(radius + 1)
                .filter(|d| window.contains_date(*d))
                .and_then(start_of)
                .map(|t| t.duration_since(around));
            let beyond_earlier = day(-radius - 1)
                .filter(|d| window.contains_date(*d))
                .and_then(|_| day(-radius))
                .and_then(start_of)
                .map(|t| around.duration_since(t));
            let unsearched = [beyond_later, beyond_earlier].into_iter().flatten().min();
            if unsearched.is_none_or(|bound| nth < bound) {
                break;
            }
        }
        radius += 1;
    }
    found.sort_unstable_by_key(distance);
    found.truncate(n);
    found
}
