//! `frontdesk booking set`: a settings file (JSON, or TOML by its extension) and flags that
//! change one part each. Everything is read into [`BookingSettings`] and checked with its own
//! `validate` before anything is stored, so a bad value is refused with its field and reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use frontdesk::domain::booking::settings::{
    parse_hhmm, BookingSettings, Interval, Service, ServiceId, SettingsError, WeeklyHours,
};

use crate::CliError;

/// The weekday keys of the settings' `hours`, Sunday first, as the JSON spells them.
pub const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

#[derive(Args, Debug, Default)]
pub struct SetArgs {
    /// The business id.
    pub business: String,
    /// Settings as JSON, or TOML when the name ends in `.toml` (the shape `booking show --json`
    /// prints). Replaces the stored settings; flags given with it change the file's.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The IANA time zone (Asia/Jerusalem); it becomes the business's timezone too.
    #[arg(long)]
    pub timezone: Option<String>,
    /// One weekday's hours, replacing that day's: `sun=09:00-17:00`, a lunch break
    /// `mon=09:00-12:00,13:00-17:00`, `sat=closed`, or a range of days `sun-thu=09:00-17:00`.
    /// Repeatable.
    #[arg(long = "hours", value_name = "DAY=HH:MM-HH:MM[,…]")]
    pub hours: Vec<String>,
    /// Close a date (a holiday). Repeatable.
    #[arg(long = "closed", value_name = "YYYY-MM-DD")]
    pub closed: Vec<String>,
    /// Open a date closed before. Repeatable.
    #[arg(long = "open", value_name = "YYYY-MM-DD")]
    pub open: Vec<String>,
    /// Add a service, or replace the one with its id:
    /// `ID:NAME_HE:NAME_EN:MINUTES[:BUFFER_BEFORE[:BUFFER_AFTER]]` (buffers in minutes, default
    /// 0), e.g. `checkup:בדיקה:Checkup:30:0:10`. A name with `:` in it goes in a --file.
    /// Repeatable.
    #[arg(long = "service", value_name = "SPEC")]
    pub services: Vec<String>,
    /// Remove a service by id. Repeatable.
    #[arg(long = "remove-service", value_name = "ID")]
    pub remove_services: Vec<String>,
    /// Minutes between offered starts (a multiple of 5).
    #[arg(long, value_name = "MINUTES")]
    pub step: Option<u32>,
    /// The least notice a booking needs, in minutes.
    #[arg(long, value_name = "MINUTES")]
    pub notice: Option<u32>,
    /// How many days ahead may be booked.
    #[arg(long, value_name = "DAYS")]
    pub days_ahead: Option<u32>,
    /// Appointments that may share one time.
    #[arg(long)]
    pub capacity: Option<u32>,
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        field: field.into(),
        reason: reason.into(),
    }
}

impl SetArgs {
    /// Whether anything is asked to change.
    pub fn is_empty(&self) -> bool {
        self.file.is_none()
            && self.timezone.is_none()
            && self.hours.is_empty()
            && self.closed.is_empty()
            && self.open.is_empty()
            && self.services.is_empty()
            && self.remove_services.is_empty()
            && self.step.is_none()
            && self.notice.is_none()
            && self.days_ahead.is_none()
            && self.capacity.is_none()
    }

    /// `current` (or the defaults) changed as asked, then validated: the settings to store.
    pub fn apply(&self, current: Option<BookingSettings>) -> Result<BookingSettings, CliError> {
        let mut settings = match &self.file {
            Some(path) => read_file(path)?,
            None => current.unwrap_or_default(),
        };
        self.apply_flags(&mut settings)?;
        settings.validate()?;
        Ok(settings)
    }

    fn apply_flags(&self, settings: &mut BookingSettings) -> Result<(), SettingsError> {
        if let Some(zone) = &self.timezone {
            settings.timezone = zone.trim().to_string();
        }
        if !self.hours.is_empty() {
            let mut map: BTreeMap<String, Vec<Interval>> = settings.hours.clone().into();
            for spec in &self.hours {
                let (days, intervals) = parse_hours(spec)?;
                for day in days {
                    map.insert(day.to_string(), intervals.clone());
                }
            }
            // The domain's own reading: order and overlap are checked where they are defined.
            settings.hours = WeeklyHours::try_from(map)?;
        }
        for date in &self.closed {
            let date = parse_date("closed_dates", date)?;
            if !settings.closed_dates.contains(&date) {
                settings.closed_dates.push(date);
            }
        }
        for date in &self.open {
            let date = parse_date("closed_dates", date)?;
            settings.closed_dates.retain(|d| *d != date);
        }
        settings.closed_dates.sort();
        for id in &self.remove_services {
            let id = ServiceId::parse(id.trim())?;
            let before = settings.services.len();
            settings.services.retain(|s| s.id != id);
            if settings.services.len() == before {
                return Err(invalid("services", format!("no service `{id}` to remove")));
            }
        }
        for spec in &self.services {
            let service = parse_service(spec)?;
            match settings.services.iter_mut().find(|s| s.id == service.id) {
                Some(existing) => *existing = service,
                None => settings.services.push(service),
            }
        }
        if let Some(step) = self.step {
            settings.slot_step_minutes = step;
        }
        if let Some(notice) = self.notice {
            settings.min_notice_minutes = notice;
        }
        if let Some(days) = self.days_ahead {
            settings.max_days_ahead = days;
        }
        if let Some(capacity) = self.capacity {
            settings.capacity = capacity;
        }
        Ok(())
    }
}

fn parse_date(field: &str, value: &str) -> Result<jiff::civil::Date, SettingsError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(field, format!("`{value}` is not a date (YYYY-MM-DD)")))
}

fn day_index(key: &str) -> Result<usize, SettingsError> {
    let key = key.trim().to_ascii_lowercase();
    DAYS.iter().position(|d| *d == key).ok_or_else(|| {
        invalid(
            "hours",
            format!("`{key}` is not one of sun, mon, tue, wed, thu, fri, sat"),
        )
    })
}

/// `DAY=HH:MM-HH:MM[,HH:MM-HH:MM…]`, `DAY=closed`; DAY may be a range (`sun-thu`, or `fri-sun`
/// across the week's end).
pub fn parse_hours(spec: &str) -> Result<(Vec<&'static str>, Vec<Interval>), SettingsError> {
    let (days, hours) = spec.split_once('=').ok_or_else(|| {
        invalid(
            "hours",
            format!("`{spec}` is not DAY=HH:MM-HH:MM (or DAY=closed)"),
        )
    })?;
    let days = match days.split_once('-') {
        Some((first, last)) => {
            let (first, last) = (day_index(first)?, day_index(last)?);
            let count = (last + 7 - first) % 7 + 1;
            (0..count).map(|i| DAYS[(first + i) % 7]).collect()
        }
        None => vec![DAYS[day_index(days)?]],
    };
    let field = format!("hours.{}", days.join("-"));
    let hours = hours.trim();
    if hours.eq_ignore_ascii_case("closed") {
        return Ok((days, Vec::new()));
    }
    let mut intervals = Vec::new();
    for interval in hours.split(',') {
        let (start, end) = interval.trim().split_once('-').ok_or_else(|| {
            invalid(
                &field,
                format!("`{interval}` is not HH:MM-HH:MM (or `closed`)"),
            )
        })?;
        let time = |v: &str| parse_hhmm(v.trim()).map_err(|reason| invalid(&field, reason));
        intervals.push(Interval {
            start: time(start)?,
            end: time(end)?,
        });
    }
    Ok((days, intervals))
}

/// `ID:NAME_HE:NAME_EN:MINUTES[:BUFFER_BEFORE[:BUFFER_AFTER]]`.
pub fn parse_service(spec: &str) -> Result<Service, SettingsError> {
    let parts: Vec<&str> = spec.split(':').collect();
    if !(4..=6).contains(&parts.len()) {
        return Err(invalid(
            "services",
            format!("`{spec}` is not ID:NAME_HE:NAME_EN:MINUTES[:BUFFER_BEFORE[:BUFFER_AFTER]]"),
        ));
    }
    let id = ServiceId::parse(parts[0].trim())?;
    let minutes = |index: usize, name: &str| -> Result<u32, SettingsError> {
        match parts.get(index) {
            None => Ok(0),
            Some(value) => value.trim().parse().map_err(|_| {
                invalid(
                    format!("services.{id}.{name}"),
                    format!("`{value}` is not a number of minutes"),
                )
            }),
        }
    };
    Ok(Service {
        name_he: parts[1].trim().to_string(),
        name_en: parts[2].trim().to_string(),
        duration_minutes: minutes(3, "duration_minutes")?,
        buffer_before_minutes: minutes(4, "buffer_before_minutes")?,
        buffer_after_minutes: minutes(5, "buffer_after_minutes")?,
        id,
    })
}

/// A settings file, unvalidated (flags may still change it): JSON, or TOML by extension.
fn read_file(path: &Path) -> Result<BookingSettings, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let parsed = if is_toml {
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| invalid("settings", e.to_string()))?;
        serde_json::from_value(json_of(toml::Value::Table(table)))
    } else {
        serde_json::from_str(&text)
    };
    Ok(parsed.map_err(|e| invalid("settings", format!("{}: {e}", path.display())))?)
}

/// TOML as the JSON it stands for. A bare TOML date (`closed_dates = [2026-12-25]`) becomes
/// its text, as the JSON shape writes dates.
fn json_of(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(n) => Json::from(n),
        toml::Value::Float(f) => Json::from(f),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(json_of).collect()),
        toml::Value::Table(table) => {
            Json::Object(table.into_iter().map(|(k, v)| (k, json_of(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;

    #[test]
    fn hours_take_a_day_a_range_breaks_or_closed() {
        let (days, hours) = parse_hours("mon=09:00-12:00,13:00-17:00").unwrap();
        assert_eq!(days, ["mon"]);
        assert_eq!(hours.len(), 2);
        assert_eq!(parse_hours("sun-thu=09:00-17:00").unwrap().0.len(), 5);
        assert_eq!(
            parse_hours("fri-sun=10:00-11:00").unwrap().0,
            ["fri", "sat", "sun"]
        );
        assert!(parse_hours("sat=closed").unwrap().1.is_empty());
        for (bad, words) in [
            ("funday=09:00-17:00", "`funday` is not one of"),
            ("sun=25:00-26:00", "not a time of day"),
            ("sun=09:00", "not HH:MM-HH:MM"),
            ("sun", "DAY=HH:MM-HH:MM"),
            ("sun=09:07-10:00", "5-minute mark"),
        ] {
            let err = parse_hours(bad).unwrap_err();
            assert!(err.to_string().contains(words), "{bad}: {err}");
        }
    }

    #[test]
    fn flags_change_one_part_and_are_validated() {
        let args = SetArgs {
            hours: vec!["sun-thu=09:00-17:00".into(), "fri=09:00-13:00".into()],
            services: vec!["checkup:בדיקה:Checkup:30:0:10".into()],
            closed: vec!["2026-12-25".into(), "2026-12-24".into()],
            step: Some(15),
            ..Default::default()
        };
        let settings = args.apply(None).unwrap();
        assert_eq!(settings.hours.on(Weekday::Friday).len(), 1);
        assert!(settings.hours.on(Weekday::Saturday).is_empty());
        assert_eq!(settings.services[0].buffer_after_minutes, 10);
        assert_eq!(settings.closed_dates[0].to_string(), "2026-12-24");

        let change = SetArgs {
            services: vec!["checkup:בדיקה:Checkup:45".into()],
            open: vec!["2026-12-24".into()],
            ..Default::default()
        };
        let changed = change.apply(Some(settings.clone())).unwrap();
        assert_eq!(changed.services.len(), 1, "replaced by id");
        assert_eq!(changed.services[0].duration_minutes, 45);
        assert_eq!(changed.closed_dates.len(), 1);
        assert_eq!(changed.hours, settings.hours);

        for (args, field) in [
            (
                SetArgs {
                    hours: vec!["mon=09:00-12:00,11:00-13:00".into()],
                    ..Default::default()
                },
                "hours.mon: intervals overlap",
            ),
            (
                SetArgs {
                    step: Some(7),
                    ..Default::default()
                },
                "slot_step_minutes",
            ),
            (
                SetArgs {
                    timezone: Some("Mars/Olympus".into()),
                    ..Default::default()
                },
                "timezone",
            ),
            (
                SetArgs {
                    services: vec!["long:ארוך:Long:200:30:30".into()],
                    ..Default::default()
                },
                "services.long.duration_minutes",
            ),
            (
                SetArgs {
                    remove_services: vec!["nope".into()],
                    ..Default::default()
                },
                "no service `nope`",
            ),
        ] {
            let err = args.apply(Some(settings.clone())).unwrap_err().to_string();
            assert!(err.contains(field), "{args:?}: {err}");
        }
    }

    #[test]
    fn toml_dates_may_be_bare_or_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booking.toml");
        std::fs::write(
            &path,
            "timezone = \"Asia/Jerusalem\"\nclosed_dates = [2026-12-25, \"2026-12-31\"]\n\
             [hours]\nsun = [[\"09:00\", \"17:00\"]]\n",
        )
        .unwrap();
        let settings = read_file(&path).unwrap();
        assert_eq!(settings.closed_dates.len(), 2);
        assert_eq!(settings.hours.on(Weekday::Sunday).len(), 1);
    }
}
