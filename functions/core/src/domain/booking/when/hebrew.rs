//! Hebrew words for days, hours and parts of the day, as typed and as speech-to-text writes
//! them. Words arrive cleaned (see `text::tokens`): no niqqud, no geresh or gershayim.
//! Tables list space-separated spellings with their value.

use jiff::civil::Weekday;

use super::mention::Part;
use super::text::{listed, lookup};

/// `ו` (and), `ב` (on/at), `ל` (for), `מ` (from): the prefixes a day or an hour takes.
const PREFIXES: &[&str] = &["וב", "ול", "ומ", "ב", "ל", "מ", "ו"];
/// An hour with `ו` alone is minutes (`וחצי`, `ועשרה`), so an hour takes these only.
const HOUR_PREFIXES: &[&str] = &["וב", "ול", "ומ", "ב", "ל", "מ"];
const PART_PREFIXES: &[&str] = &["וב", "ב", "ה"];
const MONTH_PREFIXES: &[&str] = &["ב", "ל"];

const DAYS: [(&str, i8); 3] = [("היום", 0), ("מחר", 1), ("מחרתיים מחרתים", 2)];

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("ראשון", Weekday::Sunday),
    ("שני", Weekday::Monday),
    ("שלישי", Weekday::Tuesday),
    ("רביעי", Weekday::Wednesday),
    ("חמישי", Weekday::Thursday),
    ("שישי", Weekday::Friday),
    ("שבת", Weekday::Saturday),
];

/// `יום א` … `יום ו`, `יום ש`; only read after `יום`, where a lone letter can be nothing else.
const WEEKDAY_LETTERS: [(&str, Weekday); 7] = [
    ("א", Weekday::Sunday),
    ("ב", Weekday::Monday),
    ("ג", Weekday::Tuesday),
    ("ד", Weekday::Wednesday),
    ("ה", Weekday::Thursday),
    ("ו", Weekday::Friday),
    ("ש", Weekday::Saturday),
];

/// Hours are said in the feminine (`בשלוש`); speech-to-text sometimes writes the masculine.
/// `עשרה` is left out: alone it is more often "ten people" or `ועשרה` minutes.
const HOURS: [(&str, u8); 12] = [
    ("אחת אחד", 1),
    ("שתיים שתים", 2),
    ("שלוש שלושה", 3),
    ("ארבע ארבעה", 4),
    ("חמש חמישה", 5),
    ("שש שישה", 6),
    ("שבע שבעה", 7),
    ("שמונה", 8),
    ("תשע תשעה", 9),
    ("עשר", 10),
    ("אחתעשרה", 11),
    ("שתייםעשרה שתיםעשרה", 12),
];

/// After an hour word 1–9, `עשרה`/`עשר` makes it 11–19 (`אחת עשרה`, `שתים עשרה`).
pub(super) const TEEN: &str = "עשרה עשר";

/// Minutes after the hour, always with `ו`: `שלוש וחצי`, `ארבע ורבע`, `חמש ועשרים`.
const MINUTES: [(&str, i16); 8] = [
    ("חצי", 30),
    ("רבע", 15),
    ("עשרה עשר", 10),
    ("עשרים", 20),
    ("חמישה חמש", 5),
    ("שלושים", 30),
    ("ארבעים", 40),
    ("חמישים", 50),
];

/// Minutes that follow an hour even without `ו`.
const TENS: &str = "עשרים שלושים ארבעים חמישים";

/// Minutes before the hour: `רבע לארבע` is 3:45. Only words that are not themselves hours,
/// so `חמש לשש` stays two hours rather than a guess.
const BEFORE: [(&str, i16); 4] = [("רבע", 15), ("עשרה", 10), ("עשרים", 20), ("חמישה", 5)];

const PARTS: [(&str, Part); 6] = [
    ("בוקר", Part::Morning),
    ("צהריים צהרים צהרי", Part::Noon),
    ("אחהצ", Part::Afternoon),
    ("ערב", Part::Evening),
    ("לילה", Part::Night),
    ("לפנהצ", Part::Am),
];

/// Two-word parts of the day.
pub(super) const PART_PHRASES: [(&str, &str, Part); 4] = [
    ("אחר אחרי", "הצהריים הצהרים", Part::Afternoon),
    ("לפני", "הצהריים הצהרים", Part::Am),
    ("לפנות", "ערב", Part::Evening),
    ("לפנות", "בוקר", Part::Am),
];

const MONTHS: [(&str, u8); 12] = [
    ("ינואר", 1),
    ("פברואר", 2),
    ("מרץ מרס", 3),
    ("אפריל", 4),
    ("מאי", 5),
    ("יוני", 6),
    ("יולי", 7),
    ("אוגוסט", 8),
    ("ספטמבר", 9),
    ("אוקטובר", 10),
    ("נובמבר", 11),
    ("דצמבר", 12),
];

pub(super) const NEXT: &str = "הבא הבאה";
/// After a number: `ב-27 לחודש`, the 27th of the month.
pub(super) const OF_MONTH: &str = "לחודש בחודש";
pub(super) const HOUR_MARKERS: &str = "שעה בשעה לשעה בסביבות סביבות";
/// `בוקר טוב`, `ערב טוב`, `צהריים טובים`: a greeting, not a part of the day.
pub(super) const GREETING_AFTER: &str = "טוב טובים טובה";
/// Saturday night: `מוצאי שבת`, `מוצ״ש`.
pub(super) const SATURDAY_NIGHT: &str = "מוצאי במוצאי למוצאי מוצש במוצש";

/// A prefix that makes what follows a "from" (`ממחר`, `מיום שלישי`), as in "move it from
/// Tuesday to Wednesday".
pub(super) fn is_from(prefix: &str) -> bool {
    prefix.contains('מ')
}

/// `ב`/`ל` before an hour says it is an hour (`ב3`, `לשלוש`) rather than a count.
pub(super) fn is_at(prefix: &str) -> bool {
    prefix.contains('ב') || prefix.contains('ל')
}

/// `היום`, `מחר`, `מחרתיים` as days from today, and whether it was "from".
pub(super) fn day(word: &str) -> Option<(i8, bool)> {
    lookup(word, PREFIXES, &DAYS).map(|(p, d)| (d, is_from(p)))
}

pub(super) fn weekday(word: &str) -> Option<(Weekday, bool)> {
    lookup(word, PREFIXES, &WEEKDAYS).map(|(p, d)| (d, is_from(p)))
}

pub(super) fn weekday_letter(word: &str) -> Option<Weekday> {
    lookup(word, &[], &WEEKDAY_LETTERS).map(|(_, d)| d)
}

/// An hour word and its prefix (`בשלוש` is `("ב", 3)`).
pub(super) fn hour(word: &str) -> Option<(&'static str, u8)> {
    lookup(word, HOUR_PREFIXES, &HOURS)
}

/// Minutes after the hour: `וחצי` is 30; tens also without `ו`, as speech-to-text writes
/// `שמונה ארבעים וחמש`.
pub(super) fn minutes(word: &str) -> Option<i16> {
    match word.strip_prefix('ו') {
        Some(rest) => lookup(rest, &[], &MINUTES).map(|(_, m)| m),
        None if listed(TENS, word) => lookup(word, &[], &MINUTES).map(|(_, m)| m),
        None => None,
    }
}

/// Minutes before the hour (`רבע`, `ברבע`), to be followed by `ל` and an hour.
pub(super) fn before(word: &str) -> Option<i16> {
    lookup(word, &["ב", "ל"], &BEFORE).map(|(_, m)| m)
}

/// A part of the day, and whether it says "today" (`הערב`, `הבוקר`, `הלילה`).
pub(super) fn part(word: &str) -> Option<(Part, bool)> {
    lookup(word, PART_PREFIXES, &PARTS).map(|(p, part)| (part, p == "ה"))
}

pub(super) fn month(word: &str) -> Option<u8> {
    lookup(word, MONTH_PREFIXES, &MONTHS).map(|(_, m)| m)
}
