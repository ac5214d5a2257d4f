//! Times as Frontdesk writes them: RFC 3339, in the store, in events and in API answers.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// RFC 3339, the one format timestamps are written in.
pub fn format_time(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// `at` as a time the stores can write, order and read back: the same instant in UTC, or
/// `None` outside what [`time_ns`] holds exactly (before 1677-09-21 or after 2262-04-11), a
/// range RFC 3339 can always write. A provider's time passes through this at the edge, so an
/// offset RFC 3339 has no form for (RFC 2822 allows up to ±99:59), a year it cannot write, or
/// an instant whose order the stores would lose is never stored.
pub fn writable(at: OffsetDateTime) -> Option<OffsetDateTime> {
    i64::try_from(at.unix_timestamp_nanos()).ok()?;
    Some(at.to_offset(UtcOffset::UTC))
}

/// An RFC 3339 timestamp.
pub fn parse_time(value: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(value, &Rfc3339)
}

/// Unix nanoseconds, saturating outside i64 (years before 1678 or after 2262): a sortable
/// integer for a time, as the stores' orderings and cursors use it.
pub fn time_ns(at: OffsetDateTime) -> i64 {
    let nanos = at.unix_timestamp_nanos();
    i64::try_from(nanos).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

/// The same instant as a `jiff` timestamp (what zones, slots and the booking engine use);
/// `None` outside jiff's range (beyond the years ±9999).
pub fn instant(at: OffsetDateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()
}

/// The same instant as an `OffsetDateTime` in UTC; `None` outside its range.
pub fn offset_date_time(at: jiff::Timestamp) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(at.as_nanosecond()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_round_trip_through_rfc3339() {
        let at = datetime!(2026-11-21 10:00:00.25 UTC);
        assert_eq!(format_time(at), "2026-11-21T10:00:00.25Z");
        assert_eq!(parse_time(&format_time(at)).unwrap(), at);
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn a_time_rfc3339_cannot_write_is_refused_and_every_other_is_kept_in_utc() {
        let past_midnight = datetime!(1970-01-02 00:00:00 +24:00);
        assert!(past_midnight.format(&Rfc3339).is_err(), "no RFC 3339 form");
        let utc = writable(past_midnight).unwrap();
        assert_eq!(format_time(utc), "1970-01-01T00:00:00Z");
        assert_eq!(parse_time(&format_time(utc)).unwrap(), past_midnight);
        for unwritable in [
            datetime!(9999-12-31 23:59:59 -23:59),
            datetime!(-0001-12-31 23:59:59 UTC),
            datetime!(2262-04-11 23:47:16.854775808 UTC),
            datetime!(1677-09-21 00:12:43.145224191 UTC),
        ] {
            assert_eq!(writable(unwritable), None, "{unwritable}");
        }
        for edge in [
            datetime!(1677-09-21 00:12:43.145224192 UTC),
            datetime!(2262-04-11 23:47:16.854775807 UTC),
        ] {
            let kept = writable(edge).unwrap();
            assert_eq!(parse_time(&format_time(kept)).unwrap(), edge);
            assert_eq!(i128::from(time_ns(kept)), edge.unix_timestamp_nanos());
        }
    }

    #[test]
    fn an_instant_converts_both_ways_with_its_nanoseconds() {
        let at = datetime!(2026-11-21 10:00:00.123456789 UTC);
        let instant = instant(at).unwrap();
        assert_eq!(instant.to_string(), "2026-11-21T10:00:00.123456789Z");
        assert_eq!(offset_date_time(instant), Some(at));
    }
}
