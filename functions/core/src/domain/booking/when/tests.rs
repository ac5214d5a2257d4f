//! The fixture shared with the table, the cases a table row can't express, and the
//! never-panics property.

use jiff::civil::{date, time, Weekday};
use jiff::Zoned;
use proptest::prelude::*;

use super::{understand, Candidate};
use crate::domain::booking::settings::{Interval, WeeklyHours};

/// Sunday 2026-11-22 10:00 in Jerusalem.
pub(super) fn fixture_now() -> Zoned {
    date(2026, 11, 22)
        .at(10, 0, 0, 0)
        .in_tz("Asia/Jerusalem")
        .unwrap()
}

fn open(from: (i8, i8), to: (i8, i8)) -> Interval {
    Interval {
        start: time(from.0, from.1, 0, 0),
        end: time(to.0, to.1, 0, 0),
    }
}

/// Sun–Thu 09:00–17:00, Fri 09:00–13:00, Saturday closed.
pub(super) fn fixture_hours() -> WeeklyHours {
    let mut hours = WeeklyHours::default();
    for day in [
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
    ] {
        hours.set(day, vec![open((9, 0), (17, 0))]);
    }
    hours.set(Weekday::Friday, vec![open((9, 0), (13, 0))]);
    hours
}

/// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` for each candidate.
pub(super) fn show(candidates: &[Candidate]) -> Vec<String> {
    candidates
        .iter()
        .map(|c| match c.time {
            Some(t) => format!("{} {}", c.date, t.strftime("%H:%M")),
            None => c.date.to_string(),
        })
        .collect()
}

fn read(text: &str, hours: &WeeklyHours) -> Vec<String> {
    show(&understand(text, &fixture_now(), hours))
}

#[test]
fn both_readings_inside_the_hours_give_both_morning_first() {
    let mut hours = fixture_hours();
    hours.set(Weekday::Monday, vec![open((7, 0), (21, 0))]);
    assert_eq!(
        read("מחר בשמונה", &hours),
        ["2026-11-23 08:00", "2026-11-23 20:00"]
    );
    assert_eq!(
        read("tomorrow at 8:30", &hours),
        ["2026-11-23 08:30", "2026-11-23 20:30"]
    );
    // A part of the day still decides.
    assert_eq!(read("מחר בשמונה בערב", &hours), ["2026-11-23 20:00"]);
}

#[test]
fn the_reading_follows_the_hours_of_the_day_named() {
    let mut hours = fixture_hours();
    // A lunch break does not change which reading is inside.
    hours.set(
        Weekday::Monday,
        vec![open((9, 0), (12, 0)), open((13, 0), (19, 0))],
    );
    assert_eq!(read("מחר בשש", &hours), ["2026-11-23 18:00"]);
    assert_eq!(
        read("מחר בשתים עשרה וחצי", &hours),
        ["2026-11-23 00:30", "2026-11-23 12:30"]
    );
    // With no hours at all, every bare hour gives both readings.
    assert_eq!(
        read("מחר בשלוש", &WeeklyHours::default()),
        ["2026-11-23 03:00", "2026-11-23 15:00"]
    );
}

#[test]
fn next_is_next_calendar_week_from_any_day() {
    let hours = fixture_hours();
    let on = |d: jiff::civil::Date, text: &str| {
        let now = d.at(12, 0, 0, 0).in_tz("Asia/Jerusalem").unwrap();
        show(&understand(text, &now, &hours))
    };
    // Saturday: next week starts tomorrow.
    assert_eq!(on(date(2026, 11, 28), "ראשון הבא"), ["2026-11-29"]);
    assert_eq!(on(date(2026, 11, 28), "ראשון"), ["2026-11-29"]);
    // Tuesday: `שלישי הבא` is a week on; bare `שלישי` with no time is today or a week on.
    assert_eq!(on(date(2026, 11, 24), "שלישי הבא"), ["2026-12-01"]);
    assert_eq!(
        on(date(2026, 11, 24), "שלישי"),
        ["2026-11-24", "2026-12-01"]
    );
    // Thursday: `next monday` is four days away, bare `monday` too.
    assert_eq!(on(date(2026, 11, 26), "next monday"), ["2026-11-30"]);
    assert_eq!(on(date(2026, 11, 26), "monday"), ["2026-11-30"]);
}

#[test]
fn a_date_past_this_year_is_next_year_even_across_new_year() {
    let hours = fixture_hours();
    let now = date(2026, 12, 30)
        .at(9, 0, 0, 0)
        .in_tz("Asia/Jerusalem")
        .unwrap();
    assert_eq!(show(&understand("2/1", &now, &hours)), ["2027-01-02"]);
    assert_eq!(
        show(&understand("29/02", &now, &hours)),
        Vec::<String>::new()
    );
    let leap = date(2027, 3, 1)
        .at(9, 0, 0, 0)
        .in_tz("Asia/Jerusalem")
        .unwrap();
    assert_eq!(show(&understand("29/02", &leap, &hours)), ["2028-02-29"]);
    // An hour already past late in the evening moves to tomorrow.
    let late = date(2026, 11, 22)
        .at(21, 0, 0, 0)
        .in_tz("Asia/Jerusalem")
        .unwrap();
    assert_eq!(
        show(&understand("בשלוש", &late, &hours)),
        ["2026-11-23 15:00"]
    );
}

#[test]
fn candidates_are_local_to_the_zone_of_now() {
    let now = date(2026, 11, 22).at(23, 30, 0, 0).in_tz("UTC").unwrap();
    let jerusalem = now.in_tz("Asia/Jerusalem").unwrap();
    // 01:30 on Monday in Jerusalem: `מחר` is Tuesday there.
    assert_eq!(
        show(&understand("מחר", &jerusalem, &fixture_hours())),
        ["2026-11-24"]
    );
}

/// Words that reach every branch of the reader, to be shuffled with noise.
const VOCABULARY: &[&str] = &[
    "מחר",
    "היום",
    "מחרתיים",
    "ביום",
    "יום",
    "ג׳",
    "ב'",
    "ה",
    "הבא",
    "הבאה",
    "שלישי",
    "שבת",
    "ב-",
    "ב",
    "ל",
    "בשלוש",
    "אחת",
    "עשרה",
    "עשר",
    "וחצי",
    "ורבע",
    "ועשרים",
    "וחמש",
    "רבע",
    "לארבע",
    "ל-",
    "אחה״צ",
    "אחה\"צ",
    "אחר",
    "הצהריים",
    "בערב",
    "בבוקר",
    "בלילה",
    "טוב",
    "מוצאי",
    "25",
    "בנובמבר",
    "25/11",
    "31/02",
    "25.11.26",
    "10.10",
    "15:00",
    "24:00",
    "99:99",
    "3pm",
    "12am",
    "10:30am",
    "25th",
    "of",
    "nov",
    "may",
    "at",
    "quarter",
    "to",
    "half",
    "past",
    "next",
    "monday",
    "tonight",
    "this",
    "evening",
    "noon",
    "midnight",
    "o'clock",
    "3",
    "0",
    "00",
    "2026",
    "99999999999999999999",
    "אנשים",
    "אפשרות",
    "good",
    "\u{200F}",
    "\u{200E}",
    "־",
    "\u{05B8}",
    "״",
    "''",
    "👍",
    "🇮🇱",
    ".",
    ":",
    "/",
    "'",
    "\"",
    "-",
];

fn assert_sane(text: &str) {
    let now = fixture_now();
    let candidates = understand(text, &now, &fixture_hours());
    for c in &candidates {
        assert_ne!(c.time, Some(time(0, 0, 0, 0)), "{text:?} gave midnight");
    }
    let mut sorted = candidates.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, candidates, "{text:?}: not sorted and unique");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        assert_sane(&text);
    }

    #[test]
    fn never_panics_on_hebrew_marks_and_digits(text in "[\u{0590}-\u{05FF}\u{200E}\u{200F}0-9:./'\" -]{0,40}") {
        assert_sane(&text);
    }

    #[test]
    fn never_panics_on_shuffled_vocabulary(
        words in proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..12),
        glue in proptest::collection::vec(proptest::sample::select(&[" ", "", "-", ", "][..]), 12),
    ) {
        let text: String = words.iter().zip(glue.iter().cycle()).flat_map(|(w, g)| [*w, *g]).collect();
        assert_sane(&text);
    }
}
