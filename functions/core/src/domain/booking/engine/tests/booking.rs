//! Busy blocks, capacity and the check a booking must pass.

use super::*;

#[test]
fn capacity_counts_overlapping_blocks() {
    let s = shop();
    let day = date(2026, 6, 8);
    for (capacity, booked, expect_free, expect_taken) in [
        (
            1,
            &["10:00"][..],
            &["09:30", "10:30"][..],
            &["10:00", "10:15"][..],
        ),
        (2, &["10:00"], &["09:45", "10:00", "10:15", "10:30"], &[]),
        (
            2,
            &["10:00", "10:15"],
            &["09:30", "09:45", "10:30", "10:45"],
            &["10:00", "10:15"],
        ),
        (
            2,
            &["10:00", "10:00"],
            &["09:30", "10:30"],
            &["09:45", "10:00", "10:15"],
        ),
        (
            3,
            &["10:00", "10:00", "10:15"],
            &["09:30", "09:45", "10:30"],
            &["10:00", "10:15"],
        ),
    ] {
        let mut s = s.clone();
        s.capacity = capacity;
        let busy: Vec<_> = booked
            .iter()
            .map(|t| appointment(&s, &format!("{day}T{t}")))
            .collect();
        let starts = day_starts(&s, &busy, early(), day);
        for t in expect_free {
            assert!(
                starts.contains(&t.to_string()),
                "cap {capacity} {booked:?}: {t} free"
            );
        }
        for t in expect_taken {
            assert!(
                !starts.contains(&t.to_string()),
                "cap {capacity} {booked:?}: {t} taken"
            );
        }
    }
}

#[test]
fn buffers_block_the_neighbouring_slots() {
    let day = date(2026, 6, 8);
    for (before, after, expected) in [
        (
            0,
            0,
            &["09:00", "09:15", "09:30", "10:30", "10:45", "11:00"][..],
        ),
        (0, 10, &["09:00", "09:15", "10:45", "11:00"]),
        // 09:45–10:40 is taken and nothing may start its buffer before 09:00.
        (15, 10, &["11:00"]),
    ] {
        let mut s = shop();
        s.services[0].buffer_before_minutes = before;
        s.services[0].buffer_after_minutes = after;
        let busy = [appointment(&s, "2026-06-08T10:00")];
        let starts: Vec<_> = day_starts(&s, &busy, early(), day)
            .into_iter()
            .filter(|t| t.as_str() <= "11:00")
            .collect();
        assert_eq!(starts, expected, "before {before} after {after}");
    }
}

/// The check scenario: now is Sun 7 June 2026 10:00, an hour's notice, two weeks ahead, closed
/// Thu 11 June, a 30-minute service with 10 minutes after it, one booked at Mon 10:00.
fn scenario() -> (BookingSettings, Vec<Busy>, Timestamp) {
    let mut s = shop();
    s.min_notice_minutes = 60;
    s.max_days_ahead = 14;
    s.closed_dates = vec![date(2026, 6, 11)];
    s.services[0].buffer_after_minutes = 10;
    let busy = vec![appointment(&s, "2026-06-08T10:00")];
    let now = local(&s, "2026-06-07T10:00");
    (s, busy, now)
}

#[test]
fn check_refuses_each_reason_and_offers_alternatives() {
    let (s, busy, now) = scenario();
    for (asked, reason) in [
        ("2026-06-07T09:00", Some(Reason::Past)),
        ("2026-06-07T10:30", Some(Reason::TooSoon)),
        ("2026-06-22T10:00", Some(Reason::TooFar)),
        ("2026-06-11T10:00", Some(Reason::Closed)),
        ("2026-06-13T10:00", Some(Reason::Closed)),
        ("2026-06-08T08:00", Some(Reason::OutsideHours)),
        ("2026-06-08T17:00", Some(Reason::OutsideHours)),
        ("2026-06-08T21:00", Some(Reason::OutsideHours)),
        ("2026-06-08T10:05", Some(Reason::NotOnGrid)),
        ("2026-06-08T10:15:30", Some(Reason::NotOnGrid)),
        ("2026-06-08T16:30", Some(Reason::OverrunsClosing)),
        ("2026-06-12T12:45", Some(Reason::OverrunsClosing)),
        ("2026-06-08T10:00", None),
        ("2026-06-08T10:30", None),
    ] {
        let start = local(&s, asked);
        let refusal = check(&s, &cut(), start, &busy, now).unwrap_err();
        match (&refusal, reason) {
            (Refusal::NotOffered { reason: got, .. }, Some(want)) => {
                assert_eq!(*got, want, "{asked}")
            }
            (Refusal::Taken { .. }, None) => {}
            _ => panic!("{asked}: {refusal:?}"),
        }
        let alternatives = refusal.alternatives();
        assert_eq!(alternatives.len(), ALTERNATIVES, "{asked}");
        let distances: Vec<_> = alternatives
            .iter()
            .map(|a| a.start.duration_since(start).abs())
            .collect();
        assert!(distances.is_sorted(), "{asked}: {alternatives:?}");
        for alternative in alternatives {
            assert_eq!(
                check(&s, &cut(), alternative.start, &busy, now),
                Ok(*alternative)
            );
        }
    }
}

#[test]
fn alternatives_are_nearest_first_and_ties_go_earlier() {
    let (s, busy, now) = scenario();
    for (asked, expected) in [
        // The booked block is 10:00–10:40: 09:15 and 10:45 are both 45 minutes away.
        (
            "2026-06-08T10:00",
            &["2026-06-08 09:15", "2026-06-08 10:45", "2026-06-08 09:00"][..],
        ),
        (
            "2026-06-07T10:30",
            &["2026-06-07 11:00", "2026-06-07 11:15", "2026-06-07 11:30"],
        ),
        (
            "2026-06-07T03:00",
            &["2026-06-07 11:00", "2026-06-07 11:15", "2026-06-07 11:30"],
        ),
        (
            "2026-06-13T10:00",
            &["2026-06-12 12:15", "2026-06-12 12:00", "2026-06-12 11:45"],
        ),
        (
            "2026-06-11T09:00",
            &["2026-06-10 16:15", "2026-06-10 16:00", "2026-06-10 15:45"],
        ),
        (
            "2027-01-01T10:00",
            &["2026-06-21 16:15", "2026-06-21 16:00", "2026-06-21 15:45"],
        ),
        (
            "2020-01-01T10:00",
            &["2026-06-07 11:00", "2026-06-07 11:15", "2026-06-07 11:30"],
        ),
    ] {
        let got: Vec<_> = nearest(&s, &cut(), &busy, now, local(&s, asked), 3)
            .iter()
            .map(|slot| wall(&s, slot.start))
            .collect();
        assert_eq!(got, expected, "{asked}");
    }
    assert!(nearest(&s, &cut(), &busy, now, now, 0).is_empty());
}

#[test]
fn check_accepts_exactly_what_free_slots_produced() {
    let cases = [
        (shop(), "2026-06-04T08:00:00Z"),
        (
            night_business(JERUSALEM, "00:00", "06:00", 45, 15),
            "2026-03-25T12:00:00Z",
        ),
        (
            night_business(JERUSALEM, "00:00", "04:00", 45, 15),
            "2026-10-23T12:00:00Z",
        ),
        (
            night_business(NEW_YORK, "00:30", "03:30", 30, 10),
            "2026-03-06T12:00:00Z",
        ),
        (
            night_business(NEW_YORK, "00:30", "03:30", 30, 10),
            "2026-10-30T12:00:00Z",
        ),
    ];
    for (mut s, now) in cases {
        s.capacity = 2;
        s.max_days_ahead = 3;
        s.min_notice_minutes = 90;
        let now = utc(now);
        let first = zone(&s).to_datetime(now).date();
        let everything = free_slots(&s, &cut(), &[], now, first, 10).unwrap();
        // Fill some slots twice and some once, with a stray unaligned calendar event too.
        let mut busy: Vec<_> = everything
            .iter()
            .step_by(7)
            .flat_map(|slot| [slot.block(&s.services[0]); 2])
            .chain(
                everything
                    .iter()
                    .skip(1)
                    .step_by(11)
                    .map(|slot| slot.block(&s.services[0])),
            )
            .collect();
        busy.push(Busy {
            start: everything[7].start + SignedDuration::from_secs(61),
            end: everything[7].start + SignedDuration::from_secs(62),
        });
        let free = free_slots(&s, &cut(), &busy, now, first, 10).unwrap();
        assert!(
            !free.is_empty() && free.len() < everything.len(),
            "{}",
            s.timezone
        );
        let mut t = now - SignedDuration::from_hours(1);
        let end = now + SignedDuration::from_hours(24 * 5);
        while t < end {
            for probe in [t, t + SignedDuration::from_secs(1)] {
                let offered = free.iter().find(|slot| slot.start == probe);
                match check(&s, &cut(), probe, &busy, now) {
                    Ok(slot) => assert_eq!(Some(&slot), offered, "{}", wall(&s, probe)),
                    Err(refusal) => assert!(offered.is_none(), "{}: {refusal:?}", wall(&s, probe)),
                }
            }
            t += SignedDuration::from_mins(5);
        }
    }
}

#[test]
fn a_slot_is_free_iff_every_cell_of_its_block_is_below_capacity() {
    let mut s = shop();
    s.services[0].buffer_before_minutes = 5;
    s.services[0].buffer_after_minutes = 10;
    s.max_days_ahead = 7;
    let now = local(&s, "2026-06-07T08:00");
    let grid = free_slots(&s, &cut(), &[], now, date(2026, 6, 7), 8).unwrap();
    // Deterministic scatter of busy blocks, most off the grid (calendar events), some long.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    let busy: Vec<_> = (0..60)
        .map(|_| {
            let start = now + SignedDuration::from_secs(next(8 * 24 * 3600) as i64);
            Busy {
                start,
                end: start + SignedDuration::from_secs(next(2 * 3600) as i64),
            }
        })
        .collect();
    let mut counts: HashMap<i64, u32> = HashMap::new();
    for block in &busy {
        for cell in cells(block.start, block.end) {
            *counts.entry(cell).or_default() += 1;
        }
    }
    for capacity in 1..=3 {
        s.capacity = capacity;
        let free = free_slots(&s, &cut(), &busy, now, date(2026, 6, 7), 8).unwrap();
        let by_cells: Vec<_> = grid
            .iter()
            .filter(|slot| {
                slot.block(&s.services[0])
                    .cells()
                    .all(|cell| counts.get(&cell).copied().unwrap_or(0) < capacity)
            })
            .copied()
            .collect();
        assert_eq!(free, by_cells, "capacity {capacity}");
        assert!(!free.is_empty(), "capacity {capacity}");
        assert!(
            capacity == 3 || free.len() < grid.len(),
            "capacity {capacity}"
        );
    }
}

#[test]
fn cells_are_five_utc_minutes_from_floor_to_ceiling() {
    for (start, end, expected) in [
        (
            "2026-06-08T07:00:00Z",
            "2026-06-08T07:30:00Z",
            5_936_340..5_936_346,
        ),
        (
            "2026-06-08T07:00:01Z",
            "2026-06-08T07:29:59Z",
            5_936_340..5_936_346,
        ),
        (
            "2026-06-08T07:04:59Z",
            "2026-06-08T07:05:00.000000001Z",
            5_936_340..5_936_342,
        ),
        ("2026-06-08T07:00:00Z", "2026-06-08T07:00:00Z", 0..0),
        ("2026-06-08T07:30:00Z", "2026-06-08T07:00:00Z", 0..0),
        ("1969-12-31T23:59:59Z", "1970-01-01T00:00:01Z", -1..1),
        ("1969-12-31T23:54:59.5Z", "1969-12-31T23:55:00Z", -2..-1),
        ("1969-12-31T23:55:00Z", "1969-12-31T23:55:00.5Z", -1..0),
    ] {
        assert_eq!(cells(utc(start), utc(end)), expected, "{start}..{end}");
    }
    assert_eq!(
        utc("2026-06-08T07:00:00Z").as_second() / CELL_SECONDS,
        5_936_340
    );
    // Blocks on the grain that touch share no cell.
    let (a, b) = (
        cells(utc("2026-06-08T07:00:00Z"), utc("2026-06-08T07:30:00Z")),
        cells(utc("2026-06-08T07:30:00Z"), utc("2026-06-08T08:00:00Z")),
    );
    assert_eq!(a.end, b.start);
}

#[test]
fn every_refusal_has_an_english_and_a_hebrew_phrase() {
    let reasons = [
        Reason::UnknownService,
        Reason::Past,
        Reason::TooSoon,
        Reason::TooFar,
        Reason::Closed,
        Reason::OutsideHours,
        Reason::NotOnGrid,
        Reason::OverrunsClosing,
    ];
    let mut seen = std::collections::HashSet::new();
    for reason in reasons {
        let (en, he) = (reason.phrase("en"), reason.phrase("he-IL"));
        assert!(en.is_ascii() && !en.is_empty(), "{reason:?}");
        assert!(
            he.chars().any(|c| ('\u{05d0}'..='\u{05ea}').contains(&c)),
            "{reason:?}"
        );
        assert!(seen.insert(en) && seen.insert(he), "{reason:?}");
    }
    let taken = Refusal::Taken {
        alternatives: vec![],
    };
    assert_eq!(taken.phrase("he"), "השעה הזו כבר תפוסה");
    let json = serde_json::to_value(Refusal::NotOffered {
        reason: Reason::TooSoon,
        alternatives: vec![],
    })
    .unwrap();
    assert_eq!(json["refusal"], "not_offered");
    assert_eq!(json["reason"], "too_soon");
}
