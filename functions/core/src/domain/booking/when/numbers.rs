//! Numbers written with digits (`3`, `15:00`, `25.11`, `25/11/2026`, `3pm`, `25th`) and the
//! clock arithmetic that turns an hour as said into the times of day it can mean.

use jiff::civil::Time;

use super::mention::{Clock, Part};

/// A word made of digits, read without context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Numeric {
    /// `3`, `15`, `2026`: at most four digits. `padded` as for `Colon` (`09`).
    Int {
        value: u16,
        digits: usize,
        padded: bool,
    },
    /// `15:00`, `3:30`, `09:00`. `padded` is a leading zero, which marks a 24-hour clock.
    Colon { hour: u8, minute: u8, padded: bool },
    /// `25.11`, `15.30`, `10.10`: a date or a time, decided with context.
    Dotted {
        first: u8,
        second: u8,
        second_digits: usize,
        padded: bool,
    },
    /// `25/11`, `25/11/2026`, `25.11.26`: day first, not yet checked against the calendar.
    Date {
        day: u8,
        month: u8,
        year: Option<i16>,
    },
}

/// What follows the digits inside the same word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Suffix {
    Am,
    Pm,
    /// `st`, `nd`, `rd`, `th`: a day of the month, never an hour.
    Ordinal,
}

const SUFFIXES: [(&str, Suffix); 8] = [
    ("a.m", Suffix::Am),
    ("p.m", Suffix::Pm),
    ("am", Suffix::Am),
    ("pm", Suffix::Pm),
    ("st", Suffix::Ordinal),
    ("nd", Suffix::Ordinal),
    ("rd", Suffix::Ordinal),
    ("th", Suffix::Ordinal),
];

fn digits(s: &str, min: usize, max: usize) -> Option<u16> {
    if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Clamped into `u8`: every caller has checked the length, so this never truncates a value
/// it then relies on.
fn small(v: u16) -> u8 {
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// `word` read as digits, with any `am`/`pm`/ordinal suffix split off.
pub(super) fn numeric(word: &str) -> Option<(Numeric, Option<Suffix>)> {
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (body, suffix) = SUFFIXES
        .iter()
        .find_map(|(s, kind)| word.strip_suffix(s).map(|b| (b, Some(*kind))))
        .unwrap_or((word, None));
    let body = body.trim_end_matches('.');
    if let Some(value) = digits(body, 1, 4) {
        let padded = body.len() == 2 && body.starts_with('0');
        return Some((
            Numeric::Int {
                value,
                digits: body.len(),
                padded,
            },
            suffix,
        ));
    }
    if let Some((h, m)) = body.split_once(':') {
        let (hour, minute) = (digits(h, 1, 2)?, digits(m, 2, 2)?);
        let padded = h.len() == 2 && h.starts_with('0');
        let colon = Numeric::Colon {
            hour: small(hour),
            minute: small(minute),
            padded,
        };
        return Some((colon, suffix));
    }
    let parts: Vec<&str> = body.split(['/', '.']).collect();
    match parts.as_slice() {
        [a, b] => {
            let (first, second) = (digits(a, 1, 2)?, digits(b, 1, 2)?);
            if body.contains('/') {
                let date = Numeric::Date {
                    day: small(first),
                    month: small(second),
                    year: None,
                };
                Some((date, suffix))
            } else {
                let dotted = Numeric::Dotted {
                    first: small(first),
                    second: small(second),
                    second_digits: b.len(),
                    padded: a.len() == 2 && a.starts_with('0'),
                };
                Some((dotted, suffix))
            }
        }
        [a, b, y] => {
            let year = match y.len() {
                2 => 2000 + i16::try_from(digits(y, 2, 2)?).ok()?,
                4 => i16::try_from(digits(y, 4, 4)?).ok()?,
                _ => return None,
            };
            let (day, month) = (digits(a, 1, 2)?, digits(b, 1, 2)?);
            Some((
                Numeric::Date {
                    day: small(day),
                    month: small(month),
                    year: Some(year),
                },
                suffix,
            ))
        }
        _ => None,
    }
}

/// The hour of a 24-hour day a part of the day gives to an hour said on a 12-hour clock.
fn with_part(hour: u8, part: Part) -> u8 {
    let h = hour % 12;
    match part {
        // `12am` is midnight.
        Part::Am => h,
        // `12 בבוקר` is not midnight, whatever else it is.
        Part::Morning => hour,
        // `11 בצהריים` is late morning, `2 בצהריים` early afternoon.
        Part::Noon if hour >= 11 => hour,
        Part::Noon | Part::Pm | Part::Afternoon => h + 12,
        // `12 בערב` / `12 בלילה` are midnight; `2 בלילה` is 02:00.
        Part::Evening | Part::Night if hour == 12 => 0,
        Part::Night if hour <= 5 => hour,
        Part::Evening | Part::Night => h + 12,
    }
}

fn time_of(minutes: i32) -> Option<Time> {
    let minutes = minutes.rem_euclid(24 * 60);
    // Midnight is never a booking time: `midnight`, `24:00`, `12 בלילה` give no time.
    if minutes == 0 {
        return None;
    }
    let hour = i8::try_from(minutes / 60).ok()?;
    let minute = i8::try_from(minutes % 60).ok()?;
    Time::new(hour, minute, 0, 0).ok()
}

/// Every time of day `clock` can mean, earliest first: one for a 24-hour time or an hour
/// with a part of the day, the morning and the evening reading for a bare hour 1–12.
pub(super) fn readings(clock: &Clock) -> Vec<Time> {
    let offset = i32::from(clock.offset);
    let hour = clock.hour;
    let hours: Vec<u8> = if clock.fixed || hour == 0 || hour > 12 {
        vec![hour]
    } else if let Some(part) = clock.part {
        vec![with_part(hour, part)]
    } else {
        vec![hour % 12, hour % 12 + 12]
    };
    let mut times: Vec<Time> = hours
        .into_iter()
        .filter_map(|h| time_of(i32::from(h) * 60 + offset))
        .collect();
    times.sort();
    times.dedup();
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    #[test]
    fn digit_forms() {
        let int = |value, digits| {
            Some((
                Numeric::Int {
                    value,
                    digits,
                    padded: false,
                },
                None,
            ))
        };
        assert_eq!(numeric("3"), int(3, 1));
        assert_eq!(numeric("2026"), int(2026, 4));
        assert_eq!(numeric("12345"), None);
        let three = Numeric::Int {
            value: 3,
            digits: 1,
            padded: false,
        };
        assert_eq!(numeric("3pm"), Some((three, Some(Suffix::Pm))));
        assert_eq!(
            numeric("10:30am"),
            Some((
                Numeric::Colon {
                    hour: 10,
                    minute: 30,
                    padded: false
                },
                Some(Suffix::Am)
            ))
        );
        assert_eq!(
            numeric("25.11.26"),
            Some((
                Numeric::Date {
                    day: 25,
                    month: 11,
                    year: Some(2026)
                },
                None
            ))
        );
        assert_eq!(numeric("1:5"), None);
        assert_eq!(numeric("25/11/999"), None);
        assert_eq!(numeric("abc"), None);
    }

    #[test]
    fn readings_of_an_hour() {
        let clock = |hour, offset, part| Clock {
            hour,
            offset,
            fixed: false,
            part,
            strong: true,
        };
        assert_eq!(
            readings(&clock(3, 0, None)),
            [time(3, 0, 0, 0), time(15, 0, 0, 0)]
        );
        assert_eq!(
            readings(&clock(4, -15, None)),
            [time(3, 45, 0, 0), time(15, 45, 0, 0)]
        );
        assert_eq!(readings(&clock(12, 0, None)), [time(12, 0, 0, 0)]);
        assert_eq!(
            readings(&clock(8, 0, Some(Part::Evening))),
            [time(20, 0, 0, 0)]
        );
        assert_eq!(readings(&clock(12, 0, Some(Part::Night))), []);
        assert_eq!(
            readings(&clock(2, 0, Some(Part::Noon))),
            [time(14, 0, 0, 0)]
        );
        assert_eq!(readings(&clock(24, 0, None)), []);
    }
}
