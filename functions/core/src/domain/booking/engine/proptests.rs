//! Properties over arbitrary valid settings and bookings, checked against definitions written
//! independently of the engine's own code.

use std::collections::HashMap;

use jiff::civil::{Time, Weekday};
use jiff::{SignedDuration, Span, Timestamp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::*;
use crate::domain::booking::settings::{Interval, Service, WeeklyHours, MINUTE_GRAIN};

const ZONES: [&str; 8] = [
    "Asia/Jerusalem",
    "America/New_York",
    "Europe/London",
    "UTC",
    "Australia/Lord_Howe", // a 30-minute shift
    "America/Santiago",    // transitions at midnight
    "Asia/Beirut",
    "Asia/Kolkata",
];

/// Instants just after the 2026 transitions of the zones above, so windows often cross one.
const TRANSITIONS: [&str; 8] = [
    "2026-03-27T00:00:00Z",
    "2026-10-24T23:00:00Z",
    "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-04-04T15:00:00Z",
    "2026-04-05T03:00:00Z",
    "2026-09-06T04:00:00Z",
];

fn five(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = u32> {
    range.prop_map(|k| k * MINUTE_GRAIN)
}

/// Up to three intervals a day, from sorted distinct 5-minute marks paired up; often night
/// hours over the small hours, where the transitions are.
fn day_hours() -> impl Strategy<Value = Vec<Interval>> {
    let night = (0u32..24, 30u32..80).prop_map(|(open, close)| {
        vec![Interval {
            start: time_of(open * 5),
            end: time_of(close * 5),
        }]
    });
    let any = prop::collection::btree_set(0u32..288, 0..=6).prop_map(|marks| {
        let marks: Vec<_> = marks.into_iter().collect();
        marks
            .chunks_exact(2)
            .map(|pair| Interval {
                start: time_of(pair[0] * 5),
                end: time_of(pair[1] * 5),
            })
            .collect()
    });
    prop_oneof![any, night]
}

fn time_of(minutes: u32) -> Time {
    Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).unwrap()
}

fn settings() -> impl Strategy<Value = BookingSettings> {
    (
        prop::sample::select(&ZONES[..]),
        prop::collection::vec(day_hours(), 7),
        prop_oneof![five(1..=6), five(1..=48)],
        // Durations and buffers within MAX_BLOCK_MINUTES together (at most 120 + 30 + 90).
        prop_oneof![five(1..=12), five(1..=24)],
        (five(0..=6), five(0..=18)),
        (five(0..=36), 1u32..=5, 1u32..=3),
        prop::collection::vec(0i64..8, 0..3),
    )
        .prop_map(|(zone, days, step, duration, buffers, window, closed)| {
            let mut hours = WeeklyHours::default();
            for (day, intervals) in days.into_iter().enumerate() {
                hours.set(
                    Weekday::from_sunday_zero_offset(day as i8).unwrap(),
                    intervals,
                );
            }
            let (notice, max_days_ahead, capacity) = window;
            // Closed dates are offsets from the first transition; the test moves them near now.
            let closed_dates = closed
                .into_iter()
                .map(|k| jiff::civil::date(2026, 3, 20) + Span::new().days(k))
                .collect();
            let settings = BookingSettings {
                timezone: zone.to_string(),
                hours,
                closed_dates,
                services: vec![Service {
                    id: ServiceId::parse("s").unwrap(),
                    name_he: "שירות".into(),
                    name_en: "Service".into(),
                    duration_minutes: duration,
                    buffer_before_minutes: buffers.0,
                    buffer_after_minutes: buffers.1,
                }],
                slot_step_minutes: step,
                min_notice_minutes: notice,
                max_days_ahead,
                capacity,
            };
            settings.validate().unwrap();
            settings
        })
}

fn instant() -> impl Strategy<Value = Timestamp> {
    let transition = (prop::sample::select(&TRANSITIONS[..]), 0i64..4 * 86_400)
        .prop_map(|(t, back)| t.parse::<Timestamp>().unwrap() - SignedDuration::from_secs(back));
    let any = (0i64..365 * 86_400).prop_map(|s| {
        "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_secs(s)
    });
    prop_oneof![3 => transition, 1 => any]
}

/// Busy blocks relative to now: anywhere in the next week, any length up to three hours.
fn stray_blocks() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-3600i64..7 * 86_400, 0i64..3 * 3600), 0..12)
}

/// The counted cells, defined directly from the rule in [`cells`]' documentation.
fn counts(busy: &[Busy]) -> HashMap<i64, u32> {
    let mut counts = HashMap::new();
    for block in busy {
        let cell = |t: Timestamp| t.as_second().div_euclid(CELL_SECONDS);
        let (first, last) = (
            cell(block.start),
            cell(block.end - SignedDuration::from_nanos(1)),
        );
        if block.end > block.start {
            for c in first..=last {
                *counts.entry(c).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Whether `slot` is inside hours and on the grid, read straight from the settings.
fn on_the_grid(s: &BookingSettings, slot: &Slot) -> Result<(), String> {
    let tz = s.zone().unwrap();
    let service = &s.services[0];
    let wall = tz.to_datetime(slot.start);
    let date = wall.date();
    if s.is_closed_on(date) {
        return Err(format!("{wall} is a closed date"));
    }
    if tz.to_ambiguous_timestamp(wall).earlier().unwrap() != slot.start {
        return Err(format!("{wall} is the second pass of a repeated hour"));
    }
    if slot.end.duration_since(slot.start)
        != SignedDuration::from_mins(service.duration_minutes.into())
    {
        return Err(format!(
            "{wall} lasts {}",
            slot.end.duration_since(slot.start)
        ));
    }
    let block = slot.block(service);
    let interval = s
        .hours
        .on(date.weekday())
        .iter()
        .find(|i| i.start <= wall.time() && wall.time() < i.end)
        .ok_or_else(|| format!("{wall} is outside hours"))?;
    let since_open = wall.time().duration_since(interval.start);
    if since_open.as_secs() % (60 * i64::from(s.slot_step_minutes)) != 0
        || since_open.subsec_nanos() != 0
    {
        return Err(format!("{wall} is off the grid"));
    }
    let opens = tz
        .to_ambiguous_timestamp(date.to_datetime(interval.start))
        .earlier()
        .unwrap();
    let closes = tz
        .to_ambiguous_timestamp(date.to_datetime(interval.end))
        .later()
        .unwrap();
    if block.start < opens || block.end > closes {
        return Err(format!("{wall}: its block leaves {interval:?}"));
    }
    // When no transition falls within the interval, the wall clock itself must show the block
    // inside it. (Across a fall-back hour a block may read earlier than opening on the clock and
    // still start after the business opened.)
    if tz
        .following(opens)
        .next()
        .is_none_or(|t| t.timestamp() >= closes)
    {
        let (from, to) = (tz.to_datetime(block.start), tz.to_datetime(block.end));
        if from < date.to_datetime(interval.start) || to > date.to_datetime(interval.end) {
            return Err(format!(
                "{wall}: its block {from}..{to} leaves {interval:?}"
            ));
        }
    }
    Ok(())
}

fn distance(around: Timestamp) -> impl Fn(&Slot) -> (SignedDuration, Timestamp) {
    move |slot| (slot.start.duration_since(around).abs(), slot.start)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_slot_is_on_the_grid_in_the_window_free_and_accepted(
        mut s in settings(),
        now in instant(),
        strays in stray_blocks(),
        doubled in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        probes in prop::collection::vec((0i64..7 * 288, any::<bool>()), 0..24),
    ) {
        let tz = s.zone().unwrap();
        let id = s.services[0].id.clone();
        let today = tz.to_datetime(now).date();
        let last_date = today + Span::new().days(i64::from(s.max_days_ahead));
        let shift = today.since(jiff::civil::date(2026, 3, 20)).unwrap();
        for closed in &mut s.closed_dates {
            *closed = closed.checked_add(shift).unwrap();
        }
        // Book some of the offered slots, some more than once, among stray calendar blocks.
        let grid = free_slots(&s, &id, &[], now, today, 40).unwrap();
        let mut busy: Vec<Busy> = strays
            .iter()
            .map(|&(at, len)| {
                let start = now + SignedDuration::from_secs(at);
                Busy { start, end: start + SignedDuration::from_secs(len) }
            })
            .collect();
        if !grid.is_empty() {
            busy.extend(doubled.iter().map(|i| i.get(&grid).block(&s.services[0])));
        }
        let from = today.yesterday().unwrap();
        let slots = free_slots(&s, &id, &busy, now, from, s.max_days_ahead + 3).unwrap();
        prop_assert!(slots.windows(2).all(|w| w[0].start < w[1].start), "sorted, no duplicates");
        let counts = counts(&busy);
        let earliest = now + SignedDuration::from_mins(s.min_notice_minutes.into());
        for slot in &slots {
            let date = tz.to_datetime(slot.start).date();
            prop_assert!(slot.start >= earliest, "{slot:?} inside the notice");
            prop_assert!(today <= date && date <= last_date, "{slot:?} outside the dates");
            if let Err(why) = on_the_grid(&s, slot) {
                prop_assert!(false, "{}", why);
            }
            let full = slot
                .block(&s.services[0])
                .cells()
                .any(|c| counts.get(&c).copied().unwrap_or(0) >= s.capacity);
            prop_assert!(!full, "{slot:?} is full");
            prop_assert_eq!(check(&s, &id, slot.start, &busy, now), Ok(*slot));
        }
        // Every grid slot left out is full.
        for slot in &grid {
            if !slots.contains(slot) {
                let full = slot
                    .block(&s.services[0])
                    .cells()
                    .any(|c| counts.get(&c).copied().unwrap_or(0) >= s.capacity);
                prop_assert!(full, "{slot:?} free but not offered");
            }
        }
        // Conversely, whatever `check` accepts was offered; refusals offer the nearest slots.
        for &(mark, second_pass) in &probes {
            let mut start = Timestamp::from_second((now.as_second() / 300 + mark) * 300).unwrap();
            if second_pass {
                start += SignedDuration::from_hours(1);
            }
            match check(&s, &id, start, &busy, now) {
                Ok(slot) => prop_assert!(slots.contains(&slot), "{slot:?} accepted, not offered"),
                Err(refusal) => {
                    prop_assert!(slots.iter().all(|slot| slot.start != start));
                    let mut expected = slots.clone();
                    expected.sort_by_key(distance(start));
                    expected.truncate(ALTERNATIVES);
                    prop_assert_eq!(refusal.alternatives(), &expected[..]);
                }
            }
        }
    }
}

#[test]
fn the_property_settings_are_valid_and_varied() {
    // A guard that the strategy explores the shapes the property is about.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut nights, mut fridays_off) = (0, 0);
    for _ in 0..200 {
        let s = settings().new_tree(&mut runner).unwrap().current();
        let days = |w| s.hours.on(w).to_vec();
        nights += usize::from(days(Weekday::Sunday).iter().any(|i| i.start < time_of(180)));
        fridays_off += usize::from(days(Weekday::Friday).is_empty());
    }
    assert!(nights > 20 && fridays_off > 20, "{nights} {fridays_off}");
}
