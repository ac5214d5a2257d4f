//! `frontdesk business …`: create, change, show, list and delete businesses, and issue their
//! API keys. Every setting is checked here, at the edge, before it is stored.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use frontdesk::domain::business::{stream_wss_url, CallGoal, VoiceMode};
use frontdesk::domain::message::Provider;
use frontdesk::domain::{Business, BusinessId, PhoneNumber};
use frontdesk::store::StoreError;

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum BusinessCommand {
    /// Create a business (refused when the id exists).
    Create {
        /// The business id: lowercase letters, digits and `-`.
        id: String,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Change some of a business's settings; the others keep their values.
    Update {
        id: String,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Print a business's settings.
    Show {
        id: String,
        /// Print the stored JSON document.
        #[arg(long)]
        json: bool,
    },
    /// List every business.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Delete a business and free its numbers (its calls and messages stay).
    Delete {
        id: String,
        /// Delete without asking again.
        #[arg(long)]
        yes: bool,
    },
    /// Issue an API key for the send and calls APIs: printed once, stored only as its SHA-256.
    ApiKey { id: String },
    /// Create (or replace) the `whsec_…` secret that signs the business's webhooks.
    WebhookSecret { id: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VoiceModeArg {
    Voicemail,
    Stream,
    VerificationCode,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CallGoalArg {
    LeadOnly,
    Appointment,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProviderArg {
    Twilio,
    Meta,
}

/// Every business setting. An empty value (`--stream-url ""`) clears an optional one.
#[derive(Args, Debug, Default)]
pub struct SettingsArgs {
    /// Display name (required by create).
    #[arg(long)]
    pub name: Option<String>,
    /// A phone number in E.164 (+972…); repeat for several. Replaces the list on update.
    #[arg(long = "number", value_name = "E164")]
    pub numbers: Vec<String>,
    /// How calls are answered.
    #[arg(long, value_enum)]
    pub voice_mode: Option<VoiceModeArg>,
    /// The voice agent's WebSocket URL (stream mode), in any form: wss://, https://, bare host.
    #[arg(long)]
    pub stream_url: Option<String>,
    /// What a caller hears before typing the code (verification-code mode).
    #[arg(long)]
    pub verification_prompt: Option<String>,
    /// Spoken when there is no greeting MP3.
    #[arg(long)]
    pub fallback_text: Option<String>,
    /// Spoken after the recording.
    #[arg(long)]
    pub thanks_text: Option<String>,
    /// The language of the spoken texts (he-IL, en-US…).
    #[arg(long)]
    pub language: Option<String>,
    /// Longest voicemail, in seconds.
    #[arg(long)]
    pub record_max_length: Option<u32>,
    /// Seconds of silence that end a voicemail.
    #[arg(long)]
    pub record_timeout: Option<u32>,
    /// Keys that end a voicemail (e.g. `*`).
    #[arg(long)]
    pub record_finish_on_key: Option<String>,
    /// Beep before recording.
    #[arg(long)]
    pub record_beep: Option<bool>,
    /// Where events go when no direction-specific URL is set (https).
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Where events of inbound calls go (https).
    #[arg(long)]
    pub inbound_webhook_url: Option<String>,
    /// Where events of outbound calls go (https).
    #[arg(long)]
    pub outbound_webhook_url: Option<String>,
    /// What calls are for: appointment booking needs calendar scheduling on.
    #[arg(long, value_enum)]
    pub call_goal: Option<CallGoalArg>,
    /// Calendar scheduling (WhatsApp booking; required by call goal `appointment`).
    #[arg(long)]
    pub calendar: Option<bool>,
    /// The business's time zone (IANA name).
    #[arg(long)]
    pub timezone: Option<String>,
    /// Transcribe voicemails.
    #[arg(long)]
    pub transcription: Option<bool>,
    /// Delete recordings from Twilio once Frontdesk holds its copy.
    #[arg(long)]
    pub delete_from_twilio_after_copy: Option<bool>,
    /// Calls per minute accepted from one caller.
    #[arg(long)]
    pub calls_per_minute: Option<u32>,
    /// The reply every inbound WhatsApp message gets through Twilio.
    #[arg(long)]
    pub whatsapp_auto_reply: Option<String>,
    /// The WhatsApp Cloud API phone number id (Meta businesses).
    #[arg(long)]
    pub meta_phone_number_id: Option<String>,
    /// Who sends outbound WhatsApp messages.
    #[arg(long, value_enum)]
    pub whatsapp_provider: Option<ProviderArg>,
    /// The owner's phone (E.164), rung first by a click-to-call (`call --bridge`); `""` clears.
    #[arg(long, value_name = "E164")]
    pub owner_phone: Option<String>,
}

/// `Some("")` clears, `Some(v)` sets, `None` keeps.
fn optional(field: &mut Option<String>, value: Option<String>) {
    if let Some(value) = value {
        let value = value.trim().to_string();
        *field = (!value.is_empty()).then_some(value);
    }
}

impl SettingsArgs {
    /// Applies the given settings to `business`, parsing numbers at the edge.
    pub fn apply(self, business: &mut Business) -> Result<(), CliError> {
        if let Some(name) = self.name {
            business.name = name;
        }
        if !self.numbers.is_empty() {
            let mut numbers = Vec::new();
            for number in &self.numbers {
                let number = PhoneNumber::parse(number)?;
                if numbers.contains(&number) {
                    return Err(format!("{number} is given twice").into());
                }
                numbers.push(number);
            }
            business.phone_numbers = numbers;
        }
        if let Some(mode) = self.voice_mode {
            business.voice_mode = match mode {
                VoiceModeArg::Voicemail => VoiceMode::Voicemail,
                VoiceModeArg::Stream => VoiceMode::Stream,
                VoiceModeArg::VerificationCode => VoiceMode::VerificationCode,
            };
        }
        optional(&mut business.stream_url, self.stream_url);
        optional(&mut business.verification_prompt, self.verification_prompt);
        if let Some(text) = self.fallback_text {
            business.fallback_text = text;
        }
        if let Some(text) = self.thanks_text {
            business.thanks_text = text;
        }
        if let Some(language) = self.language {
            business.language = language;
        }
        if let Some(seconds) = self.record_max_length {
            business.record.max_length = seconds;
        }
        if let Some(seconds) = self.record_timeout {
            business.record.timeout = seconds;
        }
        if let Some(keys) = self.record_finish_on_key {
            business.record.finish_on_key = keys;
        }
        if let Some(beep) = self.record_beep {
            business.record.play_beep = beep;
        }
        optional(&mut business.generic_webhook_url, self.webhook_url);
        optional(&mut business.inbound_webhook_url, self.inbound_webhook_url);
        optional(
            &mut business.outbound_webhook_url,
            self.outbound_webhook_url,
        );
        if let Some(goal) = self.call_goal {
            business.call_goal = match goal {
                CallGoalArg::LeadOnly => CallGoal::LeadOnly,
                CallGoalArg::Appointment => CallGoal::Appointment,
            };
        }
        if let Some(calendar) = self.calendar {
            business.enable_calendar_scheduling = calendar;
        }
        if let Some(timezone) = self.timezone {
            business.timezone = timezone;
        }
        if let Some(on) = self.transcription {
            business.transcription_enabled = on;
        }
        if let Some(on) = self.delete_from_twilio_after_copy {
            business.delete_from_twilio_after_copy = on;
        }
        if let Some(limit) = self.calls_per_minute {
            business.calls_per_minute = limit;
        }
        optional(&mut business.whatsapp_auto_reply, self.whatsapp_auto_reply);
        optional(
            &mut business.meta_phone_number_id,
            self.meta_phone_number_id,
        );
        if let Some(provider) = self.whatsapp_provider {
            business.whatsapp_provider = match provider {
                ProviderArg::Twilio => Provider::Twilio,
                ProviderArg::Meta => Provider::Meta,
            };
        }
        if let Some(phone) = self.owner_phone.as_deref().map(str::trim) {
            business.owner_phone = (!phone.is_empty())
                .then(|| PhoneNumber::parse(phone))
                .transpose()?;
        }
        Ok(())
    }
}

/// Whether `url` is an acceptable webhook URL: https, or http to this machine (a receiver
/// next to `frontdesk serve` during development).
pub fn webhook_url_problem(url: &str) -> Option<String> {
    if url.starts_with("https://") && url.len() > "https://".len() {
        return None;
    }
    if is_loopback_http(url) {
        return None;
    }
    Some(format!("`{url}` is not an https:// URL"))
}

/// `http://127.0.0.1…`, `http://localhost…` or `http://[::1]…`.
pub fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The settings a business must have to be stored: checked on create and update.
pub fn validate(business: &Business) -> Result<(), String> {
    if business.name.trim().is_empty() {
        return Err("the name is empty (--name)".into());
    }
    for url in [
        &business.generic_webhook_url,
        &business.inbound_webhook_url,
        &business.outbound_webhook_url,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(problem) = webhook_url_problem(url) {
            return Err(format!("webhook URL {problem}"));
        }
    }
    match business.voice_mode {
        VoiceMode::Stream => match &business.stream_url {
            None => return Err("voice mode `stream` needs --stream-url".into()),
            Some(url) if stream_wss_url(url).is_none() => {
                return Err(format!("--stream-url `{url}` has no host"));
            }
            Some(_) => {}
        },
        VoiceMode::Voicemail | VoiceMode::VerificationCode => {}
    }
    if business.call_goal == CallGoal::Appointment && !business.enable_calendar_scheduling {
        return Err(
            "call goal `appointment` needs calendar scheduling on (--calendar true)".into(),
        );
    }
    if business.record.max_length == 0 || business.record.timeout == 0 {
        return Err("record max length and timeout must be at least 1 second".into());
    }
    if business.calls_per_minute == 0 {
        return Err("--calls-per-minute must be at least 1".into());
    }
    if business.whatsapp_provider == Provider::Meta && business.meta_phone_number_id.is_none() {
        return Err("WhatsApp provider `meta` needs --meta-phone-number-id".into());
    }
    Ok(())
}

/// Stores a checked business, turning a taken number into a plain sentence.
pub async fn save(deployment: &Deployment, business: &Business) -> Result<(), CliError> {
    validate(business)?;
    match deployment.store.put_business(business).await {
        Err(StoreError::NumberTaken { number, owner }) => {
            Err(format!("{number} already belongs to business `{owner}`").into())
        }
        other => Ok(other?),
    }
}

pub async fn load(deployment: &Deployment, id: &BusinessId) -> Result<Business, CliError> {
    deployment
        .store
        .business(id)
        .await?
        .ok_or_else(|| format!("no business `{id}` in {}", deployment.name).into())
}

pub async fn run(
    deployment: &Deployment,
    command: BusinessCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        BusinessCommand::Create { id, settings } => {
            let id = BusinessId::parse(&id)?;
            if deployment.store.business(&id).await?.is_some() {
                return Err(format!("business `{id}` exists: use `business update`").into());
            }
            if settings.name.is_none() {
                return Err("--name is required to create a business".into());
            }
            let mut business = Business::new(id, "");
            settings.apply(&mut business)?;
            save(deployment, &business).await?;
            writeln!(
                out,
                "created business {} in {}",
                business.id, deployment.name
            )?;
        }
        BusinessCommand::Update { id, settings } => {
            let mut business = load(deployment, &BusinessId::parse(&id)?).await?;
            settings.apply(&mut business)?;
            save(deployment, &business).await?;
            writeln!(out, "updated business {}", business.id)?;
        }
        BusinessCommand::Show { id, json } => {
            let business = load(deployment, &BusinessId::parse(&id)?).await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&business)?)?;
            } else {
                show(&business, out)?;
            }
        }
        BusinessCommand::List { json } => {
            let businesses = deployment.store.list_businesses().await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&businesses)?)?;
            } else {
                list(&businesses, out)?;
            }
        }
        BusinessCommand::Delete { id, yes } => {
            let business = load(deployment, &BusinessId::parse(&id)?).await?;
            if !yes {
                return Err(format!(
                    "this deletes business `{}` and frees {} number(s); run again with --yes",
                    business.id,
                    business.phone_numbers.len()
                )
                .into());
            }
            deployment.store.delete_business(&business.id).await?;
            writeln!(out, "deleted business {}", business.id)?;
        }
        BusinessCommand::ApiKey { id } => {
            let business = load(deployment, &BusinessId::parse(&id)?).await?;
            let key = frontdesk::domain::ApiKey::generate()?;
            deployment
                .store
                .put_api_key(&business.id, &key.hash(), time::OffsetDateTime::now_utc())
                .await?;
            writeln!(out, "{}", key.reveal())?;
            eprintln!(
                "API key for {}: shown once, only its hash is kept.",
                business.id
            );
        }
        BusinessCommand::WebhookSecret { id } => {
            let business = load(deployment, &BusinessId::parse(&id)?).await?;
            let secret = frontdesk::worker::signing::generate_secret()?;
            deployment
                .store
                .put_webhook_secret(&business.id, &secret)
                .await?;
            writeln!(out, "{}", secret.expose())?;
            eprintln!(
                "Webhook signing secret for {} (Standard Webhooks): give it to the receiver.",
                business.id
            );
        }
    }
    Ok(())
}

fn or_unset(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("(not set)")
}

fn show(b: &Business, out: &mut dyn Write) -> std::io::Result<()> {
    let numbers: Vec<&str> = b.phone_numbers.iter().map(PhoneNumber::as_str).collect();
    let rows: Vec<(&str, String)> = vec![
        ("id", b.id.to_string()),
        ("name", b.name.clone()),
        ("numbers", numbers.join(", ")),
        ("voice mode", serde_label(&b.voice_mode)),
        ("stream URL", or_unset(&b.stream_url).into()),
        ("greeting", or_unset(&b.greeting_key).into()),
        ("fallback text", b.fallback_text.clone()),
        ("thanks text", b.thanks_text.clone()),
        ("language", b.language.clone()),
        (
            "record",
            format!(
                "max {} s, {} s silence, finish on `{}`, beep {}",
                b.record.max_length, b.record.timeout, b.record.finish_on_key, b.record.play_beep
            ),
        ),
        ("webhook URL", or_unset(&b.generic_webhook_url).into()),
        (
            "inbound webhook URL",
            or_unset(&b.inbound_webhook_url).into(),
        ),
        (
            "outbound webhook URL",
            or_unset(&b.outbound_webhook_url).into(),
        ),
        ("call goal", serde_label(&b.call_goal)),
        (
            "calendar scheduling",
            b.enable_calendar_scheduling.to_string(),
        ),
        ("timezone", b.timezone.clone()),
        ("transcription", b.transcription_enabled.to_string()),
        (
            "delete from Twilio after copy",
            b.delete_from_twilio_after_copy.to_string(),
        ),
        ("calls per minute", b.calls_per_minute.to_string()),
        (
            "WhatsApp auto reply",
            or_unset(&b.whatsapp_auto_reply).into(),
        ),
        ("WhatsApp provider", serde_label(&b.whatsapp_provider)),
        (
            "Meta phone number id",
            or_unset(&b.meta_phone_number_id).into(),
        ),
        (
            "owner phone",
            or_unset(&b.owner_phone.as_ref().map(|p| p.to_string())).into(),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in rows {
        writeln!(out, "{key:width$}  {value}")?;
    }
    crate::booking::show::for_business(b, out)
}

fn list(businesses: &[Business], out: &mut dyn Write) -> std::io::Result<()> {
    if businesses.is_empty() {
        return writeln!(
            out,
            "no businesses yet: `frontdesk business create ID --name NAME`"
        );
    }
    writeln!(out, "{:24} {:28} {:18} NUMBERS", "ID", "NAME", "VOICE MODE")?;
    for b in businesses {
        let numbers: Vec<&str> = b.phone_numbers.iter().map(PhoneNumber::as_str).collect();
        writeln!(
            out,
            "{:24} {:28} {:18} {}",
            b.id.as_str(),
            b.name,
            serde_label(&b.voice_mode),
            numbers.join(", ")
        )?;
    }
    Ok(())
}

/// The setting's stored name (`verification_code`), as the JSON document spells it.
pub fn serde_label<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business() -> Business {
        let mut b = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
        b.generic_webhook_url = Some("https://hooks.example.com/frontdesk".into());
        b
    }

    #[test]
    fn webhook_urls_must_be_https_or_this_machine() {
        assert_eq!(webhook_url_problem("https://hooks.example.com/x"), None);
        assert_eq!(webhook_url_problem("http://127.0.0.1:8080/hook"), None);
        assert_eq!(webhook_url_problem("http://localhost/hook"), None);
        assert!(webhook_url_problem("http://hooks.example.com/x").is_some());
        assert!(webhook_url_problem("http://127.0.0.1.evil.com/x").is_some());
        assert!(webhook_url_problem("ftp://x").is_some());
        assert!(webhook_url_problem("https://").is_some());
    }

    #[test]
    fn stream_mode_without_a_stream_url_is_refused() {
        let mut b = business();
        b.voice_mode = VoiceMode::Stream;
        assert!(validate(&b).unwrap_err().contains("--stream-url"));
        b.stream_url = Some("agent.example.com/media-stream".into());
        assert_eq!(validate(&b), Ok(()));
    }

    #[test]
    fn appointment_calls_need_calendar_scheduling() {
        let mut b = business();
        b.call_goal = CallGoal::Appointment;
        assert!(validate(&b).unwrap_err().contains("--calendar"));
        b.enable_calendar_scheduling = true;
        assert_eq!(validate(&b), Ok(()));
    }

    #[test]
    fn an_empty_value_clears_an_optional_setting() {
        let mut b = business();
        let args = SettingsArgs {
            webhook_url: Some(String::new()),
            numbers: vec!["+972501234567".into()],
            ..Default::default()
        };
        args.apply(&mut b).unwrap();
        assert_eq!(b.generic_webhook_url, None);
        assert_eq!(b.phone_numbers[0].as_str(), "+972501234567");
    }

    #[test]
    fn numbers_not_in_e164_or_repeated_are_refused() {
        let mut b = business();
        let local = SettingsArgs {
            numbers: vec!["050-1234567".into()],
            ..Default::default()
        };
        assert!(local.apply(&mut b).is_err());
        let repeated = SettingsArgs {
            numbers: vec!["+972501234567".into(), "+972501234567".into()],
            ..Default::default()
        };
        assert!(repeated
            .apply(&mut b)
            .unwrap_err()
            .to_string()
            .contains("twice"));
    }
}
