use std::collections::HashMap;

use jiff::civil::{date, Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::domain::booking::settings::{parse_hhmm, Interval};

mod booking;
mod dst;
mod hours;

const JERUSALEM: &str = "Asia/Jerusalem";
const NEW_YORK: &str = "America/New_York";
const ALL_WEEK: [Weekday; 7] = [
    Weekday::Sunday,
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
];

/// A Jerusalem shop: Sun–Thu 09:00–17:00, a short Friday 09:00–13:00, closed Saturday; one
/// 30-minute service `cut`, no buffers, every 15 minutes; no notice, a year ahead, capacity 1.
fn shop() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem",
            "hours": {"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]],
                      "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]],
                      "thu": [["09:00","17:00"]], "fri": [["09:00","13:00"]]},
            "services": [{"id": "cut", "name_he": "תספורת", "name_en": "Haircut",
                          "duration_minutes": 30}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 366,
            "capacity": 1}"#,
    )
    .unwrap()
}

/// A business open every night `open`–`close` in `zone`, with the service `minutes` long and
/// starts every `step` minutes.
fn night_business(zone: &str, open: &str, close: &str, minutes: u32, step: u32) -> BookingSettings {
    let mut s = shop();
    s.timezone = zone.to_string();
    every_day(&mut s, &[(open, close)]);
    s.services[0].duration_minutes = minutes;
    s.slot_step_minutes = step;
    s.validate().unwrap();
    s
}

fn every_day(s: &mut BookingSettings, intervals: &[(&str, &str)]) {
    for day in ALL_WEEK {
        s.hours
            .set(day, intervals.iter().map(|(a, b)| iv(a, b)).collect());
    }
}

fn iv(start: &str, end: &str) -> Interval {
    Interval {
        start: parse_hhmm(start).unwrap(),
        end: parse_hhmm(end).unwrap(),
    }
}

fn cut() -> ServiceId {
    ServiceId::parse("cut").unwrap()
}

fn zone(s: &BookingSettings) -> TimeZone {
    s.zone().unwrap()
}

/// A local wall time that exists exactly once in `s`'s zone.
fn local(s: &BookingSettings, wall: &str) -> Timestamp {
    let wall: DateTime = wall.parse().unwrap();
    zone(s).to_ambiguous_timestamp(wall).unambiguous().unwrap()
}

fn utc(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn wall(s: &BookingSettings, t: Timestamp) -> String {
    zone(s)
        .to_datetime(t)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn hhmm(s: &BookingSettings, t: Timestamp) -> String {
    zone(s).to_datetime(t).strftime("%H:%M").to_string()
}

/// Long before every date the tests look at.
fn early() -> Timestamp {
    utc("2026-01-01T00:00:00Z")
}

fn day_starts(s: &BookingSettings, busy: &[Busy], now: Timestamp, day: Date) -> Vec<String> {
    free_slots(s, &cut(), busy, now, day, 1)
        .unwrap()
        .iter()
        .map(|slot| hhmm(s, slot.start))
        .collect()
}

fn appointment(s: &BookingSettings, wall: &str) -> Busy {
    let start = local(s, wall);
    let service = &s.services[0];
    let slot = Slot {
        start,
        end: start + SignedDuration::from_mins(i64::from(service.duration_minutes)),
    };
    slot.block(service)
}
