//! What the scanner finds in a text, and how modifiers attach to what they modify.

use jiff::civil::Weekday;

/// A part of the day, which decides between the two readings of an hour 1–12.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Am,
    Pm,
    Morning,
    Noon,
    Afternoon,
    Evening,
    Night,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DayRef {
    /// Today plus this many days.
    Offset(i8),
    /// A weekday; `next` is next calendar week's (see the module docs).
    Weekday { day: Weekday, next: bool },
    /// A day of the month with no month (`the 27th`, `ב-27 לחודש`): this month's, or next
    /// month's once it has passed.
    MonthDay(u8),
    /// Day first, as written; checked against the calendar when resolved.
    Date {
        day: u8,
        month: u8,
        year: Option<i16>,
    },
}

impl DayRef {
    pub(super) fn weekday(day: Weekday) -> Self {
        Self::Weekday { day, next: false }
    }
}

/// An hour as said: `hour` 0–24, `offset` minutes from it (negative for `רבע ל`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Clock {
    pub hour: u8,
    pub offset: i16,
    /// A 24-hour time (`15:00`, `09:00`, `ב-15`): one reading.
    pub fixed: bool,
    pub part: Option<Part>,
    /// Marked as an hour (`ב3`, `at 3`, `3pm`, `3:00`, `שלוש וחצי`). A bare number is only
    /// read as an hour next to a day (`Friday 11`), never alone (`3` is a menu choice).
    pub strong: bool,
}

impl Clock {
    /// `hour` (24-hour when 0 or 13–24) and `offset` minutes, no part of the day yet.
    pub(super) fn new(hour: u8, offset: i16, strong: bool) -> Self {
        let fixed = hour == 0 || hour >= 13;
        Self {
            hour,
            offset,
            fixed,
            part: None,
            strong,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mention {
    /// `aside`: said as a day not wanted, the one to move away from (`ממחר`, `מיום שלישי`)
    /// or a refused one (`לא מחר`, `not tomorrow`).
    Day {
        day: DayRef,
        aside: bool,
    },
    Clock(Clock),
    /// `10.10`: the 10th of October or 10:10, decided by the rest of the text.
    DateOrClock {
        date: DayRef,
        clock: Clock,
    },
    Part(Part),
    Next,
}

/// A mention and the words `start..end` it was read from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    pub mention: Mention,
}

/// Words between two mentions (0 when they touch or overlap).
pub(super) fn gap(a: &Found, b: &Found) -> usize {
    a.start
        .saturating_sub(b.end)
        .max(b.start.saturating_sub(a.end))
}

/// `הבא`/`next` marks the nearest weekday within three words (`יום ג׳ הבא`, `next monday`,
/// `שלישי בשבוע הבא`); a part of the day decides every bare hour it is nearest to (a tie goes
/// to the one after the hour: `בשמונה בבוקר או בשמונה בערב`).
pub(super) fn attach(mut found: Vec<Found>) -> Vec<Found> {
    let markers: Vec<Found> = found
        .iter()
        .copied()
        .filter(|f| f.mention == Mention::Next)
        .collect();
    for marker in &markers {
        let weekday = found
            .iter_mut()
            .filter(|f| {
                matches!(
                    f.mention,
                    Mention::Day {
                        day: DayRef::Weekday { .. },
                        ..
                    }
                )
            })
            .filter(|f| gap(f, marker) <= 3)
            .min_by_key(|f| gap(f, marker));
        if let Some(Found {
            mention:
                Mention::Day {
                    day: DayRef::Weekday { next, .. },
                    ..
                },
            ..
        }) = weekday
        {
            *next = true;
        }
    }
    let parts: Vec<(Found, Part)> = found
        .iter()
        .filter_map(|f| match f.mention {
            Mention::Part(p) => Some((*f, p)),
            _ => None,
        })
        .collect();
    for f in &mut found {
        let at = *f;
        let clock = match &mut f.mention {
            Mention::Clock(c) | Mention::DateOrClock { clock: c, .. } => c,
            _ => continue,
        };
        if clock.part.is_some() || clock.fixed {
            continue;
        }
        let nearest = parts
            .iter()
            .min_by_key(|(p, _)| (gap(p, &at), p.start < at.start))
            .map(|(_, part)| *part);
        if let Some(part) = nearest {
            clock.part = Some(part);
            clock.strong = true;
        }
    }
    found
}
