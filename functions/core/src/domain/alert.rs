//! Owner alerts: who hears about a business's voicemails, missed calls and bookings, and how
//! ([`AlertSettings`] on the business); what Frontdesk made of a call ([`Triage`]: summary,
//! intent, urgency, spam); and the record each alert leaves ([`AlertRecord`]), which makes it
//! go out once and shows a failure in `doctor`.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::follow_up::ConfirmationTemplate;
use super::ids::{BusinessId, ParseError, PhoneNumber};
use super::reminder::LocalTime;

fn invalid(what: &'static str, value: &str, reason: &'static str) -> ParseError {
    ParseError {
        what,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// An email address as a recipient: one `@`, a dotted domain, nothing a header could be
/// split on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim();
        let bad = |reason| invalid("email address", v, reason);
        if v.len() > 254 || v.is_empty() {
            return Err(bad("must be 1 to 254 characters"));
        }
        if v.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"()[]\\".contains(c))
        {
            return Err(bad(
                "must not hold spaces, brackets, quotes, commas or semicolons",
            ));
        }
        let Some((local, domain)) = v.split_once('@') else {
            return Err(bad("must be name@domain"));
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-'));
        if local.is_empty() || !domain_ok {
            return Err(bad("must be name@domain.tld"));
        }
        Ok(Self(v.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One person an alert goes to, on one channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "channel", content = "to", rename_all = "snake_case")]
pub enum Recipient {
    /// WhatsApp through the business's provider: the alert template when one is set, else text
    /// (which the provider delivers only inside the 24-hour window).
    Whatsapp(PhoneNumber),
    /// A text message through Twilio.
    Sms(PhoneNumber),
    /// Email: Amazon SES on AWS, `.eml` files under `frontdesk serve`.
    Email(EmailAddress),
}

impl Recipient {
    /// A recipient from a channel's name (`whatsapp`, `sms`, `email`) and an address.
    pub fn parse(channel: &str, to: &str) -> Result<Self, ParseError> {
        match channel.trim() {
            "whatsapp" => PhoneNumber::parse(to).map(Self::Whatsapp),
            "sms" => PhoneNumber::parse(to).map(Self::Sms),
            "email" => EmailAddress::parse(to).map(Self::Email),
            other => Err(invalid(
                "alert channel",
                other,
                "must be whatsapp, sms or email",
            )),
        }
    }

    pub fn channel(&self) -> &'static str {
        match self {
            Self::Whatsapp(_) => "whatsapp",
            Self::Sms(_) => "sms",
            Self::Email(_) => "email",
        }
    }

    pub fn address(&self) -> &str {
        match self {
            Self::Whatsapp(n) | Self::Sms(n) => n.as_str(),
            Self::Email(e) => e.as_str(),
        }
    }

    /// `channel:address`, unique within a business: part of an alert's key.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel(), self.address())
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.channel(), self.address())
    }
}

/// Hours in the business's zone when only urgent alerts go out; the rest wait for `to`.
/// `from` after `to` spans midnight (21:00 to 07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: LocalTime,
    pub to: LocalTime,
}

impl QuietHours {
    /// `HH:MM-HH:MM`.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let (from, to) = value.split_once('-').ok_or_else(|| {
            invalid(
                "quiet hours",
                value,
                "must be HH:MM-HH:MM, e.g. 21:00-07:00",
            )
        })?;
        let hours = Self {
            from: LocalTime::parse(from)?,
            to: LocalTime::parse(to)?,
        };
        if hours.from == hours.to {
            return Err(invalid(
                "quiet hours",
                value,
                "must not start and end together",
            ));
        }
        Ok(hours)
    }

    /// Whether `time` of day falls inside.
    pub fn contains(&self, time: jiff::civil::Time) -> bool {
        let (from, to) = (self.from.0, self.to.0);
        if from < to {
            from <= time && time < to
        } else {
            time >= from || time < to
        }
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

/// Who hears about what, per business. Stored on the business; missing fields take defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    pub recipients: Vec<Recipient>,
    pub quiet_hours: Option<QuietHours>,
    /// When the daily digest goes out, in the business's zone; `None`: no digest.
    pub digest_at: Option<LocalTime>,
    /// The WhatsApp template alerts go out with (outside the 24-hour window a WhatsApp alert
    /// needs one). Its body takes five variables: `{{1}}` who called, `{{2}}` when, `{{3}}` the
    /// summary, `{{4}}` the urgency, `{{5}}` the inbox link.
    pub whatsapp_template: Option<ConfirmationTemplate>,
    /// The WhatsApp template the digest goes out with: `{{1}}` the day, `{{2}}` the counts,
    /// `{{3}}` the inbox link.
    pub digest_template: Option<ConfirmationTemplate>,
    /// Ask the summary endpoint (`SUMMARY_API_BASE`) for a summary, intent and urgency.
    pub summaries: bool,
    /// Look a first-time caller up with Twilio Lookup (line type, caller name).
    pub lookup: bool,
    /// Line types (Twilio Lookup's `line_type_intelligence.type`) screened as spam:
    /// `nonFixedVoip`, `tollFree`, …
    pub screen_line_types: Vec<String>,
    /// Words that make a message urgent, on top of the built-in ones.
    pub urgent_words: Vec<String>,
}

impl AlertSettings {
    pub fn is_empty(&self) -> bool {
        self.recipients.is_empty()
    }

    /// Checks a stored or given document as the constructors do.
    pub fn validate(&self) -> Result<(), ParseError> {
        for template in [&self.whatsapp_template, &self.digest_template]
            .into_iter()
            .flatten()
        {
            template.validate()?;
        }
        Ok(())
    }
}

/// How soon the owner should call back.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    High,
}

impl Urgency {
    pub const ALL: [Self; 3] = [Self::High, Self::Normal, Self::Low];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// What the caller wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Booking,
    Question,
    Complaint,
    Sales,
    Personal,
    Spam,
}

impl Intent {
    pub const ALL: [Self; 6] = [
        Self::Booking,
        Self::Question,
        Self::Complaint,
        Self::Sales,
        Self::Personal,
        Self::Spam,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booking => "booking",
            Self::Question => "question",
            Self::Complaint => "complaint",
            Self::Sales => "sales",
            Self::Personal => "personal",
            Self::Spam => "spam",
        }
    }
}

/// Where a triage's summary, intent and urgency came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageSource {
    /// The summary endpoint answered, and its answer passed every check.
    Model,
    /// Keyword and repeat-caller rules alone.
    Rules,
}

/// What Frontdesk made of a call, kept with its transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// One or two sentences in the business's language, plain text.
    pub summary: Option<String>,
    pub intent: Option<Intent>,
    pub urgency: Urgency,
    /// A number the caller asked to be called back on.
    pub callback: Option<PhoneNumber>,
    pub source: TriageSource,
    /// The rules that fired (`keyword: דחוף`, `repeat caller: 2 calls within the hour`), and
    /// why a model's answer was set aside.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Why the call was screened as spam (it goes to the digest only).
    #[serde(default)]
    pub spam: Option<String>,
    /// Twilio Lookup's caller name, when looked up.
    #[serde(default)]
    pub caller_name: Option<String>,
    /// Twilio Lookup's line type, when looked up.
    #[serde(default)]
    pub line_type: Option<String>,
}

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Voicemail,
    /// A voicemail whose transcription failed or was skipped: the recording link alone.
    VoicemailUntranscribed,
    MissedCall,
    AppointmentBooked,
    AppointmentCancelled,
    Digest,
    Test,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Voicemail => "voicemail",
            Self::VoicemailUntranscribed => "voicemail_untranscribed",
            Self::MissedCall => "missed_call",
            Self::AppointmentBooked => "appointment_booked",
            Self::AppointmentCancelled => "appointment_cancelled",
            Self::Digest => "digest",
            Self::Test => "test",
        }
    }
}

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Waiting for the end of quiet hours.
    Held,
    /// Attempted; will be tried again.
    Retrying,
    /// The provider took it.
    Sent,
    /// Given up: refused, or every retry used.
    Failed,
    /// Screened as spam or from a blocked number: for the digest only.
    Screened,
    /// The recipient was removed before it went out.
    Skipped,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Screened => "screened",
            Self::Skipped => "skipped",
        }
    }

    /// Nothing more will be sent for it.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Held | Self::Retrying)
    }
}

/// One try at sending an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertAttempt {
    pub at: Timestamp,
    /// The provider's message id, when it took the alert.
    pub id: Option<String>,
    pub error: Option<String>,
}

/// The record of one alert to one recipient: what makes it go out once, and what `doctor`
/// shows of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRecord {
    pub business_id: BusinessId,
    /// `{what}/{recipient key}`: `evt_CA…_completed/sms:+972…`, `digest:2026-11-29/email:…`.
    pub key: String,
    pub kind: AlertKind,
    /// The recipient's key (`sms:+972…`); empty for a screened call's record.
    pub recipient: String,
    pub state: AlertState,
    pub urgency: Urgency,
    /// Why it was screened, skipped or held.
    pub note: Option<String>,
    pub attempts: Vec<AlertAttempt>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What Twilio Lookup said of a number, kept so a number is looked up once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerLookup {
    pub number: PhoneNumber,
    pub caller_name: Option<String>,
    pub line_type: Option<String>,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_round_trip_as_channel_and_address() {
        let sms = Recipient::parse("sms", "+972 50-123-4567").unwrap();
        assert_eq!(sms.key(), "sms:+972501234567");
        let json = serde_json::to_value(&sms).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"channel": "sms", "to": "+972501234567"})
        );
        assert_eq!(serde_json::from_value::<Recipient>(json).unwrap(), sms);
        let email = Recipient::parse("email", " owner@clinic.example ").unwrap();
        assert_eq!(email.address(), "owner@clinic.example");
        assert!(Recipient::parse("fax", "+972501234567").is_err());
        assert!(Recipient::parse("sms", "050-CALL-ME").is_err());
    }

    #[test]
    fn an_email_address_cannot_carry_a_header() {
        for bad in [
            "owner",
            "owner@clinic",
            "a@b@clinic.example",
            "owner@clinic.example\r\nBcc: x@y.z",
            "Owner <owner@clinic.example>",
            "@clinic.example",
            "owner@.example",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        assert!(EmailAddress::parse("dr.cohen+alerts@clinic.co.il").is_ok());
    }

    #[test]
    fn quiet_hours_span_midnight() {
        let night = QuietHours::parse("21:00-07:00").unwrap();
        let at = |h, m| jiff::civil::Time::new(h, m, 0, 0).unwrap();
        assert!(night.contains(at(23, 30)));
        assert!(night.contains(at(3, 0)));
        assert!(!night.contains(at(7, 0)));
        assert!(!night.contains(at(12, 0)));
        let lunch = QuietHours::parse("13:00-14:00").unwrap();
        assert!(lunch.contains(at(13, 30)));
        assert!(!lunch.contains(at(14, 0)));
        assert!(QuietHours::parse("21:00").is_err());
        assert!(QuietHours::parse("07:00-07:00").is_err());
        assert_eq!(night.to_string(), "21:00-07:00");
    }

    #[test]
    fn settings_read_with_defaults() {
        let settings: AlertSettings = serde_json::from_str(
            r#"{"recipients": [{"channel": "email", "to": "owner@clinic.example"}],
                "quiet_hours": {"from": "21:00", "to": "07:00"}, "digest_at": "08:00"}"#,
        )
        .unwrap();
        assert_eq!(settings.recipients.len(), 1);
        assert!(!settings.summaries);
        assert_eq!(settings.digest_at.unwrap().to_string(), "08:00");
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn urgency_orders_low_to_high_and_parses_only_its_names() {
        assert!(Urgency::Low < Urgency::Normal && Urgency::Normal < Urgency::High);
        assert_eq!(Urgency::parse("high"), Some(Urgency::High));
        assert_eq!(Urgency::parse("critical"), None);
        assert_eq!(Intent::parse("spam"), Some(Intent::Spam));
        assert_eq!(Intent::parse("other"), None);
    }
}
