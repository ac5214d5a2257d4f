//! Appointment reminders: a business's reminder settings (how long before an appointment, the
//! outreach window in its zone, the channel) and when each reminder goes out ([`due`]); the
//! stored reminder, one per appointment and offset ([`record`]).
//!
//! Settings are checked at the edge ([`ReminderSettings::parse_json`]); a stored document that
//! no longer parses is treated as no reminders.

pub mod due;
pub mod record;

use std::fmt;

use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use super::follow_up::ConfirmationTemplate;
use super::ids::ParseError;
pub use record::{Reminder, ReminderAnswer, ReminderKey, ReminderState};

/// At most this many reminders per appointment.
pub const MAX_OFFSETS: usize = 4;
/// The earliest reminder: a week before.
pub const MAX_OFFSET_MINUTES: u32 = 7 * 24 * 60;

fn invalid(what: &'static str, value: &str, reason: &'static str) -> ParseError {
    ParseError {
        what,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// A wall-clock time of day in the business's zone, written `HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalTime(pub Time);

impl LocalTime {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let bad = || invalid("time of day", value, "must be HH:MM (24-hour), e.g. 09:00");
        let v = value.trim();
        let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        let (h, m) = v
            .split_once(':')
            .filter(|(h, m)| digits(h) && digits(m))
            .ok_or_else(bad)?;
        let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(0..24).contains(&h) || !(0..60).contains(&m) {
            return Err(bad());
        }
        Time::new(h, m, 0, 0).map(Self).map_err(|_| bad())
    }
}

impl TryFrom<String> for LocalTime {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Self::parse(&value)
    }
}

impl From<LocalTime> for String {
    fn from(value: LocalTime) -> Self {
        value.to_string()
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

/// The hours a customer may be written to, in the business's zone: `from` to `to` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutreachWindow {
    pub from: LocalTime,
    pub to: LocalTime,
}

impl Default for OutreachWindow {
    fn default() -> Self {
        Self {
            from: LocalTime(Time::constant(9, 0, 0, 0)),
            to: LocalTime(Time::constant(20, 0, 0, 0)),
        }
    }
}

/// How reminders go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReminderChannel {
    /// The business's WhatsApp template for its provider; without one, an SMS (logged).
    Whatsapp,
    /// An SMS through Twilio's Messages API.
    Sms,
    /// A call placed through Twilio's Calls API that says the appointment in words and takes 1
    /// to confirm and 2 to cancel (left after the beep on an answering machine).
    Voice,
}

impl ReminderChannel {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value.trim() {
            "whatsapp" => Ok(Self::Whatsapp),
            "sms" => Ok(Self::Sms),
            "voice" => Ok(Self::Voice),
            _ => Err(invalid(
                "reminder channel",
                value,
                "must be whatsapp, sms or voice",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Sms => "sms",
            Self::Voice => "voice",
        }
    }
}

impl TryFrom<String> for ReminderChannel {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Self::parse(&value)
    }
}

impl From<ReminderChannel> for String {
    fn from(value: ReminderChannel) -> Self {
        value.as_str().to_string()
    }
}

/// A business's reminders:
/// `{"offsets_minutes": [1440, 120], "window": {"from": "09:00", "to": "20:00"},
///   "channel": "whatsapp", "template": {"provider": "twilio", "content_sid": "HX…"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// How long before the appointment each reminder is due, in minutes (1440 = a day).
    pub offsets_minutes: Vec<u32>,
    #[serde(default)]
    pub window: OutreachWindow,
    pub channel: ReminderChannel,
    /// The WhatsApp template (variables `{{1}}` service, `{{2}}` day, `{{3}}` time).
    #[serde(default)]
    pub template: Option<ConfirmationTemplate>,
}

impl ReminderSettings {
    /// Settings from their JSON, checked.
    pub fn parse_json(json: &str) -> Result<Self, String> {
        let settings: Self = serde_json::from_str(json).map_err(|e| e.to_string())?;
        settings.validate().map_err(|e| e.to_string())?;
        Ok(settings)
    }

    /// Checks what serde cannot: offsets 1 minute to a week, unique, at most four; a window
    /// that is not empty; a well-formed template.
    pub fn validate(&self) -> Result<(), ParseError> {
        let listed = format!("{:?}", self.offsets_minutes);
        if self.offsets_minutes.is_empty() || self.offsets_minutes.len() > MAX_OFFSETS {
            return Err(invalid(
                "reminder offsets",
                &listed,
                "give one to four offsets in minutes, e.g. [1440, 120]",
            ));
        }
        let mut sorted = self.offsets_minutes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.offsets_minutes.len()
            || sorted.iter().any(|m| *m == 0 || *m > MAX_OFFSET_MINUTES)
        {
            return Err(invalid(
                "reminder offsets",
                &listed,
                "each offset is 1 to 10080 minutes (a week) and appears once",
            ));
        }
        if self.window.from >= self.window.to {
            return Err(invalid(
                "outreach window",
                &format!("{}-{}", self.window.from, self.window.to),
                "`from` must be before `to`",
            ));
        }
        if let Some(template) = &self.template {
            template.validate()?;
        }
        Ok(())
    }

    /// The offsets, largest (earliest reminder) first.
    pub fn offsets(&self) -> Vec<u32> {
        let mut offsets = self.offsets_minutes.clone();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        offsets.dedup();
        offsets
    }
}

/// Reads stored settings; a document that no longer parses (a hand edit, a channel this build
/// does not send) is no reminders, logged, rather than a business that cannot be read.
pub fn lenient<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<ReminderSettings>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(
        value.and_then(|v| match serde_json::from_value::<ReminderSettings>(v) {
            Ok(settings) => Some(settings),
            Err(err) => {
                tracing::warn!(error = %err, "stored reminder settings unreadable; no reminders");
                None
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_with_a_default_window_and_refuse_what_cannot_be_sent() {
        let settings =
            ReminderSettings::parse_json(r#"{"offsets_minutes": [120, 1440], "channel": "sms"}"#)
                .unwrap();
        assert_eq!(
            settings.window.to_string_pair(),
            ("09:00".into(), "20:00".into())
        );
        assert_eq!(settings.offsets(), vec![1440, 120]);
        let voice =
            ReminderSettings::parse_json(r#"{"offsets_minutes": [60], "channel": "voice"}"#)
                .unwrap();
        assert_eq!(voice.channel, ReminderChannel::Voice);
        let fax = ReminderSettings::parse_json(r#"{"offsets_minutes": [60], "channel": "fax"}"#)
            .unwrap_err();
        assert!(fax.contains("must be whatsapp, sms or voice"), "{fax}");
        for bad in [
            r#"{"offsets_minutes": [], "channel": "sms"}"#,
            r#"{"offsets_minutes": [60, 60], "channel": "sms"}"#,
            r#"{"offsets_minutes": [0], "channel": "sms"}"#,
            r#"{"offsets_minutes": [20000], "channel": "sms"}"#,
            r#"{"offsets_minutes": [60], "channel": "sms", "window": {"from": "20:00", "to": "09:00"}}"#,
            r#"{"offsets_minutes": [60], "channel": "sms", "window": {"from": "9", "to": "20:00"}}"#,
            r#"{"offsets_minutes": [60], "channel": "whatsapp", "template": {"provider": "twilio", "content_sid": "HX1"}}"#,
        ] {
            assert!(ReminderSettings::parse_json(bad).is_err(), "{bad}");
        }
    }

    impl OutreachWindow {
        fn to_string_pair(self) -> (String, String) {
            (self.from.to_string(), self.to.to_string())
        }
    }
}
