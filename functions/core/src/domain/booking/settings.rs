//! A business's booking settings: its time zone, weekly hours, closed dates, services and the
//! grid slots are offered on. Parsed and validated once, at the edge (the CLI, the API, the
//! store's reader), so the engine can trust every value.
//!
//! The JSON shape is an interface (CRMs and scripts write it; `frontdesk booking show --json`
//! prints it):
//!
//! ```json
//! {"timezone": "Asia/Jerusalem",
//!  "hours": {"sun": [["09:00","17:00"]], "fri": [["09:00","13:00"]], "sat": []},
//!  "closed_dates": ["2026-12-25"],
//!  "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
//!                "duration_minutes": 30, "buffer_before_minutes": 0, "buffer_after_minutes": 10}],
//!  "slot_step_minutes": 15, "min_notice_minutes": 120, "max_days_ahead": 30, "capacity": 1}
//! ```

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Every minute value (hours, durations, buffers, the step) is a multiple of this, so an
/// appointment covers whole lock cells (see the appointment store) and two appointments that
/// touch never share one.
pub const MINUTE_GRAIN: u32 = 5;

pub const DEFAULT_TIMEZONE: &str = "Asia/Jerusalem";

/// The longest an appointment may hold, buffers included: 48 cells. A reschedule releases the
/// old cells and claims the new ones in one DynamoDB transaction, which holds at most 100 items
/// (48 + 48, the appointment and the request).
pub const MAX_BLOCK_MINUTES: u32 = 240;

/// Why settings were refused: the field and a one-line reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct SettingsError {
    pub field: String,
    pub reason: String,
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A service's id: lowercase letters, digits, `-` and `_`, 1–40 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceId(String);

impl ServiceId {
    pub fn parse(value: &str) -> Result<Self, SettingsError> {
        let ok = !value.is_empty()
            && value.len() <= 40
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(invalid(
                "services.id",
                format!("`{value}` must be 1-40 of a-z, 0-9, - and _"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceId {
    type Error = SettingsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ServiceId> for String {
    fn from(id: ServiceId) -> String {
        id.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One service a business books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub name_he: String,
    pub name_en: String,
    pub duration_minutes: u32,
    #[serde(default)]
    pub buffer_before_minutes: u32,
    #[serde(default)]
    pub buffer_after_minutes: u32,
}

impl Service {
    /// The service's name in `language` (`he…` Hebrew, anything else English).
    pub fn name(&self, language: &str) -> &str {
        if language.starts_with("he") {
            &self.name_he
        } else {
            &self.name_en
        }
    }
}

/// An open interval of a day, local time: `["09:00", "17:00"]`, start before end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Time,
    pub end: Time,
}

impl Serialize for Interval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [hhmm(self.start), hhmm(self.end)].serialize(s)
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let [start, end] = <[String; 2]>::deserialize(d)?;
        let parse = |v: &str| parse_hhmm(v).map_err(serde::de::Error::custom);
        Ok(Self {
            start: parse(&start)?,
            end: parse(&end)?,
        })
    }
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `HH:MM` (24-hour), on the minute grain; `24:00` is not a time (close at `23:55` at most).
pub fn parse_hhmm(value: &str) -> Result<Time, String> {
    let (h, m) = value
        .split_once(':')
        .ok_or_else(|| format!("`{value}` is not HH:MM"))?;
    let (h, m): (i8, i8) = (
        h.parse().map_err(|_| format!("`{value}` is not HH:MM"))?,
        m.parse().map_err(|_| format!("`{value}` is not HH:MM"))?,
    );
    let time = Time::new(h, m, 0, 0).map_err(|_| format!("`{value}` is not a time of day"))?;
    if !(m as u32).is_multiple_of(MINUTE_GRAIN) {
        return Err(format!("`{value}` is not on a {MINUTE_GRAIN}-minute mark"));
    }
    Ok(time)
}

/// The weekly hours: for each weekday, zero or more open intervals (a short Friday, a closed
/// Saturday, a lunch break). Keys `sun` … `sat`; a missing day is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, Vec<Interval>>",
    into = "BTreeMap<String, Vec<Interval>>"
)]
pub struct WeeklyHours {
    /// Indexed by [`Weekday::to_sunday_zero_offset`].
    days: [Vec<Interval>; 7],
}

const DAY_KEYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl WeeklyHours {
    pub fn on(&self, weekday: Weekday) -> &[Interval] {
        &self.days[weekday.to_sunday_zero_offset() as usize]
    }

    pub fn set(&mut self, weekday: Weekday, intervals: Vec<Interval>) {
        self.days[weekday.to_sunday_zero_offset() as usize] = intervals;
    }

    /// Whether any day has hours.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }
}

impl TryFrom<BTreeMap<String, Vec<Interval>>> for WeeklyHours {
    type Error = SettingsError;
    fn try_from(map: BTreeMap<String, Vec<Interval>>) -> Result<Self, Self::Error> {
        let mut hours = Self::default();
        for (key, mut intervals) in map {
            let index = DAY_KEYS
                .iter()
                .position(|d| *d == key.to_ascii_lowercase())
                .ok_or_else(|| {
                    invalid(
                        "hours",
                        format!("`{key}` is not one of sun, mon, tue, wed, thu, fri, sat"),
                    )
                })?;
            intervals.sort();
            for pair in intervals.windows(2) {
                if pair[0].end > pair[1].start {
                    return Err(invalid(format!("hours.{key}"), "intervals overlap"));
                }
            }
            for interval in &intervals {
                if interval.start >= interval.end {
                    return Err(invalid(
                        format!("hours.{key}"),
                        format!(
                            "{} is not before {}",
                            hhmm(interval.start),
                            hhmm(interval.end)
                        ),
                    ));
                }
            }
            hours.days[index] = intervals;
        }
        Ok(hours)
    }
}

impl From<WeeklyHours> for BTreeMap<String, Vec<Interval>> {
    fn from(hours: WeeklyHours) -> Self {
        DAY_KEYS
            .iter()
            .zip(hours.days)
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }
}

/// A business's booking settings, valid by construction: build them with
/// [`BookingSettings::parse_json`] or check them with [`BookingSettings::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingSettings {
    /// An IANA time zone name.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default)]
    pub hours: WeeklyHours,
    #[serde(default)]
    pub closed_dates: Vec<Date>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default = "default_step")]
    pub slot_step_minutes: u32,
    #[serde(default)]
    pub min_notice_minutes: u32,
    #[serde(default = "default_days_ahead")]
    pub max_days_ahead: u32,
    #[serde(default = "default_capacity")]
    pub capacity: u32,
}

fn default_timezone() -> String {
    DEFAULT_TIMEZONE.to_string()
}
fn default_step() -> u32 {
    15
}
fn default_days_ahead() -> u32 {
    30
}
fn default_capacity() -> u32 {
    1
}

impl Default for BookingSettings {
    fn default() -> Self {
        Self {
            timezone: default_timezone(),
            hours: WeeklyHours::default(),
            closed_dates: Vec::new(),
            services: Vec::new(),
            slot_step_minutes: default_step(),
            min_notice_minutes: 0,
            max_days_ahead: default_days_ahead(),
            capacity: default_capacity(),
        }
    }
}

impl BookingSettings {
    /// Settings from their JSON, validated.
    pub fn parse_json(json: &str) -> Result<Self, SettingsError> {
        let settings: Self =
            serde_json::from_str(json).map_err(|e| invalid("settings", e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Every rule the engine relies on, or the first one broken.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.zone()?;
        let on_grain = |field: &str, minutes: u32| {
            if minutes.is_multiple_of(MINUTE_GRAIN) {
                Ok(())
            } else {
                Err(invalid(
                    field,
                    format!("{minutes} is not a multiple of {MINUTE_GRAIN} minutes"),
                ))
            }
        };
        if !(MINUTE_GRAIN..=240).contains(&self.slot_step_minutes) {
            return Err(invalid("slot_step_minutes", "must be 5 to 240"));
        }
        on_grain("slot_step_minutes", self.slot_step_minutes)?;
        if self.min_notice_minutes > 60 * 24 * 30 {
            return Err(invalid("min_notice_minutes", "must be at most 30 days"));
        }
        if !(1..=366).contains(&self.max_days_ahead) {
            return Err(invalid("max_days_ahead", "must be 1 to 366"));
        }
        if !(1..=50).contains(&self.capacity) {
            return Err(invalid("capacity", "must be 1 to 50"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for service in &self.services {
            let field = |name: &str| format!("services.{}.{name}", service.id);
            if !seen.insert(service.id.clone()) {
                return Err(invalid(
                    "services",
                    format!("`{}` is listed twice", service.id),
                ));
            }
            if service.name_he.trim().is_empty() || service.name_en.trim().is_empty() {
                return Err(invalid(field("name"), "name_he and name_en are required"));
            }
            if !(MINUTE_GRAIN..=MAX_BLOCK_MINUTES).contains(&service.duration_minutes) {
                return Err(invalid(
                    field("duration_minutes"),
                    format!("must be {MINUTE_GRAIN} to {MAX_BLOCK_MINUTES} minutes"),
                ));
            }
            on_grain(&field("duration_minutes"), service.duration_minutes)?;
            for (name, minutes) in [
                ("buffer_before_minutes", service.buffer_before_minutes),
                ("buffer_after_minutes", service.buffer_after_minutes),
            ] {
                if minutes > 120 {
                    return Err(invalid(field(name), "must be at most 120"));
                }
                on_grain(&field(name), minutes)?;
            }
            let block = service.duration_minutes
                + service.buffer_before_minutes
                + service.buffer_after_minutes;
            if block > MAX_BLOCK_MINUTES {
                return Err(invalid(
                    field("duration_minutes"),
                    format!("with its buffers it is {block} minutes; at most {MAX_BLOCK_MINUTES}"),
                ));
            }
        }
        Ok(())
    }

    /// The business's time zone.
    pub fn zone(&self) -> Result<TimeZone, SettingsError> {
        TimeZone::get(&self.timezone).map_err(|_| {
            invalid(
                "timezone",
                format!("`{}` is not an IANA time zone", self.timezone),
            )
        })
    }

    pub fn service(&self, id: &ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| &s.id == id)
    }

    pub fn is_closed_on(&self, date: Date) -> bool {
        self.closed_dates.contains(&date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"timezone": "Asia/Jerusalem",
        "hours": {"sun": [["09:00","17:00"]], "mon": [["09:00","12:00"], ["13:00","17:00"]],
                  "fri": [["09:00","13:00"]], "sat": []},
        "closed_dates": ["2026-12-25"],
        "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                      "duration_minutes": 30, "buffer_before_minutes": 0, "buffer_after_minutes": 10}],
        "slot_step_minutes": 15, "min_notice_minutes": 120, "max_days_ahead": 30, "capacity": 1}"#;

    #[test]
    fn the_documented_example_parses_and_round_trips() {
        let settings = BookingSettings::parse_json(EXAMPLE).unwrap();
        assert_eq!(settings.hours.on(Weekday::Monday).len(), 2);
        assert!(settings.hours.on(Weekday::Saturday).is_empty());
        assert!(settings.hours.on(Weekday::Tuesday).is_empty());
        assert!(settings.is_closed_on(jiff::civil::date(2026, 12, 25)));
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(BookingSettings::parse_json(&json).unwrap(), settings);
        assert!(json.contains(r#""sun":[["09:00","17:00"]]"#), "{json}");
    }

    #[test]
    fn bad_settings_name_the_field() {
        for (json, field) in [
            (r#"{"timezone": "Mars/Olympus"}"#, "timezone"),
            (r#"{"hours": {"sun": [["17:00","09:00"]]}}"#, "hours"),
            (
                r#"{"hours": {"sun": [["09:00","12:00"],["11:00","13:00"]]}}"#,
                "hours",
            ),
            (r#"{"hours": {"sunday": [["09:00","12:00"]]}}"#, "hours"),
            (
                r#"{"hours": {"sun": [["09:07","12:00"]]}}"#,
                "5-minute mark",
            ),
            (r#"{"hours": {"sun": [["25:00","26:00"]]}}"#, "time of day"),
            (r#"{"slot_step_minutes": 7}"#, "slot_step_minutes"),
            (r#"{"capacity": 0}"#, "capacity"),
            (
                r#"{"services": [{"id": "Bad Id", "name_he": "x", "name_en": "x", "duration_minutes": 30}]}"#,
                "a-z",
            ),
            (
                r#"{"services": [{"id": "a", "name_he": "x", "name_en": "x", "duration_minutes": 0}]}"#,
                "duration",
            ),
            (
                r#"{"services": [{"id": "a", "name_he": "x", "name_en": "x", "duration_minutes": 200, "buffer_after_minutes": 60}]}"#,
                "at most 240",
            ),
            (r#"{"closed_dates": ["2026-02-31"]}"#, "settings"),
        ] {
            let err = BookingSettings::parse_json(json).unwrap_err();
            assert!(err.to_string().contains(field), "{json}: {err}");
        }
    }
}
