//! Understanding a day and a time in a customer's message (Hebrew or English, typed or from
//! speech-to-text): [`understand`] gives every day-and-time the text can mean, as
//! [`Candidate`]s in the business's local time. It never guesses silently: a text that can
//! mean two things gives both, and the booking engine (which knows free slots) or the
//! conversation asks; a text that says no day and no time gives none.
//!
//! # Decisions
//!
//! * **A bare weekday** (`שלישי`, `ביום ג׳`, `friday`, `this friday`) is its nearest
//!   occurrence from today. When it is today's weekday: with a time still ahead today it is
//!   today, with a time already past it is next week's; with no time it is both today and
//!   next week's (two candidates, today first), since "Sunday" said on a Sunday is ambiguous.
//! * **`הבא` / `הבאה` / `next`** is the weekday in the next calendar week, weeks running
//!   Sunday to Saturday as in Israel: said on Sunday 22 Nov, `שלישי הבא` and `next tuesday`
//!   are Tue 1 Dec (not the 24th, which is the bare `שלישי`); said on a Saturday, `ראשון הבא`
//!   is the next day. Hebrew and English read it the same way.
//! * **A time with no day** is today if it is still ahead of `now` (strictly: said at 10:00,
//!   `10:00` is tomorrow), else tomorrow: its readings are chosen against today's hours, and
//!   only when none of them is still ahead is it read again against tomorrow's.
//! * **A bare hour 1–12** (`בשלוש`, `at 3`, `Friday 11`) means the reading inside the
//!   business's hours that day: with 09:00–17:00, 3 is 15:00 and 10 is 10:00. When both
//!   readings are inside, or neither is, both are given, morning first. On a date that is
//!   today, a reading already past is dropped when the other is still ahead.
//! * **A part of the day** decides the reading (`בשלוש אחה״צ` 15:00, `8 בערב` 20:00,
//!   `10 בבוקר` 10:00); a part of the day with no hour (`מחר בבוקר`) gives the day with no
//!   time, since it names a span, not a time. `הבוקר`, `הערב`, `הלילה`, `tonight`,
//!   `this afternoon` also say "today". `noon` is 12:00; `midnight`, `24:00`, `12am` and
//!   `12 בלילה` are never a booking time and give no time (a day said with them stands).
//! * **24-hour times** (`15:00`, `15.30`, `ב-15`, a leading zero as in `09:00`) have one
//!   reading. `3:30` without a leading zero is a bare hour with minutes.
//! * **A bare number** (or a bare hour word: `שלוש`, `three`) is an hour only right next to
//!   a day (`Friday 11`, `מחר 3`), joined to another hour (`at 4 or 5`), or with a part of
//!   the day (`8 בערב`); elsewhere (`3`, `שאלה אחת על מחר`) it is a count or a menu choice,
//!   and before a unit (`3 אנשים`) or after `אפשרות`/`option` it is never an hour.
//! * **Dates are day first**: `3/4` is 3 April. Without a year, a date already past this
//!   year is next year's (today's date is today). A written year is kept even if past (the
//!   engine refuses it with alternatives). A date the calendar lacks (`31/02`, `00/05`,
//!   `32/1`) gives nothing. `25.11` is a date; `15.30` a time; `10.10`, which can be both,
//!   is a time next to a day, a date next to a time, and otherwise both; `1.12`, whose
//!   minutes are off the booking grain, is only a date. A day of the month alone
//!   (`the 27th`, `ב-27 לחודש`) is this month's, or next month's once it has passed.
//! * **A date and a weekday together**: the date wins when the weekday agrees; when they
//!   disagree (`שלישי 25/11`, the 25th being a Wednesday) both are given.
//! * **Several days or times** (`מחר או מחרתיים בשלוש או בארבע`) give every combination.
//!   A day said with `מ` ("from": `ממחר`, `מיום שלישי`) or refused (`לא מחר`,
//!   `not tomorrow`) is dropped when another day is said, so "move it from Tuesday to
//!   Wednesday" gives Wednesday.
//! * Candidates come sorted by date, then time, without repeats.

mod english;
mod hebrew;
mod mention;
mod numbers;
mod scan;
mod scan_numbers;
pub(crate) mod text;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_table;

use jiff::civil::{Date, Time, Weekday};
use jiff::Zoned;
use serde::{Deserialize, Serialize};

use crate::domain::booking::settings::{Interval, WeeklyHours};
use mention::{Clock, DayRef, Mention};
use numbers::readings;

/// One day-and-time a text can mean, local to the business (the zone of `now`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Candidate {
    pub date: Date,
    /// `None`: the text named a day but no time.
    pub time: Option<Time>,
}

/// Every day-and-time `text` can mean, read at `now` for a business open `hours`. Empty for
/// a text that names no day and no time (a greeting, a question, garbage).
pub fn understand(text: &str, now: &Zoned, hours: &WeeklyHours) -> Vec<Candidate> {
    let words = text::tokens(text);
    let found = scan::scan(&words);
    let reader = Reader { now, hours };

    let mut days: Vec<(DayRef, bool)> = Vec::new();
    let mut clocks: Vec<Clock> = Vec::new();
    let mut either: Vec<(DayRef, Clock)> = Vec::new();
    for f in &found {
        match f.mention {
            Mention::Day { day, aside } => days.push((day, aside)),
            Mention::Clock(clock) => clocks.push(clock),
            Mention::DateOrClock { date, clock } => either.push((date, clock)),
            Mention::Part(_) | Mention::Next => {}
        }
    }
    // A `10.10`-like word is a time next to a day, and a date next to a time.
    if !days.is_empty() {
        clocks.extend(either.iter().map(|(_, clock)| *clock));
        return reader.candidates(&days, &clocks);
    }
    if !clocks.is_empty() || either.is_empty() {
        days.extend(either.iter().map(|(date, _)| (*date, false)));
        return reader.candidates(&days, &clocks);
    }
    // Only `10.10`-like words: every reading of each.
    let as_dates: Vec<(DayRef, bool)> = either.iter().map(|(d, _)| (*d, false)).collect();
    let as_clocks: Vec<Clock> = either.iter().map(|(_, c)| *c).collect();
    let mut out = reader.candidates(&as_dates, &[]);
    out.extend(reader.candidates(&[], &as_clocks));
    tidy(out)
}

fn tidy(mut out: Vec<Candidate>) -> Vec<Candidate> {
    out.sort();
    out.dedup();
    out
}

fn add_days(date: Date, days: i8) -> Option<Date> {
    date.checked_add(jiff::Span::new().days(days)).ok()
}

fn inside(intervals: &[Interval], time: Time) -> bool {
    intervals.iter().any(|i| i.start <= time && time < i.end)
}

struct Reader<'a> {
    now: &'a Zoned,
    hours: &'a WeeklyHours,
}

impl Reader<'_> {
    fn today(&self) -> Date {
        self.now.date()
    }

    fn is_ahead(&self, date: Date, time: Time) -> bool {
        date.to_datetime(time) > self.now.datetime()
    }

    fn candidates(&self, days: &[(DayRef, bool)], clocks: &[Clock]) -> Vec<Candidate> {
        let mut days: Vec<DayRef> = if days.iter().all(|(_, aside)| *aside) {
            days.iter().map(|(d, _)| *d).collect()
        } else {
            days.iter()
                .filter(|(_, aside)| !aside)
                .map(|(d, _)| *d)
                .collect()
        };
        // A weekday said with a date or `מחר` that falls on it adds nothing.
        let explicit: Vec<Date> = days
            .iter()
            .filter(|d| !matches!(d, DayRef::Weekday { next: false, .. }))
            .flat_map(|d| self.dates(*d))
            .collect();
        days.retain(|d| match d {
            DayRef::Weekday { day, next: false } => !explicit.iter().any(|e| e.weekday() == *day),
            _ => true,
        });

        let mut out = Vec::new();
        if days.is_empty() {
            let tomorrow = add_days(self.today(), 1);
            for clock in clocks {
                if !readings(clock).is_empty() {
                    out.extend(self.ahead_or(clock, tomorrow));
                }
            }
        }
        for day in &days {
            if clocks.is_empty() {
                out.extend(
                    self.dates(*day)
                        .into_iter()
                        .map(|date| Candidate { date, time: None }),
                );
            }
            for clock in clocks {
                out.extend(self.at(*day, clock));
            }
        }
        tidy(out)
    }

    /// The dates `day` can mean when no time was said.
    fn dates(&self, day: DayRef) -> Vec<Date> {
        let today = self.today();
        match day {
            DayRef::Offset(n) => add_days(today, n).into_iter().collect(),
            DayRef::Date { day, month, year } => self.date(day, month, year).into_iter().collect(),
            DayRef::MonthDay(day) => self.month_day(day).into_iter().collect(),
            DayRef::Weekday { day, next: true } => self.next_week(day).into_iter().collect(),
            DayRef::Weekday { day, next: false } => match today.weekday().until(day) {
                0 => [Some(today), add_days(today, 7)]
                    .into_iter()
                    .flatten()
                    .collect(),
                n => add_days(today, n).into_iter().collect(),
            },
        }
    }

    /// The candidates for `clock` on `day`.
    fn at(&self, day: DayRef, clock: &Clock) -> Vec<Candidate> {
        let today = self.today();
        if readings(clock).is_empty() {
            let dates = self.dates(day);
            return dates
                .into_iter()
                .map(|date| Candidate { date, time: None })
                .collect();
        }
        match day {
            DayRef::Weekday { day, next: false } if today.weekday() == day => {
                self.ahead_or(clock, add_days(today, 7))
            }
            DayRef::Offset(0) => {
                let times = self.times(clock, today);
                let ahead: Vec<Time> = times
                    .iter()
                    .copied()
                    .filter(|t| self.is_ahead(today, *t))
                    .collect();
                let times = if ahead.is_empty() { times } else { ahead };
                times
                    .into_iter()
                    .map(|t| Candidate {
                        date: today,
                        time: Some(t),
                    })
                    .collect()
            }
            _ => self
                .dates(day)
                .into_iter()
                .flat_map(|date| self.on(date, clock))
                .collect(),
        }
    }

    /// Today at `clock` if a reading is still ahead, else `fallback` at `clock`.
    fn ahead_or(&self, clock: &Clock, fallback: Option<Date>) -> Vec<Candidate> {
        let today = self.today();
        let ahead: Vec<Candidate> = self
            .times(clock, today)
            .into_iter()
            .filter(|t| self.is_ahead(today, *t))
            .map(|t| Candidate {
                date: today,
                time: Some(t),
            })
            .collect();
        if !ahead.is_empty() {
            return ahead;
        }
        fallback
            .map(|date| self.on(date, clock))
            .unwrap_or_default()
    }

    fn on(&self, date: Date, clock: &Clock) -> Vec<Candidate> {
        let times = self.times(clock, date);
        if times.is_empty() {
            return vec![Candidate { date, time: None }];
        }
        times
            .into_iter()
            .map(|t| Candidate {
                date,
                time: Some(t),
            })
            .collect()
    }

    /// The readings of `clock` that fit the hours on `date` (see the module docs).
    fn times(&self, clock: &Clock, date: Date) -> Vec<Time> {
        let all = readings(clock);
        if all.len() < 2 {
            return all;
        }
        let open = self.hours.on(date.weekday());
        let fitting: Vec<Time> = all.iter().copied().filter(|t| inside(open, *t)).collect();
        if fitting.len() == 1 {
            fitting
        } else {
            all
        }
    }

    fn date(&self, day: u8, month: u8, year: Option<i16>) -> Option<Date> {
        let (day, month) = (i8::try_from(day).ok()?, i8::try_from(month).ok()?);
        if let Some(year) = year {
            return Date::new(year, month, day).ok();
        }
        let today = self.today();
        Date::new(today.year(), month, day)
            .ok()
            .filter(|d| *d >= today)
            .or_else(|| Date::new(today.year().checked_add(1)?, month, day).ok())
    }

    /// The `day`th of this month, or of next month once it has passed (or this month lacks it).
    fn month_day(&self, day: u8) -> Option<Date> {
        let day = i8::try_from(day).ok()?;
        let today = self.today();
        let next_month = today
            .first_of_month()
            .checked_add(jiff::Span::new().months(1))
            .ok()?;
        Date::new(today.year(), today.month(), day)
            .ok()
            .filter(|d| *d >= today)
            .or_else(|| Date::new(next_month.year(), next_month.month(), day).ok())
    }

    /// `day` in the calendar week (Sunday to Saturday) after this one.
    fn next_week(&self, day: Weekday) -> Option<Date> {
        let today = self.today();
        let to_sunday = 7 - today.weekday().to_sunday_zero_offset();
        add_days(today, to_sunday + day.to_sunday_zero_offset())
    }
}
