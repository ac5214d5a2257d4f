//! The booking engine: for any settings and appointments it accepts, every slot it offers is
//! inside the day's opening hours (in the business's zone), on the grid, past the notice, the
//! service's length, free (fewer blocks over it than the capacity), and passes the booking check
//! whole.
#![no_main]

use frontdesk::domain::booking::engine::{check, free_slots, Busy};
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;

/// The bytes as a stream of small numbers.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::from(self.next()) % from.len()]
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn settings(b: &mut Bytes) -> Option<BookingSettings> {
    let zone = b.pick(&[
        "Asia/Jerusalem",
        "UTC",
        "America/New_York",
        "Australia/Lord_Howe",
    ]);
    let mut hours = Vec::new();
    for day in ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] {
        let mut intervals = Vec::new();
        let mut at = u32::from(b.next() % 48) * 30;
        for _ in 0..(b.next() % 3) {
            let end = at + 5 * (1 + u32::from(b.next()) % 96);
            if end > 24 * 60 {
                break;
            }
            intervals.push(format!(
                r#"["{}", "{}"]"#,
                hhmm(at),
                hhmm(end.min(23 * 60 + 55))
            ));
            at = end + 5 * u32::from(b.next() % 24);
        }
        hours.push(format!(r#""{day}": [{}]"#, intervals.join(",")));
    }
    let json = format!(
        r#"{{"timezone": "{zone}", "hours": {{{}}},
            "services": [{{"id": "s", "name_he": "ש", "name_en": "s",
              "duration_minutes": {}, "buffer_before_minutes": {}, "buffer_after_minutes": {}}}],
            "slot_step_minutes": {}, "min_notice_minutes": {}, "max_days_ahead": {}, "capacity": {}}}"#,
        hours.join(","),
        5 * (1 + u32::from(b.next()) % 24),
        5 * u32::from(b.next() % 6),
        5 * u32::from(b.next() % 6),
        b.pick(&[5, 10, 15, 20, 30, 45, 60, 90]),
        5 * u32::from(b.next()),
        1 + u32::from(b.next() % 14),
        1 + u32::from(b.next() % 3),
    );
    BookingSettings::parse_json(&json).ok()
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let Some(settings) = settings(&mut b) else {
        return;
    };
    let now = Timestamp::from_second(1_795_000_000 + i64::from(b.next()) * 3_917).unwrap();
    let mut busy = Vec::new();
    for _ in 0..(b.next() % 12) {
        let start = now + SignedDuration::from_mins(i64::from(b.next()) * 37 - 600);
        let end = start + SignedDuration::from_mins(1 + i64::from(b.next()));
        busy.push(Busy { start, end });
    }
    let service = ServiceId::parse("s").unwrap();
    let zone = jiff::tz::TimeZone::get(&settings.timezone).unwrap();
    let from = now.to_zoned(zone.clone()).date();
    let slots = free_slots(&settings, &service, &busy, now, from, 4).expect("valid settings");
    let spec = &settings.services[0];
    for slot in &slots {
        assert_eq!(
            slot.end.duration_since(slot.start),
            SignedDuration::from_mins(i64::from(spec.duration_minutes))
        );
        assert!(
            slot.start >= now + SignedDuration::from_mins(i64::from(settings.min_notice_minutes)),
            "{slot:?} inside the notice"
        );
        // Inside one opening of its local day, on that opening's grid.
        let local_start = slot.start.to_zoned(zone.clone());
        let opening = settings
            .hours
            .on(local_start.weekday())
            .iter()
            .find(|interval| {
                let open = local_start
                    .date()
                    .to_datetime(interval.start)
                    .to_zoned(zone.clone());
                let close = local_start
                    .date()
                    .to_datetime(interval.end)
                    .to_zoned(zone.clone());
                matches!((open, close), (Ok(open), Ok(close))
                    if open.timestamp() <= slot.start && slot.end <= close.timestamp())
            });
        let opening = opening.unwrap_or_else(|| panic!("{slot:?} outside the day's hours"));
        let open = local_start
            .date()
            .to_datetime(opening.start)
            .to_zoned(zone.clone())
            .unwrap()
            .timestamp();
        let offset = slot.start.duration_since(open).as_mins();
        assert_eq!(
            offset % i64::from(settings.slot_step_minutes),
            0,
            "{slot:?} off the grid"
        );
        // Free: at no instant of its block are as many blocks as the capacity.
        let block = slot.block(spec);
        let at_once = std::iter::once(block.start)
            .chain(busy.iter().map(|b| b.start))
            .filter(|p| block.start <= *p && *p < block.end)
            .map(|p| busy.iter().filter(|b| b.start <= p && p < b.end).count())
            .max()
            .unwrap_or(0);
        assert!(
            at_once < settings.capacity as usize,
            "{slot:?}: {at_once} blocks at once"
        );
        assert!(
            matches!(check(&settings, &service, slot.start, &busy, now), Ok(s) if s == *slot),
            "{slot:?} refused by the check"
        );
    }
});
