//! Hours, dates and the booking window.

use super::*;

#[test]
fn the_week_has_a_short_friday_and_a_closed_saturday() {
    let s = shop();
    for (day, first, last, count) in [
        (date(2026, 6, 4), Some("09:00"), Some("16:30"), 31),
        (date(2026, 6, 5), Some("09:00"), Some("12:30"), 15),
        (date(2026, 6, 6), None, None, 0),
        (date(2026, 6, 7), Some("09:00"), Some("16:30"), 31),
    ] {
        let starts = day_starts(&s, &[], early(), day);
        assert_eq!(starts.first().map(String::as_str), first, "{day}");
        assert_eq!(starts.last().map(String::as_str), last, "{day}");
        assert_eq!(starts.len(), count, "{day}");
    }
}

#[test]
fn a_lunch_break_keeps_whole_blocks_out_of_it() {
    let mut s = shop();
    s.hours.set(
        Weekday::Monday,
        vec![iv("09:00", "12:00"), iv("13:00", "17:00")],
    );
    s.services[0].buffer_after_minutes = 10;
    s.services[0].buffer_before_minutes = 5;
    let starts = day_starts(&s, &[], early(), date(2026, 6, 8));
    for (time, offered) in [
        ("09:00", false), // the buffer before would start at 08:55
        ("09:15", true),
        ("11:15", true),  // 11:10–11:55
        ("11:30", false), // its buffer runs to 12:10
        ("12:00", false),
        ("12:45", false),
        ("13:00", false),
        ("13:15", true),
        ("16:15", true), // 16:10–16:55
        ("16:30", false),
    ] {
        assert_eq!(starts.contains(&time.to_string()), offered, "{time}");
    }
}

#[test]
fn closed_dates_offer_nothing() {
    let mut s = shop();
    s.closed_dates = vec![date(2026, 6, 8)];
    let slots = free_slots(&s, &cut(), &[], early(), date(2026, 6, 7), 3).unwrap();
    let dates: std::collections::BTreeSet<_> = slots
        .iter()
        .map(|slot| zone(&s).to_datetime(slot.start).date())
        .collect();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        [date(2026, 6, 7), date(2026, 6, 9)]
    );
}

#[test]
fn min_notice_drops_slots_that_start_too_soon() {
    for (notice, now, first) in [
        (0, "2026-06-07T10:07", "2026-06-07 10:15"),
        (0, "2026-06-07T10:15", "2026-06-07 10:15"),
        (120, "2026-06-07T10:07", "2026-06-07 12:15"),
        (120, "2026-06-07T10:00", "2026-06-07 12:00"),
        (60 * 24, "2026-06-06T10:00", "2026-06-07 10:00"),
        (60 * 24, "2026-06-05T12:00", "2026-06-07 09:00"),
    ] {
        let mut s = shop();
        s.min_notice_minutes = notice;
        let now = local(&s, now);
        let slots = free_slots(&s, &cut(), &[], now, date(2026, 6, 5), 3).unwrap();
        assert_eq!(wall(&s, slots[0].start), first, "notice {notice} at {now}");
    }
}

#[test]
fn max_days_ahead_counts_from_the_local_date_of_now() {
    for (now, max, last) in [
        ("2026-06-07T10:00:00Z", 3, date(2026, 6, 10)),
        // 22:30 UTC is already the 8th in Jerusalem.
        ("2026-06-07T22:30:00Z", 3, date(2026, 6, 11)),
        ("2026-06-07T10:00:00Z", 1, date(2026, 6, 8)),
    ] {
        let mut s = shop();
        s.max_days_ahead = max;
        let slots = free_slots(&s, &cut(), &[], utc(now), date(2026, 6, 1), 60).unwrap();
        let last_slot = slots.last().unwrap();
        assert_eq!(
            zone(&s).to_datetime(last_slot.start).date(),
            last,
            "{now} +{max}"
        );
    }
}

#[test]
fn a_service_too_long_for_the_rest_of_the_day_gets_no_slot_there() {
    for (minutes, after, day, last) in [
        (90, 0, date(2026, 6, 7), Some("15:30")),
        (90, 15, date(2026, 6, 7), Some("15:15")),
        (8 * 60, 0, date(2026, 6, 7), Some("09:00")),
        (8 * 60, 0, date(2026, 6, 5), None),
        (4 * 60, 5, date(2026, 6, 5), None),
    ] {
        let mut s = shop();
        s.services[0].duration_minutes = minutes;
        s.services[0].buffer_after_minutes = after;
        let starts = day_starts(&s, &[], early(), day);
        assert_eq!(
            starts.last().map(String::as_str),
            last,
            "{minutes}+{after} on {day}"
        );
    }
}

#[test]
fn only_real_dates_are_produced() {
    for (now, from, days, expected) in [
        (
            "2026-02-20T00:00:00Z",
            date(2026, 2, 26),
            5,
            &[
                date(2026, 2, 26),
                date(2026, 2, 27),
                date(2026, 3, 1),
                date(2026, 3, 2),
            ][..],
        ),
        (
            "2028-02-20T00:00:00Z",
            date(2028, 2, 28),
            3,
            &[date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)],
        ),
        (
            "2026-12-29T00:00:00Z",
            date(2026, 12, 31),
            2,
            &[date(2026, 12, 31), date(2027, 1, 1)],
        ),
    ] {
        let s = shop();
        let slots = free_slots(&s, &cut(), &[], utc(now), from, days).unwrap();
        let mut dates: Vec<_> = slots
            .iter()
            .map(|slot| zone(&s).to_datetime(slot.start).date())
            .collect();
        dates.dedup();
        assert_eq!(dates, expected, "{from} +{days}");
    }
}

#[test]
fn a_huge_window_is_bounded_by_max_days_ahead() {
    let mut s = shop();
    s.max_days_ahead = 30;
    let now = local(&s, "2026-06-07T10:00");
    let slots = free_slots(&s, &cut(), &[], now, Date::MIN, u32::MAX).unwrap();
    let last = zone(&s).to_datetime(slots.last().unwrap().start).date();
    assert_eq!(last, date(2026, 7, 7));
    assert!(slots.first().unwrap().start >= now);
    assert!(free_slots(&s, &cut(), &[], now, Date::MAX, u32::MAX)
        .unwrap()
        .is_empty());
    assert!(free_slots(&s, &cut(), &[], now, date(2026, 6, 7), 0)
        .unwrap()
        .is_empty());
}

#[test]
fn an_unknown_service_is_an_error() {
    let s = shop();
    let id = ServiceId::parse("massage").unwrap();
    assert_eq!(
        free_slots(&s, &id, &[], early(), date(2026, 6, 7), 1),
        Err(EngineError::UnknownService(id.clone()))
    );
    assert!(nearest(&s, &id, &[], early(), utc("2026-06-07T10:00:00Z"), 3).is_empty());
    let refusal = check(&s, &id, utc("2026-06-07T10:00:00Z"), &[], early()).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::NotOffered {
            reason: Reason::UnknownService,
            alternatives: vec![]
        }
    );
}

#[test]
fn settings_whose_zone_does_not_resolve_offer_nothing() {
    let mut s = shop();
    s.timezone = "Mars/Olympus".into();
    let t = utc("2026-06-07T10:00:00Z");
    assert!(matches!(
        free_slots(&s, &cut(), &[], early(), date(2026, 6, 7), 1),
        Err(EngineError::Settings(_))
    ));
    assert!(nearest(&s, &cut(), &[], early(), t, 3).is_empty());
    assert_eq!(
        check(&s, &cut(), t, &[], early()),
        Err(Refusal::NotOffered {
            reason: Reason::Closed,
            alternatives: vec![]
        })
    );
}
