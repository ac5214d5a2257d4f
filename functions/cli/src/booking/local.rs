//! Times as the business lives them: the operator's dates and times read in the business's
//! zone, and instants printed there.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::CliError;

/// `YYYY-MM-DD`.
pub fn parse_date(flag: &str, value: &str) -> Result<Date, CliError> {
    value
        .trim()
        .parse::<Date>()
        .map_err(|_| format!("{flag} `{value}` is not a date (YYYY-MM-DD)").into())
}

/// An RFC 3339 instant (`2026-11-24T15:00:00+02:00`, `…Z`), or a wall time in `zone`
/// (`2026-11-24 15:00`). A wall time the clocks pass twice (the autumn change) means its
/// earlier instant, as the booking grid reads it.
pub fn parse_start(value: &str, zone: &TimeZone) -> Result<Timestamp, CliError> {
    let value = value.trim();
    if let Ok(instant) = value.parse::<Timestamp>() {
        return Ok(instant);
    }
    let wall: DateTime = value.parse().map_err(|_| {
        format!("--start `{value}` is neither `YYYY-MM-DD HH:MM` (local) nor RFC 3339")
    })?;
    Ok(zone.to_ambiguous_timestamp(wall).earlier()?)
}

/// The local date of `now` in `zone`.
pub fn today(zone: &TimeZone, now: Timestamp) -> Date {
    zone.to_datetime(now).date()
}

/// The instant where `date` begins in `zone`.
pub fn start_of(date: Date, zone: &TimeZone) -> Result<Timestamp, CliError> {
    Ok(date.to_zoned(zone.clone())?.timestamp())
}

/// `Tue 2026-11-24 15:00`, in `zone`.
pub fn day_and_time(t: Timestamp, zone: &TimeZone) -> String {
    zone.to_datetime(t)
        .strftime("%a %Y-%m-%d %H:%M")
        .to_string()
}

/// `Tue 2026-11-24`.
pub fn day(date: Date) -> String {
    date.strftime("%a %Y-%m-%d").to_string()
}

/// `15:00`, in `zone`.
pub fn time_of_day(t: Timestamp, zone: &TimeZone) -> String {
    zone.to_datetime(t).strftime("%H:%M").to_string()
}

/// RFC 3339 with `zone`'s offset at that instant, as the business events write times.
pub fn rfc3339(t: Timestamp, zone: &TimeZone) -> String {
    t.display_with_offset(zone.to_offset(t)).to_string()
}

/// A stored zone name, or UTC for a name the bundled database does not know (times still
/// print, marked by their offset).
pub fn zone_or_utc(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_local_wall_times_or_rfc_3339() {
        let zone = TimeZone::get("Asia/Jerusalem").unwrap();
        let local = parse_start("2026-11-24 15:00", &zone).unwrap();
        assert_eq!(local, "2026-11-24T13:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(parse_start("2026-11-24T15:00", &zone).unwrap(), local);
        assert_eq!(
            parse_start("2026-11-24T15:00:00+02:00", &zone).unwrap(),
            local
        );
        assert_eq!(parse_start("2026-11-24T13:00:00Z", &zone).unwrap(), local);
        assert_eq!(rfc3339(local, &zone), "2026-11-24T15:00:00+02:00");
        assert_eq!(day_and_time(local, &zone), "Tue 2026-11-24 15:00");
        assert!(parse_start("tomorrow", &zone).is_err());
        assert!(parse_start("2026-11-24 25:00", &zone).is_err());
    }

    #[test]
    fn a_repeated_autumn_hour_means_its_first_pass() {
        let zone = TimeZone::get("Asia/Jerusalem").unwrap();
        // Israel leaves summer time on the last Sunday of October: 02:00 → 01:00 on 2026-10-25.
        let start = parse_start("2026-10-25 01:30", &zone).unwrap();
        assert_eq!(rfc3339(start, &zone), "2026-10-25T01:30:00+03:00");
    }
}
