//! When a reminder goes out: `offset` before the appointment's start, moved back into the
//! outreach window when it falls outside it (to the window's end on the same local day when it
//! is after hours, to the previous day's end when it is before them), and skipped when that is
//! already past or not before the appointment. Local times are the business's zone's, with DST.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::OutreachWindow;

/// The moment the reminder `offset_minutes` before `start` goes out, or `None` when it would
/// be at or before `now` or not before `start`.
pub fn due_at(
    start: Timestamp,
    offset_minutes: u32,
    window: &OutreachWindow,
    zone: &TimeZone,
    now: Timestamp,
) -> Option<Timestamp> {
    let nominal = start
        .checked_sub(SignedDuration::from_mins(i64::from(offset_minutes)))
        .ok()?;
    let local = zone.to_datetime(nominal);
    let time = local.time();
    let due = if time < window.from.0 {
        let day = local.date().yesterday().ok()?;
        at(zone, day.to_datetime(window.to.0))?
    } else if time > window.to.0 {
        at(zone, local.date().to_datetime(window.to.0))?
    } else {
        nominal
    };
    (due > now && due < start).then_some(due)
}

/// A local wall time as an instant (a time in a spring-forward gap moves forward, as
/// everywhere in Frontdesk's booking).
fn at(zone: &TimeZone, local: DateTime) -> Option<Timestamp> {
    zone.to_ambiguous_timestamp(local).compatible().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reminder::LocalTime;

    fn window(from: &str, to: &str) -> OutreachWindow {
        OutreachWindow {
            from: LocalTime::parse(from).unwrap(),
            to: LocalTime::parse(to).unwrap(),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn jerusalem() -> TimeZone {
        TimeZone::get("Asia/Jerusalem").unwrap()
    }

    #[test]
    fn a_reminder_inside_the_window_is_due_its_offset_before() {
        // 15:00 Jerusalem (+02:00) on 24 Nov; 24 h before is 15:00 on 23 Nov.
        let due = due_at(
            ts("2026-11-24T13:00:00Z"),
            1440,
            &window("09:00", "20:00"),
            &jerusalem(),
            ts("2026-11-20T00:00:00Z"),
        );
        assert_eq!(due, Some(ts("2026-11-23T13:00:00Z")));
    }

    #[test]
    fn a_reminder_before_the_window_moves_to_the_previous_evening() {
        // 09:30 local; 2 h before is 07:30, before 09:00: the previous day's 20:00 local.
        let due = due_at(
            ts("2026-11-24T07:30:00Z"),
            120,
            &window("09:00", "20:00"),
            &jerusalem(),
            ts("2026-11-20T00:00:00Z"),
        );
        assert_eq!(due, Some(ts("2026-11-23T18:00:00Z")));
    }

    #[test]
    fn a_reminder_after_the_window_moves_to_its_end_that_day() {
        // 10:00 local; 13 h before is 21:00 the day before: moved to 20:00 that day.
        let due = due_at(
            ts("2026-11-24T08:00:00Z"),
            13 * 60,
            &window("09:00", "20:00"),
            &jerusalem(),
            ts("2026-11-20T00:00:00Z"),
        );
        assert_eq!(due, Some(ts("2026-11-23T18:00:00Z")));
    }

    #[test]
    fn a_reminder_that_would_be_past_or_after_the_start_is_skipped() {
        let start = ts("2026-11-24T07:30:00Z");
        // Booked at 21:00 local the evening before: the moved 20:00 is already past.
        assert_eq!(
            due_at(
                start,
                120,
                &window("09:00", "20:00"),
                &jerusalem(),
                ts("2026-11-23T19:00:00Z")
            ),
            None
        );
        // A reminder 24 h before an appointment booked an hour ahead.
        assert_eq!(
            due_at(
                start,
                1440,
                &window("00:00", "23:59"),
                &jerusalem(),
                ts("2026-11-24T06:30:00Z")
            ),
            None
        );
    }

    #[test]
    fn the_window_is_the_business_zones_across_a_dst_change() {
        // New York falls back on 1 Nov 2026: 09:00 EST on 2 Nov is 14:00Z; 24 h before is
        // 09:00 EST on 1 Nov (after the change) = 14:00Z, inside 08:00-20:00.
        let ny = TimeZone::get("America/New_York").unwrap();
        let due = due_at(
            ts("2026-11-02T14:00:00Z"),
            1440,
            &window("08:00", "20:00"),
            &ny,
            ts("2026-10-30T00:00:00Z"),
        );
        assert_eq!(due, Some(ts("2026-11-01T14:00:00Z")));
        // 30 minutes before 08:15 EDT on 31 Oct (12:15Z) is 07:45 EDT: moved to 20:00 EDT on
        // 30 Oct, which is 00:00Z on 31 Oct.
        let moved = due_at(
            ts("2026-10-31T12:15:00Z"),
            30,
            &window("08:00", "20:00"),
            &ny,
            ts("2026-10-29T00:00:00Z"),
        );
        assert_eq!(moved, Some(ts("2026-10-31T00:00:00Z")));
    }
}
