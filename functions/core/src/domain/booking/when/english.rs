//! English words for days, hours and parts of the day. Words arrive lowercased. Tables list
//! space-separated spellings with their value.

use jiff::civil::Weekday;

use super::mention::Part;
use super::text::lookup;

const DAYS: [(&str, i8); 2] = [
    ("today tonight", 0),
    ("tomorrow tmrw tmr tomorow tommorow tommorrow", 1),
];

/// `day after tomorrow`, with or without `the`.
pub(super) const DAY_AFTER_TOMORROW: [&str; 3] = ["day", "after", "tomorrow"];

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("sunday sun", Weekday::Sunday),
    ("monday mon", Weekday::Monday),
    ("tuesday tues tue", Weekday::Tuesday),
    ("wednesday weds wed", Weekday::Wednesday),
    ("thursday thurs thur thu", Weekday::Thursday),
    ("friday fri", Weekday::Friday),
    ("saturday sat shabbat shabbos", Weekday::Saturday),
];

const HOURS: [(&str, u8); 12] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

/// Minutes after an hour word: `three thirty`.
const MINUTES: [(&str, i16); 2] = [("fifteen", 15), ("thirty", 30)];

/// `half past`, `quarter past`, `quarter to`: minutes from the hour that follows.
pub(super) const RELATIVE: [(&str, &str, i16); 3] = [
    ("half", "past", 30),
    ("quarter", "past", 15),
    ("quarter", "to", -15),
];

const PARTS: [(&str, Part); 6] = [
    ("morning", Part::Morning),
    ("afternoon", Part::Afternoon),
    ("evening", Part::Evening),
    ("night", Part::Night),
    ("am a.m", Part::Am),
    ("pm p.m", Part::Pm),
];

const MONTHS: [(&str, u8); 12] = [
    ("january jan", 1),
    ("february feb", 2),
    ("march mar", 3),
    ("april apr", 4),
    ("may", 5),
    ("june jun", 6),
    ("july jul", 7),
    ("august aug", 8),
    ("september sept sep", 9),
    ("october oct", 10),
    ("november nov", 11),
    ("december dec", 12),
];

pub(super) const NEXT: &str = "next";
pub(super) const HOUR_MARKERS: &str = "at around about";
/// After a number, these make it an hour: `3 o'clock`.
pub(super) const OCLOCK: &str = "o'clock oclock";
/// `noon` and `midday` are 12:00.
pub(super) const NOON: &str = "noon midday";
/// `good morning` is a greeting, not a part of the day.
pub(super) const GREETING_BEFORE: &str = "good";
/// `this morning`, `this evening`: today.
pub(super) const THIS: &str = "this";
/// `25th of November`.
pub(super) const OF: &str = "of";

/// Days from today, and whether the word also says "in the evening" (`tonight`).
pub(super) fn day(word: &str) -> Option<(i8, bool)> {
    lookup(word, &[], &DAYS).map(|(_, d)| (d, word == "tonight"))
}

pub(super) fn weekday(word: &str) -> Option<Weekday> {
    lookup(word, &[], &WEEKDAYS).map(|(_, d)| d)
}

pub(super) fn hour(word: &str) -> Option<u8> {
    lookup(word, &[], &HOURS).map(|(_, h)| h)
}

pub(super) fn minutes(word: &str) -> Option<i16> {
    lookup(word, &[], &MINUTES).map(|(_, m)| m)
}

pub(super) fn part(word: &str) -> Option<Part> {
    lookup(word, &[], &PARTS).map(|(_, p)| p)
}

pub(super) fn month(word: &str) -> Option<u8> {
    lookup(word, &[], &MONTHS).map(|(_, m)| m)
}
