//! Words to mentions: what each word (or run of words) says about a day or a time, and where
//! it was said, so modifiers (`הבא`, `בערב`) can find what they modify. Numbers and hour
//! words are read in `scan_numbers`.

use jiff::civil::Weekday;

use super::mention::{attach, gap, Clock, DayRef, Found, Mention, Part};
use super::numbers::{numeric, Numeric};
use super::text::{listed, DAY_WORDS};
use super::{english, hebrew};

/// Before a number, these make it a menu choice, not an hour.
pub(super) const CHOICE_WORDS: &str = "אפשרות האפשרות אופציה מספר option number";

/// After a number, these make it a count, not an hour: `3 אנשים`, `in 2 hours`.
pub(super) const UNITS: &str = "אנשים איש ימים שעות דקות דק שבועות חודשים שנים פעמים תורים \
    ילדים שח שקל שקלים people persons person ppl guests days hours hour hrs minutes mins min \
    weeks months years times kids nis shekels";

/// Before a day, these refuse it: `לא מחר, מחרתיים`, `not tomorrow`.
const REFUSALS: &str = "לא not";

/// Every mention in `words`, with `הבא`/`next` and parts of the day attached.
pub(super) fn scan(words: &[String]) -> Vec<Found> {
    let mut scanner = Scanner {
        words,
        found: Vec::new(),
    };
    let mut i = 0;
    while i < words.len() {
        i += scanner.step(i).max(1);
    }
    drop_lone_numbers(attach(scanner.found), words)
}

/// Between two hours: `4 or 5`, `2 עד 4`.
const CONNECTORS: &str = "או or עד to and till until";

/// A bare number stays an hour only right next to a day (`Friday 11`), or joined to an hour
/// that stays (`at 4 or 5`, `בין 2 ל-4`); anywhere else it is a count or a menu choice.
fn drop_lone_numbers(found: Vec<Found>, words: &[String]) -> Vec<Found> {
    let is_weak = |f: &Found| matches!(f.mention, Mention::Clock(c) if !c.strong);
    let next_to_day = |f: &Found| {
        found
            .iter()
            .any(|o| matches!(o.mention, Mention::Day { .. }) && gap(o, f) == 0)
    };
    let anchors: Vec<Found> = found
        .iter()
        .filter(|f| match f.mention {
            Mention::Clock(c) => c.strong || next_to_day(f),
            Mention::DateOrClock { .. } => true,
            _ => false,
        })
        .copied()
        .collect();
    let joined = |f: &Found| {
        anchors.iter().any(|a| {
            let between = words.get(a.end.min(f.end)).map_or("", String::as_str);
            gap(a, f) == 0 || (gap(a, f) == 1 && listed(CONNECTORS, between))
        })
    };
    found
        .iter()
        .filter(|f| !is_weak(f) || next_to_day(f) || joined(f))
        .copied()
        .collect()
}

pub(super) struct Scanner<'a> {
    words: &'a [String],
    found: Vec<Found>,
}

impl<'a> Scanner<'a> {
    /// The word at `i`, or `""` past the end.
    pub(super) fn word(&self, i: usize) -> &'a str {
        self.words.get(i).map_or("", String::as_str)
    }

    pub(super) fn push(&mut self, start: usize, len: usize, mention: Mention) {
        self.found.push(Found {
            start,
            end: start + len,
            mention,
        });
    }

    /// A day, set aside when said as "from" or after a negation (`לא מחר`).
    pub(super) fn day(&mut self, start: usize, len: usize, day: DayRef, from: bool) {
        let refused = start > 0 && listed(REFUSALS, self.word(start - 1));
        let aside = from || refused;
        self.push(start, len, Mention::Day { day, aside });
    }

    /// Whether the word before `i` says an hour follows (`בשעה`, `at`).
    pub(super) fn marked(&self, i: usize) -> bool {
        let before = if i == 0 { "" } else { self.word(i - 1) };
        listed(hebrew::HOUR_MARKERS, before) || listed(english::HOUR_MARKERS, before)
    }

    /// How many words were read at `i` (at least one, whether or not anything was found).
    fn step(&mut self, i: usize) -> usize {
        let (w, next) = (self.word(i), self.word(i + 1));
        // `בוקר טוב`, `good evening`: greetings.
        if (hebrew::part(w).is_some() && listed(hebrew::GREETING_AFTER, next))
            || (w == english::GREETING_BEFORE && english::part(next).is_some())
        {
            return 2;
        }
        if let Some(used) = self.phrase(i, w, next) {
            return used;
        }
        if let Some((offset, from)) = hebrew::day(w) {
            self.day(i, 1, DayRef::Offset(offset), from);
        } else if let Some((offset, evening)) = english::day(w) {
            self.day(i, 1, DayRef::Offset(offset), false);
            if evening {
                self.push(i, 1, Mention::Part(Part::Evening));
            }
        } else if let Some((day, from)) = hebrew::weekday(w) {
            self.day(i, 1, DayRef::weekday(day), from);
        } else if let Some(day) = english::weekday(w) {
            self.day(i, 1, DayRef::weekday(day), false);
        } else if listed(hebrew::NEXT, w) || listed(english::NEXT, w) {
            self.push(i, 1, Mention::Next);
        } else if let Some((part, today)) = hebrew::part(w) {
            self.push(i, 1, Mention::Part(part));
            if today {
                self.day(i, 1, DayRef::Offset(0), false);
            }
        } else if let Some(part) = english::part(w) {
            self.push(i, 1, Mention::Part(part));
        } else if listed(english::NOON, w) {
            self.push(i, 1, Mention::Clock(Clock::new(12, 0, true)));
        } else if let Some(used) = self.english_date(i, w, next) {
            return used;
        } else if let Some(used) = self.number(i, w) {
            return used;
        } else if let Some(used) = self.hour_word(i, w) {
            return used;
        }
        1
    }

    /// Runs of words read together; `None` when none starts at `i`.
    fn phrase(&mut self, i: usize, w: &str, next: &str) -> Option<usize> {
        let part_phrase = hebrew::PART_PHRASES
            .iter()
            .find(|(first, second, _)| listed(first, w) && listed(second, next));
        if let Some((_, _, part)) = part_phrase {
            self.push(i, 2, Mention::Part(*part));
            return Some(2);
        }
        let words = english::DAY_AFTER_TOMORROW.iter().enumerate();
        if words.clone().all(|(k, d)| self.word(i + k) == *d) {
            self.day(i, 3, DayRef::Offset(2), false);
            return Some(3);
        }
        if let Some((_, _, offset)) = english::RELATIVE
            .iter()
            .find(|(first, second, _)| *first == w && *second == next)
        {
            let third = self.word(i + 2);
            let hour = english::hour(third).or_else(|| hour_digits(third))?;
            self.push(i, 3, Mention::Clock(Clock::new(hour, *offset, true)));
            return Some(3);
        }
        if w == english::THIS {
            let part = english::part(next)?;
            self.push(i, 2, Mention::Part(part));
            self.day(i, 2, DayRef::Offset(0), false);
            return Some(2);
        }
        if listed(hebrew::SATURDAY_NIGHT, w) {
            let shabbat = hebrew::weekday(next).is_some_and(|(d, _)| d == Weekday::Saturday);
            let used = if shabbat { 2 } else { 1 };
            self.day(i, used, DayRef::weekday(Weekday::Saturday), false);
            self.push(i, used, Mention::Part(Part::Evening));
            return Some(used);
        }
        if listed(DAY_WORDS, w) {
            let day = hebrew::weekday_letter(next).or_else(|| {
                hebrew::weekday(next)
                    .filter(|(_, from)| !from)
                    .map(|(d, _)| d)
            });
            if let Some(day) = day {
                let from = hebrew::is_from(w.trim_end_matches("יום"));
                self.day(i, 2, DayRef::weekday(day), from);
                return Some(2);
            }
            return Some(1);
        }
        // `רבע לארבע`, `עשרה ל-5`: minutes before the hour.
        let before = hebrew::before(w)?;
        let rest = next.strip_prefix('ל')?;
        let mut hour = match hebrew::hour(rest) {
            Some(("", hour)) => hour,
            _ => hour_digits(rest)?,
        };
        let mut used = 2;
        // `רבע לשתים עשרה`
        if hour <= 2 && listed(hebrew::TEEN, self.word(i + 2)) {
            hour += 10;
            used += 1;
        }
        if listed(UNITS, self.word(i + used)) {
            return None;
        }
        self.push(i, used, Mention::Clock(Clock::new(hour, -before, true)));
        Some(used)
    }
}

/// An hour 1–12 in digits with nothing around it (`4` in `רבע ל-4`, `quarter to 4`).
fn hour_digits(word: &str) -> Option<u8> {
    match numeric(word)? {
        (Numeric::Int { value, .. }, None) if (1..=12).contains(&value) => u8::try_from(value).ok(),
        _ => None,
    }
}
