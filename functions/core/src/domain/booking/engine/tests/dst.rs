//! Daylight saving time: gaps, repeated hours, and instants read in the right offset.

use super::*;

#[test]
fn jiff_agrees_on_the_2026_transitions() {
    for (zone_name, wall, expected) in [
        (JERUSALEM, "2026-03-27T01:59", "unambiguous"),
        (JERUSALEM, "2026-03-27T02:00", "gap"),
        (JERUSALEM, "2026-03-27T02:59", "gap"),
        (JERUSALEM, "2026-03-27T03:00", "unambiguous"),
        (JERUSALEM, "2026-10-25T00:59", "unambiguous"),
        (JERUSALEM, "2026-10-25T01:00", "fold"),
        (JERUSALEM, "2026-10-25T01:59", "fold"),
        (JERUSALEM, "2026-10-25T02:00", "unambiguous"),
        (NEW_YORK, "2026-03-08T02:30", "gap"),
        (NEW_YORK, "2026-11-01T01:30", "fold"),
    ] {
        let tz = TimeZone::get(zone_name).unwrap();
        let dt: DateTime = wall.parse().unwrap();
        let kind = match tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { .. } => "unambiguous",
            AmbiguousOffset::Gap { .. } => "gap",
            AmbiguousOffset::Fold { .. } => "fold",
        };
        assert_eq!(kind, expected, "{zone_name} {wall}");
    }
    assert_eq!(date(2026, 3, 27).weekday(), Weekday::Friday);
    assert_eq!(date(2026, 10, 25).weekday(), Weekday::Sunday);
}

#[test]
fn a_spring_forward_gap_offers_no_slot() {
    // A step that does not divide the gap, so a start moved past the gap could not hide
    // behind a real one.
    for (zone_name, day) in [(JERUSALEM, date(2026, 3, 27)), (NEW_YORK, date(2026, 3, 8))] {
        let s = night_business(zone_name, "00:00", "05:00", 30, 45);
        let starts = day_starts(&s, &[], early(), day);
        assert_eq!(
            starts,
            ["00:00", "00:45", "01:30", "03:00", "03:45", "04:30"],
            "{zone_name}"
        );
    }
}

#[test]
fn a_spring_forward_gap_offers_no_slot_on_a_half_hour_grid() {
    for (zone_name, day) in [(JERUSALEM, date(2026, 3, 27)), (NEW_YORK, date(2026, 3, 8))] {
        let s = night_business(zone_name, "00:00", "06:00", 30, 30);
        let starts = day_starts(&s, &[], early(), day);
        let expected = [
            "00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00",
            "05:30",
        ];
        assert_eq!(starts, expected, "{zone_name}");
    }
}

#[test]
fn hours_that_open_or_close_inside_the_gap_open_or_close_at_the_jump() {
    // On 27 March 2026 Jerusalem's clocks go from 02:00 straight to 03:00.
    for (open, close, minutes, expected) in [
        (
            "02:30",
            "05:00",
            30,
            &["03:00", "03:30", "04:00", "04:30"][..],
        ),
        ("00:00", "02:30", 60, &["00:00", "00:30", "01:00"]),
        ("00:00", "02:30", 30, &["00:00", "00:30", "01:00", "01:30"]),
    ] {
        let s = night_business(JERUSALEM, open, close, minutes, 30);
        let starts = day_starts(&s, &[], early(), date(2026, 3, 27));
        assert_eq!(starts, expected, "{open}-{close}, {minutes} minutes");
    }
}

#[test]
fn a_fall_back_hour_offers_each_start_once_at_its_earlier_instant() {
    for (zone_name, day, first_one_am) in [
        (JERUSALEM, date(2026, 10, 25), "2026-10-24T22:00:00Z"),
        (NEW_YORK, date(2026, 11, 1), "2026-11-01T05:00:00Z"),
    ] {
        let s = night_business(zone_name, "00:00", "04:00", 30, 30);
        let slots = free_slots(&s, &cut(), &[], early(), day, 1).unwrap();
        let starts: Vec<_> = slots.iter().map(|slot| hhmm(&s, slot.start)).collect();
        let expected = [
            "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30",
        ];
        assert_eq!(starts, expected, "{zone_name}");
        assert_eq!(slots[2].start, utc(first_one_am), "{zone_name}");
        // The second 01:00 is an hour later in real time and is not a start.
        let second = slots[2].start + SignedDuration::from_hours(1);
        assert_eq!(hhmm(&s, second), "01:00");
        let refusal = check(&s, &cut(), second, &[], early()).unwrap_err();
        assert!(matches!(
            refusal,
            Refusal::NotOffered {
                reason: Reason::NotOnGrid,
                ..
            }
        ));
    }
}

#[test]
fn night_hours_across_a_transition_count_real_minutes() {
    // Open 00:00–06:00 on the spring-forward night is five real hours; 00:00–04:00 on the
    // fall-back night is five too. Two-hour appointments, a start every hour.
    for (zone_name, day, close, expected) in [
        (
            JERUSALEM,
            date(2026, 3, 27),
            "06:00",
            &[
                ("00:00", "03:00"),
                ("01:00", "04:00"),
                ("03:00", "05:00"),
                ("04:00", "06:00"),
            ][..],
        ),
        (
            NEW_YORK,
            date(2026, 3, 8),
            "06:00",
            &[
                ("00:00", "03:00"),
                ("01:00", "04:00"),
                ("03:00", "05:00"),
                ("04:00", "06:00"),
            ],
        ),
        (
            JERUSALEM,
            date(2026, 10, 25),
            "04:00",
            &[("00:00", "01:00"), ("01:00", "02:00"), ("02:00", "04:00")],
        ),
        (
            NEW_YORK,
            date(2026, 11, 1),
            "04:00",
            &[("00:00", "01:00"), ("01:00", "02:00"), ("02:00", "04:00")],
        ),
    ] {
        let s = night_business(zone_name, "00:00", close, 120, 60);
        let slots = free_slots(&s, &cut(), &[], early(), day, 1).unwrap();
        let got: Vec<_> = slots
            .iter()
            .map(|slot| (hhmm(&s, slot.start), hhmm(&s, slot.end)))
            .collect();
        let expected: Vec<_> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, expected, "{zone_name} {day}");
        for slot in &slots {
            assert_eq!(
                slot.end.duration_since(slot.start),
                SignedDuration::from_hours(2)
            );
        }
    }
}

#[test]
fn afternoon_slots_on_dst_dates_have_the_right_utc_instant() {
    for (zone_name, day, expected) in [
        (JERUSALEM, date(2026, 3, 26), "2026-03-26T13:00:00Z"),
        (JERUSALEM, date(2026, 3, 27), "2026-03-27T12:00:00Z"),
        (JERUSALEM, date(2026, 10, 24), "2026-10-24T12:00:00Z"),
        (JERUSALEM, date(2026, 10, 25), "2026-10-25T13:00:00Z"),
        (NEW_YORK, date(2026, 3, 8), "2026-03-08T19:00:00Z"),
        (NEW_YORK, date(2026, 11, 1), "2026-11-01T20:00:00Z"),
    ] {
        let s = night_business(zone_name, "09:00", "18:00", 30, 30);
        let slots = free_slots(&s, &cut(), &[], early(), day, 1).unwrap();
        let three_pm = slots
            .iter()
            .find(|slot| hhmm(&s, slot.start) == "15:00")
            .unwrap();
        assert_eq!(three_pm.start, utc(expected), "{zone_name} {day}");
    }
}
