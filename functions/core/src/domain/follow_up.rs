//! What follows a booking, cancel or reschedule outside its own transaction (the outbox on the
//! `notify` queue): the confirmation a customer keeps after a phone booking, and the business's
//! Google Calendar kept in step. The settings each needs live on the business; what became of
//! each is kept with the appointment ([`FollowUps`]), so the API, the CLI and the doctor can
//! show a failure while the booking itself stands.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ids::ParseError;
use super::message::{MessageId, MessageStatus, Provider};

fn invalid(what: &'static str, value: &str, reason: &'static str) -> ParseError {
    ParseError {
        what,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// The WhatsApp template a phone booking's confirmation is sent with, for the business's
/// provider. Without one (or with one for the other provider), the confirmation is an SMS.
///
/// Its body takes three numbered variables: `{{1}}` the service, `{{2}}` the day, `{{3}}` the
/// time, in the business's language and zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ConfirmationTemplate {
    /// A Twilio Content Template (`ContentSid` `HX…`, approved for WhatsApp).
    Twilio { content_sid: String },
    /// A Meta message template: its name and language code (`he`, `en_US`).
    Meta { name: String, language: String },
}

impl ConfirmationTemplate {
    /// A Twilio content template, if `sid` is one (`HX` and 32 hex digits).
    pub fn twilio(sid: &str) -> Result<Self, ParseError> {
        let sid = sid.trim();
        let ok = sid.len() == 34
            && sid.starts_with("HX")
            && sid[2..].bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(invalid(
                "content SID",
                sid,
                "must be HX followed by 32 hex digits (Twilio Console → Content Template Builder)",
            ));
        }
        Ok(Self::Twilio {
            content_sid: sid.to_string(),
        })
    }

    /// A Meta template, if `name` is a template name (lowercase letters, digits and `_`) and
    /// `language` a language code (`he`, `en`, `en_US`, `zh_Hant`).
    pub fn meta(name: &str, language: &str) -> Result<Self, ParseError> {
        let (name, language) = (name.trim(), language.trim());
        let name_ok = !name.is_empty()
            && name.len() <= 512
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(invalid(
                "template name",
                name,
                "must be 1-512 of a-z, 0-9 and _ (as Meta names templates)",
            ));
        }
        let (base, region) = language
            .split_once('_')
            .map_or((language, None), |(b, r)| (b, Some(r)));
        let language_ok = (2..=3).contains(&base.len())
            && base.bytes().all(|b| b.is_ascii_lowercase())
            && region.is_none_or(|r| {
                (2..=4).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphabetic())
            });
        if !language_ok {
            return Err(invalid(
                "template language",
                language,
                "must be a language code such as he, en or en_US",
            ));
        }
        Ok(Self::Meta {
            name: name.to_string(),
            language: language.to_string(),
        })
    }

    /// The provider that sends it.
    pub fn provider(&self) -> Provider {
        match self {
            Self::Twilio { .. } => Provider::Twilio,
            Self::Meta { .. } => Provider::Meta,
        }
    }

    /// Checks a stored template (a hand-edited document) as the constructors do.
    pub fn validate(&self) -> Result<(), ParseError> {
        match self {
            Self::Twilio { content_sid } => Self::twilio(content_sid).map(drop),
            Self::Meta { name, language } => Self::meta(name, language).map(drop),
        }
    }
}

impl fmt::Display for ConfirmationTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Twilio { content_sid } => write!(f, "Twilio content template {content_sid}"),
            Self::Meta { name, language } => write!(f, "Meta template {name} ({language})"),
        }
    }
}

/// A business's Google Calendar: which calendar, and the service account it is shared with.
/// The service account's key is a secret in the store, never here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoogleCalendar {
    /// The calendar's id (`primary` names the service account's own, so it is an address:
    /// the owner's `someone@gmail.com` or a `…@group.calendar.google.com`).
    pub calendar_id: String,
    /// The key's `client_email`: who the owner shares the calendar with.
    pub service_account: String,
}

impl GoogleCalendar {
    /// Checks a calendar id: 1-1024 characters without white space or control characters.
    pub fn parse_calendar_id(value: &str) -> Result<String, ParseError> {
        let value = value.trim();
        let ok = !value.is_empty()
            && value.len() <= 1024
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(invalid(
                "calendar id",
                value,
                "must be 1-1024 characters without spaces (Google Calendar → Settings → Integrate calendar → Calendar ID)",
            ));
        }
        if value == "primary" {
            return Err(invalid(
                "calendar id",
                value,
                "`primary` is the service account's own calendar: give the shared calendar's id",
            ));
        }
        Ok(value.to_string())
    }

    /// The id of the event that mirrors an appointment: the appointment's id itself (32 hex
    /// digits are valid base32hex, 5-1024 characters, as Google requires of a client's id), so
    /// a retried insert is refused as a duplicate and never makes a second event.
    pub fn event_id(appointment: &super::AppointmentId) -> String {
        appointment.as_str().to_string()
    }
}

/// Where one follow-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    /// Failed in a way worth trying again: the queue will (until its last receive).
    Retrying,
    /// Sent (a confirmation) or in step (the calendar).
    Done,
    /// Failed for good: refused, or every receive used (then the job is dead-lettered).
    Failed,
    /// Nothing to do (no number to send from, no calendar any more).
    Skipped,
}

impl FollowUpState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retrying => "retrying",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// How a confirmation went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationChannel {
    /// The business's approved WhatsApp template.
    WhatsappTemplate,
    /// An SMS through Twilio's Messages API.
    Sms,
    /// A call through Twilio's Calls API (a voice reminder).
    Voice,
}

impl ConfirmationChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsappTemplate => "whatsapp_template",
            Self::Sms => "sms",
            Self::Voice => "voice",
        }
    }
}

/// What became of a phone booking's confirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub channel: ConfirmationChannel,
    pub provider: Provider,
    pub state: FollowUpState,
    /// The stored outbound message (the provider's id, or a local one for a refused send).
    #[serde(default)]
    pub message_id: Option<MessageId>,
    /// The message's status as the send answered; the message itself tracks what follows.
    #[serde(default)]
    pub message_status: Option<MessageStatus>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    /// The receive of the job that wrote this (1 on the first attempt).
    pub attempts: u32,
    pub at: Timestamp,
}

/// Which call brought the calendar in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarAction {
    Insert,
    Patch,
    Delete,
}

impl CalendarAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Insert => "insert",
            Self::Patch => "patch",
            Self::Delete => "delete",
        }
    }
}

/// Where the appointment's calendar event stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSync {
    pub event_id: String,
    pub action: CalendarAction,
    pub state: FollowUpState,
    /// The appointment's version the action was for.
    pub version: u32,
    #[serde(default)]
    pub error: Option<String>,
    /// The receive of the job that wrote this (1 on the first attempt).
    pub attempts: u32,
    pub at: Timestamp,
}

/// Everything recorded about an appointment's follow-ups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUps {
    #[serde(default)]
    pub confirmation: Option<Confirmation>,
    #[serde(default)]
    pub calendar: Option<CalendarSync>,
}

impl FollowUps {
    pub fn is_empty(&self) -> bool {
        self.confirmation.is_none() && self.calendar.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_as_the_providers_name_them() {
        let sid = format!("HX{}", "a1".repeat(16));
        assert_eq!(
            ConfirmationTemplate::twilio(&format!(" {sid} ")).unwrap(),
            ConfirmationTemplate::Twilio {
                content_sid: sid.clone()
            }
        );
        for bad in [
            "",
            "HX123",
            "MG0123456789abcdef0123456789abcdef",
            &sid[..33],
        ] {
            assert!(ConfirmationTemplate::twilio(bad).is_err(), "{bad}");
        }
        assert!(ConfirmationTemplate::meta("booking_confirmed", "he").is_ok());
        assert!(ConfirmationTemplate::meta("booking_confirmed", "en_US").is_ok());
        assert!(ConfirmationTemplate::meta("booking_confirmed", "zh_Hant").is_ok());
        for (name, language) in [
            ("Booking", "he"),
            ("booking confirmed", "he"),
            ("", "he"),
            ("ok", "hebrew"),
            ("ok", "he-IL"),
            ("ok", "e"),
            ("ok", "en_"),
        ] {
            assert!(
                ConfirmationTemplate::meta(name, language).is_err(),
                "{name} {language}"
            );
        }
        let stored: ConfirmationTemplate = serde_json::from_str(
            r#"{"provider": "meta", "name": "booking_confirmed", "language": "he"}"#,
        )
        .unwrap();
        assert_eq!(stored.provider(), Provider::Meta);
        assert!(stored.validate().is_ok());
    }

    #[test]
    fn calendar_ids_are_addresses_and_event_ids_are_the_appointments() {
        assert_eq!(
            GoogleCalendar::parse_calendar_id(" c_1a2b@group.calendar.google.com ").unwrap(),
            "c_1a2b@group.calendar.google.com"
        );
        for bad in ["", "primary", "a b", "x\ny"] {
            assert!(GoogleCalendar::parse_calendar_id(bad).is_err(), "{bad:?}");
        }
        let id = super::super::AppointmentId::generate();
        let event = GoogleCalendar::event_id(&id);
        // Google: base32hex digits (0-9, a-v), 5 to 1024 of them.
        assert!((5..=1024).contains(&event.len()));
        assert!(event
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)));
    }

    #[test]
    fn records_read_back_with_missing_fields_defaulted() {
        let stored: FollowUps = serde_json::from_str(
            r#"{"calendar": {"event_id": "0192", "action": "insert", "state": "retrying",
                "version": 1, "attempts": 2, "at": "2026-11-21T10:00:00Z"}}"#,
        )
        .unwrap();
        assert!(stored.confirmation.is_none());
        let calendar = stored.calendar.unwrap();
        assert_eq!(calendar.state, FollowUpState::Retrying);
        assert_eq!(calendar.error, None);
    }
}
