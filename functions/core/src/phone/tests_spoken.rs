//! Days and times as a caller hears them: a table per language, and no digit anywhere.

use jiff::civil::{date, time, Date};
use jiff::tz::TimeZone;

use super::spoken::Spoken;
use crate::booking::dialogue::state::Lang;

fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

/// Sunday 22 November 2026.
const TODAY: Date = date(2026, 11, 22);

fn spoken(lang: Lang, zone: &TimeZone) -> Spoken<'_> {
    Spoken {
        lang,
        zone,
        today: TODAY,
    }
}

fn at(day: Date, hour: i8, minute: i8) -> jiff::Timestamp {
    day.at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

#[test]
fn hebrew_times_are_feminine_hours_with_quarters_halves_and_the_part_of_the_day() {
    let zone = zone();
    let he = spoken(Lang::He, &zone);
    for (hour, minute, said) in [
        (15, 0, "בשלוש אחר הצהריים"),
        (9, 30, "בתשע וחצי בבוקר"),
        (12, 0, "בשתים עשרה בצהריים"),
        (20, 45, "ברבע לתשע בערב"),
        (10, 15, "בעשר ורבע בבוקר"),
        (11, 45, "ברבע לשתים עשרה בצהריים"),
        (13, 0, "באחת בצהריים"),
        (13, 30, "באחת וחצי בצהריים"),
        (14, 20, "בשתיים ועשרים אחר הצהריים"),
        (10, 25, "בעשר ועשרים וחמש בבוקר"),
        (16, 40, "בעשרים לחמש אחר הצהריים"),
        (16, 35, "בעשרים וחמש לחמש אחר הצהריים"),
        (16, 50, "בעשר דקות לחמש אחר הצהריים"),
        (8, 5, "בשמונה וחמש דקות בבוקר"),
        (8, 10, "בשמונה ועשר דקות בבוקר"),
        (17, 0, "בחמש אחר הצהריים"),
        (17, 45, "ברבע לשש בערב"),
        (18, 0, "בשש בערב"),
        (11, 0, "באחת עשרה בבוקר"),
        (23, 0, "באחת עשרה בלילה"),
        (0, 30, "בשתים עשרה וחצי בלילה"),
    ] {
        assert_eq!(
            he.time(time(hour, minute, 0, 0)),
            said,
            "{hour}:{minute:02}"
        );
    }
}

#[test]
fn english_times_are_said_as_people_say_them() {
    let zone = zone();
    let en = spoken(Lang::En, &zone);
    for (hour, minute, said) in [
        (15, 0, "at three in the afternoon"),
        (9, 30, "at half past nine in the morning"),
        (12, 0, "at noon"),
        (20, 45, "at a quarter to nine in the evening"),
        (10, 15, "at a quarter past ten in the morning"),
        (8, 5, "at five past eight in the morning"),
        (16, 40, "at twenty to five in the afternoon"),
        (10, 7, "at seven minutes past ten in the morning"),
        (12, 30, "at half past twelve in the afternoon"),
        (0, 0, "at midnight"),
        (22, 0, "at ten at night"),
    ] {
        assert_eq!(
            en.time(time(hour, minute, 0, 0)),
            said,
            "{hour}:{minute:02}"
        );
    }
}

#[test]
fn no_time_of_day_is_said_with_a_digit() {
    let zone = zone();
    for lang in [Lang::He, Lang::En] {
        let words = spoken(lang, &zone);
        for hour in 0..24 {
            for minute in 0..60 {
                let said = words.time(time(hour, minute, 0, 0));
                assert!(
                    !said.chars().any(|c| c.is_ascii_digit()) && said.len() > 4,
                    "{hour}:{minute:02} → {said}"
                );
            }
        }
        for day in 1..=31 {
            let said = words.date(date(2026, 12, day));
            assert!(!said.chars().any(|c| c.is_ascii_digit()), "{said}");
        }
    }
}

#[test]
fn days_are_relative_within_the_week_and_dated_beyond_it() {
    let zone = zone();
    let he = spoken(Lang::He, &zone);
    let en = spoken(Lang::En, &zone);
    for (day, hebrew, english) in [
        (TODAY, "היום", "today"),
        (date(2026, 11, 23), "מחר", "tomorrow"),
        (date(2026, 11, 24), "מחרתיים", "the day after tomorrow"),
        (date(2026, 11, 25), "ביום רביעי", "on Wednesday"),
        (date(2026, 11, 28), "ביום שבת", "on Saturday"),
        (
            date(2026, 11, 29),
            "ביום ראשון, עשרים ותשעה בנובמבר",
            "on Sunday, November twenty-ninth",
        ),
        (
            date(2026, 12, 1),
            "ביום שלישי, אחד בדצמבר",
            "on Tuesday, December first",
        ),
        (
            date(2026, 12, 12),
            "ביום שבת, שנים עשר בדצמבר",
            "on Saturday, December twelfth",
        ),
        (
            date(2026, 11, 21),
            "ביום שבת, עשרים ואחד בנובמבר",
            "on Saturday, November twenty-first",
        ),
    ] {
        assert_eq!(he.day(day), hebrew);
        assert_eq!(en.day(day), english);
    }
    assert_eq!(
        he.day_and_date(date(2026, 11, 23)),
        "מחר, עשרים ושלושה בנובמבר"
    );
    assert_eq!(
        he.day_and_date(date(2026, 11, 25)),
        "ביום רביעי, עשרים וחמישה בנובמבר"
    );
    assert_eq!(
        en.day_and_date(date(2026, 11, 23)),
        "tomorrow, November twenty-third"
    );
    for (day, hebrew) in [
        (2, "שניים בדצמבר"),
        (10, "עשרה בדצמבר"),
        (11, "אחד עשר בדצמבר"),
        (20, "עשרים בדצמבר"),
        (22, "עשרים ושניים בדצמבר"),
        (30, "שלושים בדצמבר"),
        (31, "שלושים ואחד בדצמבר"),
    ] {
        assert_eq!(he.date(date(2026, 12, day)), hebrew);
    }
    assert_eq!(en.date(date(2026, 12, 22)), "December twenty-second");
    assert_eq!(en.date(date(2026, 12, 31)), "December thirty-first");
}

#[test]
fn a_slot_is_said_as_its_day_then_its_time() {
    let zone = zone();
    let he = spoken(Lang::He, &zone);
    let en = spoken(Lang::En, &zone);
    let tomorrow = at(date(2026, 11, 23), 15, 0);
    assert_eq!(he.when(tomorrow), "מחר בשלוש אחר הצהריים");
    assert_eq!(
        he.when_in_full(tomorrow),
        "מחר, עשרים ושלושה בנובמבר, בשלוש אחר הצהריים"
    );
    assert_eq!(
        he.when(at(date(2026, 12, 1), 9, 30)),
        "ביום שלישי, אחד בדצמבר, בתשע וחצי בבוקר"
    );
    assert_eq!(
        he.when_in_full(at(date(2026, 11, 24), 20, 45)),
        "מחרתיים, עשרים וארבעה בנובמבר, ברבע לתשע בערב"
    );
    assert_eq!(en.when(tomorrow), "tomorrow at three in the afternoon");
    assert_eq!(
        en.when_in_full(tomorrow),
        "tomorrow, November twenty-third, at three in the afternoon"
    );
    assert_eq!(
        en.when(at(date(2026, 11, 26), 12, 0)),
        "on Thursday at noon"
    );
}
