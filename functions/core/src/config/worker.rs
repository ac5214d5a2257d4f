//! What the queue consumers need beyond the providers' credentials: the transcription server,
//! timeouts, and how long recording links stay valid.

use std::time::Duration;

use super::env::{http_base, Env};
use super::{ConfigError, Secret};

pub const DEFAULT_TRANSCRIBE_MODEL: &str = "whisper-1";
pub const DEFAULT_SUMMARY_MODEL: &str = "gpt-4o-mini";

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// `TRANSCRIBE_API_BASE`: an OpenAI-compatible server (`https://api.openai.com`,
    /// `https://api.groq.com/openai`, a self-hosted Whisper). Unset: transcription is skipped.
    pub transcribe_api_base: Option<String>,
    /// `TRANSCRIBE_API_KEY`: its bearer token.
    pub transcribe_api_key: Option<Secret>,
    /// `TRANSCRIBE_MODEL` (default `whisper-1`).
    pub transcribe_model: String,
    /// `TRANSCRIBE_TIMEOUT_SECONDS` (default 120): one transcription request.
    pub transcribe_timeout: Duration,
    /// Recording downloads (30 s).
    pub download_timeout: Duration,
    /// `FRONTDESK_WEBHOOK_TIMEOUT_SECONDS` (default 10): one webhook delivery.
    pub webhook_timeout: Duration,
    /// How long a recording link in an event or API answer stays valid (7 days, S3's maximum).
    pub link_lifetime: Duration,
    /// `SUMMARY_API_BASE`: an OpenAI-compatible chat server (`/v1/chat/completions`) that
    /// summarises voicemails for the businesses that ask for it. Unset: rules alone.
    pub summary_api_base: Option<String>,
    /// `SUMMARY_API_KEY`: its bearer token.
    pub summary_api_key: Option<Secret>,
    /// `SUMMARY_MODEL` (default `gpt-4o-mini`).
    pub summary_model: String,
    /// `SUMMARY_TIMEOUT_SECONDS` (default 10): one summary request; past it the alert goes out
    /// without a summary.
    pub summary_timeout: Duration,
    /// `FRONTDESK_ALERT_EMAIL_FROM`: the address (an SES-verified identity on AWS) owner
    /// alerts are emailed from.
    pub alert_email_from: Option<String>,
}

impl WorkerSettings {
    /// The settings `lookup` gives (tests; the process reads them through [`super::Config`]).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::read(&Env::new(&lookup))
    }

    pub fn read(env: &Env) -> Result<Self, ConfigError> {
        let transcribe_api_base = match env.non_empty("TRANSCRIBE_API_BASE") {
            None => None,
            Some(base) => {
                let base = http_base("TRANSCRIBE_API_BASE", &base)?;
                // `…/v1` is accepted too: the client adds `/v1/audio/transcriptions` itself.
                Some(base.strip_suffix("/v1").unwrap_or(&base).to_string())
            }
        };
        let summary_api_base = match env.non_empty("SUMMARY_API_BASE") {
            None => None,
            Some(base) => {
                let base = http_base("SUMMARY_API_BASE", &base)?;
                Some(base.strip_suffix("/v1").unwrap_or(&base).to_string())
            }
        };
        Ok(Self {
            summary_api_base,
            summary_api_key: env.secret("SUMMARY_API_KEY"),
            summary_model: env
                .non_empty("SUMMARY_MODEL")
                .unwrap_or_else(|| DEFAULT_SUMMARY_MODEL.into()),
            summary_timeout: env.seconds("SUMMARY_TIMEOUT_SECONDS", 10)?,
            alert_email_from: env.non_empty("FRONTDESK_ALERT_EMAIL_FROM"),
            transcribe_api_base,
            transcribe_api_key: env.secret("TRANSCRIBE_API_KEY"),
            transcribe_model: env
                .non_empty("TRANSCRIBE_MODEL")
                .unwrap_or_else(|| DEFAULT_TRANSCRIBE_MODEL.into()),
            transcribe_timeout: env.seconds("TRANSCRIBE_TIMEOUT_SECONDS", 120)?,
            download_timeout: Duration::from_secs(30),
            webhook_timeout: env.seconds("FRONTDESK_WEBHOOK_TIMEOUT_SECONDS", 10)?,
            link_lifetime: Duration::from_secs(7 * 24 * 3600),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_accept_a_base_with_or_without_v1() {
        let settings = WorkerSettings::from_lookup(|name| match name {
            "TRANSCRIBE_API_BASE" => Some("https://api.groq.com/openai/v1/".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            settings.transcribe_api_base.as_deref(),
            Some("https://api.groq.com/openai")
        );
        assert_eq!(settings.transcribe_model, "whisper-1");
        assert!(WorkerSettings::from_lookup(
            |name| (name == "TRANSCRIBE_API_BASE").then(|| "api.openai.com".into())
        )
        .is_err());
        assert!(WorkerSettings::from_lookup(
            |name| (name == "TRANSCRIBE_TIMEOUT_SECONDS").then(|| "0".into())
        )
        .is_err());
    }
}
