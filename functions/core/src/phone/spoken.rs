//! A day and a time as a caller hears them, in Hebrew or English: in words, never in digits
//! (text-to-speech reads `15:00` as "fifteen zero zero"), the day relative to today where
//! people say it so (היום, מחר, מחרתיים, ביום שלישי), the date as it is spoken.
//!
//! Hebrew hours are feminine (שעה): אחת, שתיים, שלוש … שתים עשרה, with ורבע, וחצי and רבע ל־,
//! and the part of the day of the hour named (בבוקר, בצהריים, אחר הצהריים, בערב, בלילה), so
//! 11:45 is "ברבע לשתים עשרה בצהריים". Days of the month are masculine, as dates are said:
//! "עשרים וחמישה בנובמבר".

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::booking::dialogue::state::Lang;
use crate::booking::dialogue::words::{HE_DAYS, HE_MONTHS};

const HE_HOURS: [&str; 12] = [
    "אחת",
    "שתיים",
    "שלוש",
    "ארבע",
    "חמש",
    "שש",
    "שבע",
    "שמונה",
    "תשע",
    "עשר",
    "אחת עשרה",
    "שתים עשרה",
];
const HE_UNITS_MASCULINE: [&str; 9] = [
    "אחד",
    "שניים",
    "שלושה",
    "ארבעה",
    "חמישה",
    "שישה",
    "שבעה",
    "שמונה",
    "תשעה",
];
const HE_TEENS_MASCULINE: [&str; 9] = [
    "אחד עשר",
    "שנים עשר",
    "שלושה עשר",
    "ארבעה עשר",
    "חמישה עשר",
    "שישה עשר",
    "שבעה עשר",
    "שמונה עשר",
    "תשעה עשר",
];
const HE_UNITS_FEMININE: [&str; 9] = [
    "אחת",
    "שתיים",
    "שלוש",
    "ארבע",
    "חמש",
    "שש",
    "שבע",
    "שמונה",
    "תשע",
];
const HE_TEENS_FEMININE: [&str; 9] = [
    "אחת עשרה",
    "שתים עשרה",
    "שלוש עשרה",
    "ארבע עשרה",
    "חמש עשרה",
    "שש עשרה",
    "שבע עשרה",
    "שמונה עשרה",
    "תשע עשרה",
];
const HE_TENS: [&str; 4] = ["עשרים", "שלושים", "ארבעים", "חמישים"];

const EN_ONES: [&str; 19] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const EN_TENS: [&str; 4] = ["twenty", "thirty", "forty", "fifty"];
const EN_ORDINALS: [&str; 19] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const EN_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days and times said to one caller: in `lang`, in the business's zone, relative to `today`
/// (the business's local date now).
pub struct Spoken<'a> {
    pub lang: Lang,
    pub zone: &'a TimeZone,
    pub today: Date,
}

impl Spoken<'_> {
    /// `מחר בשלוש אחר הצהריים`, `ביום שלישי, עשרים וחמישה בנובמבר, בשלוש אחר הצהריים` /
    /// `tomorrow at three in the afternoon`: the day as people say it, then the time.
    pub fn when(&self, at: Timestamp) -> String {
        let local = self.zone.to_datetime(at);
        self.join(self.day(local.date()), self.time(local.time()))
    }

    /// The same with the date always said: `מחר, עשרים וחמישה בנובמבר, בשלוש אחר הצהריים`.
    /// For a confirmation, where a misheard day costs the caller a visit.
    pub fn when_in_full(&self, at: Timestamp) -> String {
        let local = self.zone.to_datetime(at);
        self.join(self.day_and_date(local.date()), self.time(local.time()))
    }

    fn join(&self, day: String, time: String) -> String {
        // A day with a date in it is a list already: another comma before the time.
        if day.contains(',') {
            format!("{day}, {time}")
        } else {
            format!("{day} {time}")
        }
    }

    /// Days from today to `date` (negative before it).
    fn offset(&self, date: Date) -> i64 {
        self.today
            .until(date)
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(i64::MAX)
    }

    /// `היום`, `מחר`, `מחרתיים`, `ביום שלישי` within the week, else with the date /
    /// `today`, `tomorrow`, `the day after tomorrow`, `on Tuesday`, `on Tuesday, November
    /// twenty-fifth`.
    pub fn day(&self, date: Date) -> String {
        match (self.lang, self.offset(date)) {
            (Lang::He, 0) => "היום".into(),
            (Lang::He, 1) => "מחר".into(),
            (Lang::He, 2) => "מחרתיים".into(),
            (Lang::He, 3..=6) => format!("ביום {}", he_weekday(date)),
            (Lang::He, _) => format!("ביום {}, {}", he_weekday(date), self.date(date)),
            (Lang::En, 0) => "today".into(),
            (Lang::En, 1) => "tomorrow".into(),
            (Lang::En, 2) => "the day after tomorrow".into(),
            (Lang::En, 3..=6) => format!("on {}", en_weekday(date)),
            (Lang::En, _) => format!("on {}, {}", en_weekday(date), self.date(date)),
        }
    }

    /// [`Spoken::day`] with the date always: `מחר, עשרים וחמישה בנובמבר`.
    pub fn day_and_date(&self, date: Date) -> String {
        match self.offset(date) {
            0..=2 => format!("{}, {}", self.day(date), self.date(date)),
            _ => match self.lang {
                Lang::He => format!("ביום {}, {}", he_weekday(date), self.date(date)),
                Lang::En => format!("on {}, {}", en_weekday(date), self.date(date)),
            },
        }
    }

    /// `עשרים וחמישה בנובמבר` / `November twenty-fifth`.
    pub fn date(&self, date: Date) -> String {
        let month = (date.month() - 1) as usize;
        let day = date.day() as u8;
        match self.lang {
            Lang::He => format!("{} ב{}", he_number(day, false), HE_MONTHS[month]),
            Lang::En => format!("{} {}", EN_MONTHS[month], en_ordinal(day)),
        }
    }

    /// `בשלוש אחר הצהריים`, `בתשע וחצי בבוקר`, `ברבע לתשע בערב` / `at three in the
    /// afternoon`, `at half past nine in the morning`, `at a quarter to nine in the evening`.
    pub fn time(&self, at: Time) -> String {
        match self.lang {
            Lang::He => he_time(at.hour(), at.minute()),
            Lang::En => en_time(at.hour(), at.minute()),
        }
    }
}

fn he_weekday(date: Date) -> &'static str {
    HE_DAYS[date.weekday().to_sunday_zero_offset() as usize]
}

fn en_weekday(date: Date) -> &'static str {
    EN_DAYS[date.weekday().to_sunday_zero_offset() as usize]
}

/// The hour on a twelve-hour clock, as an index into the hour words (12 and 0 are twelve).
fn twelve(hour: i8) -> usize {
    (hour.rem_euclid(12) as usize + 11) % 12
}

/// 1–59 in words, feminine (hours, minutes) or masculine (days of the month).
fn he_number(n: u8, feminine: bool) -> String {
    let (units, teens, ten) = if feminine {
        (HE_UNITS_FEMININE, HE_TEENS_FEMININE, "עשר")
    } else {
        (HE_UNITS_MASCULINE, HE_TEENS_MASCULINE, "עשרה")
    };
    match n {
        1..=9 => units[usize::from(n - 1)].into(),
        10 => ten.into(),
        11..=19 => teens[usize::from(n - 11)].into(),
        20..=59 if n.is_multiple_of(10) => HE_TENS[usize::from(n / 10 - 2)].into(),
        20..=59 => format!(
            "{} ו{}",
            HE_TENS[usize::from(n / 10 - 2)],
            units[usize::from(n % 10 - 1)]
        ),
        _ => n.to_string(),
    }
}

/// The part of the day an hour (0–23) is in, in Hebrew.
fn he_part(hour: i8) -> &'static str {
    match hour {
        5..=11 => "בבוקר",
        12..=13 => "בצהריים",
        14..=17 => "אחר הצהריים",
        18..=21 => "בערב",
        _ => "בלילה",
    }
}

fn he_time(hour: i8, minute: i8) -> String {
    let next = (hour + 1) % 24;
    let said = |h: i8| HE_HOURS[twelve(h)];
    let minutes = |m: i8| he_number(m as u8, true);
    // The hour named decides the part of the day: 20:45 is "רבע לתשע בערב".
    let (clock, named) = match minute {
        0 => (said(hour).to_string(), hour),
        15 => (format!("{} ורבע", said(hour)), hour),
        30 => (format!("{} וחצי", said(hour)), hour),
        45 => (format!("רבע ל{}", said(next)), next),
        1..=14 => (format!("{} ו{} דקות", said(hour), minutes(minute)), hour),
        16..=34 => (format!("{} ו{}", said(hour), minutes(minute)), hour),
        35..=44 => (format!("{} ל{}", minutes(60 - minute), said(next)), next),
        _ => (
            format!("{} דקות ל{}", minutes(60 - minute), said(next)),
            next,
        ),
    };
    format!("ב{clock} {}", he_part(named))
}

/// 1–59 in words: `twenty-five`.
fn en_number(n: u8) -> String {
    match n {
        1..=19 => EN_ONES[usize::from(n - 1)].into(),
        20..=59 if n.is_multiple_of(10) => EN_TENS[usize::from(n / 10 - 2)].into(),
        20..=59 => format!(
            "{}-{}",
            EN_TENS[usize::from(n / 10 - 2)],
            EN_ONES[usize::from(n % 10 - 1)]
        ),
        _ => n.to_string(),
    }
}

/// 1–31 as an ordinal in words: `twenty-fifth`.
fn en_ordinal(n: u8) -> String {
    match n {
        1..=19 => EN_ORDINALS[usize::from(n - 1)].into(),
        20 => "twentieth".into(),
        30 => "thirtieth".into(),
        21..=29 | 31 => format!(
            "{}-{}",
            EN_TENS[usize::from(n / 10 - 2)],
            EN_ORDINALS[usize::from(n % 10 - 1)]
        ),
        _ => n.to_string(),
    }
}

fn en_part(hour: i8) -> &'static str {
    match hour {
        5..=11 => "in the morning",
        12..=17 => "in the afternoon",
        18..=21 => "in the evening",
        _ => "at night",
    }
}

fn en_time(hour: i8, minute: i8) -> String {
    match (hour, minute) {
        (12, 0) => return "at noon".into(),
        (0, 0) => return "at midnight".into(),
        _ => {}
    }
    let next = (hour + 1) % 24;
    let said = |h: i8| EN_ONES[twelve(h)];
    let minutes = |m: i8| {
        let words = en_number(m as u8);
        if m % 5 == 0 {
            words
        } else {
            format!("{words} minutes")
        }
    };
    let clock = match minute {
        0 => said(hour).to_string(),
        15 => format!("a quarter past {}", said(hour)),
        30 => format!("half past {}", said(hour)),
        45 => format!("a quarter to {}", said(next)),
        1..=29 => format!("{} past {}", minutes(minute), said(hour)),
        _ => format!("{} to {}", minutes(60 - minute), said(next)),
    };
    format!("at {clock} {}", en_part(hour))
}
