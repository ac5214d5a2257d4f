//! A business and everything about how Frontdesk answers for it.

use serde::{Deserialize, Serialize};

use super::ids::{BusinessId, PhoneNumber};

/// How an incoming call is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoiceMode {
    /// Greeting, then `<Record>`.
    #[default]
    Voicemail,
    /// `<Connect><Stream>` to a WebSocket voice agent, voicemail after it.
    Stream,
    /// `<Gather numDigits="6">` for a verification code, voicemail as fallback.
    VerificationCode,
}

/// What calls are for (note 002): appointment booking happens only with `appointment`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallGoal {
    #[default]
    LeadOnly,
    Appointment,
}

/// `<Record>` settings. Defaults follow the user's notes: 30 s, 5 s of silence, `*`, a beep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordSettings {
    pub max_length: u32,
    pub timeout: u32,
    pub finish_on_key: String,
    pub play_beep: bool,
}

impl Default for RecordSettings {
    fn default() -> Self {
        Self {
            max_length: 30,
            timeout: 5,
            finish_on_key: "*".into(),
            play_beep: true,
        }
    }
}

pub const DEFAULT_FALLBACK_TEXT: &str = "שלום, השאירו הודעה אחרי הצפצוף.";
pub const DEFAULT_THANKS_TEXT: &str = "תודה. ההודעה התקבלה.";
pub const DEFAULT_LANGUAGE: &str = "he-IL";
pub const DEFAULT_VERIFICATION_PROMPT: &str = "נא הקישו את קוד האימות בן שש הספרות.";
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 30;

/// Every setting of a business. Unknown fields in stored documents are ignored and missing
/// ones take their defaults, so settings can grow without a migration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    pub id: BusinessId,
    pub name: String,
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumber>,
    #[serde(default)]
    pub voice_mode: VoiceMode,
    /// Key of the greeting MP3 in the greetings bucket; `None` means speak the fallback text.
    #[serde(default)]
    pub greeting_key: Option<String>,
    /// The ETag the greeting had when it was uploaded, so a changed object can be noticed.
    #[serde(default)]
    pub greeting_etag: Option<String>,
    #[serde(default = "default_fallback_text")]
    pub fallback_text: String,
    #[serde(default = "default_thanks_text")]
    pub thanks_text: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub record: RecordSettings,
    /// WebSocket voice agent, in any form (`wss://`, `https://`, bare host).
    #[serde(default)]
    pub stream_url: Option<String>,
    #[serde(default)]
    pub verification_prompt: Option<String>,
    #[serde(default)]
    pub generic_webhook_url: Option<String>,
    #[serde(default)]
    pub inbound_webhook_url: Option<String>,
    #[serde(default)]
    pub outbound_webhook_url: Option<String>,
    /// Name of the secret that signs this business's webhooks (never the secret itself).
    #[serde(default)]
    pub webhook_secret_name: Option<String>,
    #[serde(default)]
    pub call_goal: CallGoal,
    #[serde(default)]
    pub enable_calendar_scheduling: bool,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_true")]
    pub transcription_enabled: bool,
    /// Delete the recording from Twilio once Frontdesk holds its copy.
    #[serde(default)]
    pub delete_from_twilio_after_copy: bool,
    /// Calls per minute accepted from one caller before `<Reject reason="busy"/>`.
    #[serde(default = "default_calls_per_minute")]
    pub calls_per_minute: u32,
    /// The reply every inbound WhatsApp message gets through Twilio; `None`: no reply.
    #[serde(default)]
    pub whatsapp_auto_reply: Option<String>,
    /// The business's WhatsApp Cloud API phone number id: Meta's webhooks name the business by it.
    #[serde(default)]
    pub meta_phone_number_id: Option<String>,
    /// Who sends this business's outbound WhatsApp messages.
    #[serde(default)]
    pub whatsapp_provider: super::message::Provider,
    /// How appointments are booked (hours, services, the grid); `None` until set.
    #[serde(default)]
    pub booking: Option<super::booking::settings::BookingSettings>,
    /// The WhatsApp template a phone booking is confirmed with; `None`: an SMS.
    #[serde(default)]
    pub confirmation_template: Option<super::follow_up::ConfirmationTemplate>,
    /// The Google Calendar kept in step with the appointments, when connected (its service
    /// account's key is a secret in the store, never in this document).
    #[serde(default)]
    pub google_calendar: Option<super::follow_up::GoogleCalendar>,
    /// The owner's own phone: what a click-to-call (`"bridge": true`) rings first.
    #[serde(default)]
    pub owner_phone: Option<PhoneNumber>,
    /// When and how customers are reminded of their appointments; `None`: never.
    #[serde(default, deserialize_with = "super::reminder::lenient")]
    pub reminders: Option<super::reminder::ReminderSettings>,
    /// The WhatsApp template the inbox replies with outside the 24-hour customer-service window
    /// (its body takes one variable, `{{1}}`: the owner's reply on one line); `None`: outside
    /// the window the inbox cannot reply.
    #[serde(default)]
    pub reply_template: Option<super::follow_up::ConfirmationTemplate>,
    /// Numbers the owner blocked in the inbox: their calls are rejected, their WhatsApp
    /// messages kept without an answer. Kept on this document, which every incoming call and
    /// message reads anyway, so blocking costs the hot path no extra read.
    #[serde(default)]
    pub blocked_numbers: Vec<PhoneNumber>,
    /// Who hears about voicemails, missed calls and bookings, and how; `None`: nobody.
    #[serde(default, deserialize_with = "lenient_alerts")]
    pub alerts: Option<super::alert::AlertSettings>,
}

/// Stored alert settings that no longer parse are no alerts, logged, rather than a business
/// that cannot be read (every call reads it).
fn lenient_alerts<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<super::alert::AlertSettings>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| match serde_json::from_value(v) {
        Ok(settings) => Some(settings),
        Err(err) => {
            tracing::warn!(error = %err, "stored alert settings unreadable; no alerts");
            None
        }
    }))
}

fn default_fallback_text() -> String {
    DEFAULT_FALLBACK_TEXT.into()
}
fn default_thanks_text() -> String {
    DEFAULT_THANKS_TEXT.into()
}
fn default_language() -> String {
    DEFAULT_LANGUAGE.into()
}
fn default_timezone() -> String {
    "Asia/Jerusalem".into()
}
fn default_true() -> bool {
    true
}
fn default_calls_per_minute() -> u32 {
    DEFAULT_CALLS_PER_MINUTE
}

impl Business {
    /// A business with every setting at its default.
    pub fn new(id: BusinessId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            phone_numbers: Vec::new(),
            voice_mode: VoiceMode::default(),
            greeting_key: None,
            greeting_etag: None,
            fallback_text: default_fallback_text(),
            thanks_text: default_thanks_text(),
            language: default_language(),
            record: RecordSettings::default(),
            stream_url: None,
            verification_prompt: None,
            generic_webhook_url: None,
            inbound_webhook_url: None,
            outbound_webhook_url: None,
            webhook_secret_name: None,
            call_goal: CallGoal::default(),
            enable_calendar_scheduling: false,
            timezone: default_timezone(),
            transcription_enabled: true,
            delete_from_twilio_after_copy: false,
            calls_per_minute: DEFAULT_CALLS_PER_MINUTE,
            whatsapp_auto_reply: None,
            meta_phone_number_id: None,
            whatsapp_provider: super::message::Provider::default(),
            booking: None,
            confirmation_template: None,
            google_calendar: None,
            owner_phone: None,
            reminders: None,
            reply_template: None,
            blocked_numbers: Vec::new(),
            alerts: None,
        }
    }

    /// Whether the owner blocked `number` (a caller's `From` as received: anything that is not
    /// an E.164 number, such as `anonymous`, is never blocked).
    pub fn blocks(&self, number: &str) -> bool {
        PhoneNumber::parse(number).is_ok_and(|number| self.blocked_numbers.contains(&number))
    }

    /// The reply template, when it is for the business's own provider (one for the other
    /// provider would never be sent).
    pub fn reply_template(&self) -> Option<&super::follow_up::ConfirmationTemplate> {
        self.reply_template
            .as_ref()
            .filter(|template| template.provider() == self.whatsapp_provider)
    }

    /// The configuration used for a number no business claims: voicemail, defaults.
    pub fn default_for_unknown_number() -> Self {
        Self::new(
            BusinessId::parse("default").expect("valid id"),
            "Frontdesk default",
        )
    }

    /// The greeting key Frontdesk uses for this business's uploaded MP3.
    pub fn standard_greeting_key(id: &BusinessId) -> String {
        format!("greetings/{id}.mp3")
    }
}

/// The `wss://` URL for `<Stream>` from a configured agent URL in any form: `http://` and
/// `https://` become `wss://`, a bare host gains `wss://`, a trailing slash and any query or
/// fragment are dropped (Twilio drops query strings on stream URLs; use `<Parameter>`).
pub fn stream_wss_url(configured: &str) -> Option<String> {
    let trimmed = configured.trim();
    let rest = ["wss://", "ws://", "https://", "http://"]
        .iter()
        .find_map(|scheme| {
            trimmed
                .get(..scheme.len())
                .filter(|p| p.eq_ignore_ascii_case(scheme))
                .map(|_| &trimmed[scheme.len()..])
        })
        .unwrap_or(trimmed);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return None;
    }
    Some(format!("wss://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_urls_are_normalised_from_any_form() {
        for configured in [
            "wss://agent.example.com/media-stream",
            "https://agent.example.com/media-stream/",
            "http://agent.example.com/media-stream?token=x",
            "agent.example.com/media-stream",
            "  WSS://agent.example.com/media-stream#frag ",
        ] {
            assert_eq!(
                stream_wss_url(configured).as_deref(),
                Some("wss://agent.example.com/media-stream"),
                "{configured}"
            );
        }
        assert_eq!(
            stream_wss_url("agent.example.com").as_deref(),
            Some("wss://agent.example.com")
        );
        assert_eq!(stream_wss_url(""), None);
        assert_eq!(stream_wss_url("https://"), None);
    }

    #[test]
    fn stored_documents_missing_fields_take_defaults() {
        let business: Business =
            serde_json::from_str(r#"{"id":"acme","name":"Acme","future_field":1}"#).unwrap();
        assert_eq!(business.record, RecordSettings::default());
        assert_eq!(business.fallback_text, DEFAULT_FALLBACK_TEXT);
        assert_eq!(business.voice_mode, VoiceMode::Voicemail);
        assert!(business.transcription_enabled);
    }

    #[test]
    fn a_blocked_number_is_blocked_however_it_is_written_and_anonymous_never() {
        let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
        assert!(!business.blocks("+972501234567"));
        business.blocked_numbers = vec![PhoneNumber::parse("+972501234567").unwrap()];
        assert!(business.blocks("+972501234567"));
        assert!(business.blocks("whatsapp:+972501234567"));
        assert!(!business.blocks("+972501234568"));
        assert!(!business.blocks("anonymous"));
        let stored: Business = serde_json::from_str(r#"{"id":"acme","name":"Acme"}"#).unwrap();
        assert!(stored.blocked_numbers.is_empty() && stored.reply_template.is_none());
    }

    #[test]
    fn invalid_ids_and_numbers_fail_deserialisation() {
        assert!(serde_json::from_str::<Business>(r#"{"id":"Not Valid","name":"x"}"#).is_err());
        assert!(serde_json::from_str::<Business>(
            r#"{"id":"a","name":"x","phone_numbers":["050"]}"#
        )
        .is_err());
    }
}
