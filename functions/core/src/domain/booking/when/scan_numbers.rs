//! The scanner's reading of numbers (digits and hour words) and the dates they begin.

use super::mention::{Clock, DayRef, Mention, Part};
use super::numbers::{numeric, Numeric, Suffix};
use super::scan::{Scanner, CHOICE_WORDS, UNITS};
use super::text::{listed, unprefixed};
use super::{english, hebrew};
use crate::domain::booking::settings::MINUTE_GRAIN;

/// Prefixes a number may carry: `ב3`, `ל-15:00`, `ה-25` (the 25th), `מ-3`.
const NUMBER_PREFIXES: &[&str] = &["וב", "ול", "ב", "ל", "מ", "ה"];

/// A number read at one word: its digits, suffix, and whether a prefix or the word before
/// marks it as an hour.
struct Number {
    value: u16,
    digits: usize,
    padded: bool,
    suffix: Option<Suffix>,
    at: bool,
}

impl Scanner<'_> {
    /// `Nov 25`, `November 25th 2026`.
    pub(super) fn english_date(&mut self, i: usize, w: &str, next: &str) -> Option<usize> {
        let month = english::month(w)?;
        let day = match numeric(next)? {
            (
                Numeric::Int {
                    value,
                    digits: 1 | 2,
                    ..
                },
                None | Some(Suffix::Ordinal),
            ) => value,
            _ => return None,
        };
        let (year, used) = self.year_at(i + 2).map_or((None, 2), |y| (Some(y), 3));
        let date = DayRef::Date {
            day: u8::try_from(day).ok()?,
            month,
            year,
        };
        self.day(i, used, date, false);
        Some(used)
    }

    fn year_at(&self, i: usize) -> Option<i16> {
        match numeric(self.word(i))? {
            (
                Numeric::Int {
                    value, digits: 4, ..
                },
                None,
            ) => i16::try_from(value).ok(),
            _ => None,
        }
    }

    /// A word of digits, possibly with a Hebrew prefix: a date, a time, or an hour.
    pub(super) fn number(&mut self, i: usize, w: &str) -> Option<usize> {
        let (prefix, (num, suffix)) =
            unprefixed(w, NUMBER_PREFIXES).find_map(|(p, rest)| numeric(rest).map(|n| (p, n)))?;
        let at = hebrew::is_at(prefix) || self.marked(i);
        let part = match suffix {
            Some(Suffix::Am) => Some(Part::Am),
            Some(Suffix::Pm) => Some(Part::Pm),
            _ => None,
        };
        let clock = |hour: u8, minute: u8, padded: bool| Clock {
            part,
            fixed: padded || hour == 0 || hour >= 13,
            ..Clock::new(hour, i16::from(minute), true)
        };
        let from = hebrew::is_from(prefix);
        let mention = match num {
            Numeric::Date { day, month, year } => {
                self.day(i, 1, DayRef::Date { day, month, year }, from);
                return Some(1);
            }
            Numeric::Colon {
                hour,
                minute,
                padded,
            } if hour <= 24 && minute <= 59 => Mention::Clock(clock(hour, minute, padded)),
            Numeric::Colon { .. } => return Some(1),
            Numeric::Dotted {
                first,
                second,
                second_digits,
                padded,
            } => {
                let time_ok = first <= 23 && second_digits == 2 && second <= 59;
                let date_ok = (1..=31).contains(&first) && (1..=12).contains(&second);
                // Bookings start on the minute grain: `1.12` is the 1st of December, not 1:12.
                let on_grain = u32::from(second) % MINUTE_GRAIN == 0;
                let date = DayRef::Date {
                    day: first,
                    month: second,
                    year: None,
                };
                if time_ok && (at || part.is_some() || !date_ok) {
                    Mention::Clock(clock(first, second, padded))
                } else if time_ok && on_grain {
                    Mention::DateOrClock {
                        date,
                        clock: clock(first, second, padded),
                    }
                } else if date_ok {
                    self.day(i, 1, date, from);
                    return Some(1);
                } else {
                    return Some(1);
                }
            }
            Numeric::Int {
                value,
                digits,
                padded,
            } => {
                let number = Number {
                    value,
                    digits,
                    padded,
                    suffix,
                    at,
                };
                return Some(self.int(i, number, part));
            }
        };
        self.push(i, 1, mention);
        Some(1)
    }

    /// A whole number: a day of the month before a month name, an hour, or nothing.
    fn int(&mut self, i: usize, n: Number, part: Option<Part>) -> usize {
        let next = self.word(i + 1);
        let small = u8::try_from(n.value).unwrap_or(u8::MAX);
        // `25 בנובמבר`, `25 November`, `25th of November`.
        if n.digits <= 2 && (1..=31).contains(&small) && part.is_none() {
            let (month, used) = match hebrew::month(next).or_else(|| english::month(next)) {
                Some(month) => (Some(month), 2),
                None if next == english::OF => (english::month(self.word(i + 2)), 3),
                None => (None, 0),
            };
            if let Some(month) = month {
                let (year, used) = match self.year_at(i + used) {
                    Some(year) => (Some(year), used + 1),
                    None => (None, used),
                };
                self.day(
                    i,
                    used,
                    DayRef::Date {
                        day: small,
                        month,
                        year,
                    },
                    false,
                );
                return used;
            }
        }
        // `the 27th`, `ב-27 לחודש`: a day of this month or the next.
        let of_month = listed(hebrew::OF_MONTH, next);
        if n.digits <= 2
            && (1..=31).contains(&small)
            && (n.suffix == Some(Suffix::Ordinal) || of_month)
        {
            let used = if of_month { 2 } else { 1 };
            self.day(i, used, DayRef::MonthDay(small), false);
            return used;
        }
        let before = if i == 0 { "" } else { self.word(i - 1) };
        if n.suffix == Some(Suffix::Ordinal)
            || n.digits > 2
            || small > 24
            || listed(CHOICE_WORDS, before)
            || listed(UNITS, next)
        {
            return 1;
        }
        let mut clock = Clock {
            part,
            fixed: n.padded || small == 0 || small >= 13,
            ..Clock::new(small, 0, n.at || part.is_some())
        };
        let mut used = 1;
        if listed(english::OCLOCK, next) {
            clock.strong = true;
            used += 1;
        }
        used += self.minutes_after(i + used, &mut clock);
        self.push(i, used, Mention::Clock(clock));
        used
    }

    /// `וחצי`, `ועשרים וחמש` after an hour: the words read, added to `clock`.
    fn minutes_after(&self, i: usize, clock: &mut Clock) -> usize {
        let Some(first) = hebrew::minutes(self.word(i)) else {
            return 0;
        };
        clock.offset += first;
        clock.strong = true;
        match hebrew::minutes(self.word(i + 1)) {
            Some(5) if first >= 20 && first % 10 == 0 => {
                clock.offset += 5;
                2
            }
            _ => 1,
        }
    }

    /// `בשלוש`, `שתים עשרה`, `at three thirty`.
    pub(super) fn hour_word(&mut self, i: usize, w: &str) -> Option<usize> {
        let (hour, strong) = match hebrew::hour(w) {
            Some((prefix, hour)) => (hour, hebrew::is_at(prefix) || self.marked(i)),
            None => (english::hour(w)?, self.marked(i)),
        };
        let mut clock = Clock::new(hour, 0, strong);
        let mut used = 1;
        if hour <= 9 && listed(hebrew::TEEN, self.word(i + 1)) {
            clock = Clock::new(hour + 10, 0, strong);
            used += 1;
        }
        let next = self.word(i + used);
        if listed(UNITS, next) {
            return Some(used + 1);
        }
        if let Some(minutes) = english::minutes(next) {
            clock.offset += minutes;
            clock.strong = true;
            used += 1;
        } else if listed(english::OCLOCK, next) {
            clock.strong = true;
            used += 1;
        }
        used += self.minutes_after(i + used, &mut clock);
        self.push(i, used, Mention::Clock(clock));
        Some(used)
    }
}
