//! The queue consumers: `transcribe` (recordings → copy → transcript) and `notify` (business
//! webhooks). Each processes one message at a time and says what the queue should do with it;
//! the Lambda adapter ([`lambda`]) and `frontdesk serve`'s loop apply that to SQS or the
//! embedded queue.

pub mod lambda;
pub mod media;
pub mod notify;
pub mod signing;
pub mod transcribe;
pub mod transcriber;

use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::blob::BlobStore;
use crate::config::{ConfigError, Secret};
use crate::queue::{Disposition, QueueName, Received};

/// The two consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumer {
    Transcribe,
    Notify,
}

impl Consumer {
    pub fn queue(self) -> QueueName {
        match self {
            Self::Transcribe => QueueName::Recordings,
            Self::Notify => QueueName::Notify,
        }
    }

    /// Receives before the dead-letter queue: the `maxReceiveCount` of the queue's redrive
    /// policy in template.yaml (checked by `template_drift.rs`).
    pub fn max_receives(self) -> u32 {
        match self {
            Self::Transcribe => transcribe::MAX_RECEIVES,
            Self::Notify => notify::MAX_RECEIVES,
        }
    }

    /// The consumer's processing, as a plain function: a consumer's Lambda takes it in a
    /// `const` ([`Consumer::with_process`]), so the other consumer's code is never linked in.
    pub const fn process_fn(self) -> Process {
        match self {
            Self::Transcribe => |worker, message| Box::pin(transcribe::process(worker, message)),
            Self::Notify => |worker, message| Box::pin(notify::process(worker, message)),
        }
    }

    pub const fn with_process(self) -> ConsumerProcess {
        ConsumerProcess {
            consumer: self,
            process: self.process_fn(),
        }
    }

    pub async fn process(self, worker: &Worker, message: &Received) -> Disposition {
        (self.process_fn())(worker, message).await
    }
}

pub type Process = for<'a> fn(&'a Worker, &'a Received) -> ProcessFuture<'a>;
pub type ProcessFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Disposition> + Send + 'a>>;

/// A consumer and its processing, fixed together.
#[derive(Clone, Copy, Debug)]
pub struct ConsumerProcess {
    pub consumer: Consumer,
    pub process: Process,
}

/// Exponential backoff for the `receive_count`-th receive: `first`, doubled each time, capped
/// at SQS's 12-hour visibility limit.
pub fn backoff(first: Duration, receive_count: u32) -> Duration {
    let doublings = receive_count.saturating_sub(1).min(16);
    first
        .saturating_mul(1 << doublings)
        .min(Duration::from_secs(12 * 3600))
}

/// The consumers' settings, read from the environment.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// `TWILIO_ACCOUNT_SID`: the Basic auth user for recording downloads.
    pub twilio_account_sid: Option<String>,
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
}

pub const DEFAULT_TRANSCRIBE_MODEL: &str = "whisper-1";

impl WorkerSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match non_empty(name) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .map(Duration::from_secs)
                    .ok_or(ConfigError::Invalid {
                        name,
                        reason: format!("`{v}` is not a positive number of seconds"),
                    }),
            }
        };
        let transcribe_api_base = match non_empty("TRANSCRIBE_API_BASE") {
            None => None,
            Some(base) => {
                let base = base.trim().trim_end_matches('/').to_string();
                if !(base.starts_with("https://") || base.starts_with("http://")) {
                    return Err(ConfigError::Invalid {
                        name: "TRANSCRIBE_API_BASE",
                        reason: "must start with https:// or http://".into(),
                    });
                }
                // `…/v1` is accepted too: the client adds `/v1/audio/transcriptions` itself.
                Some(base.strip_suffix("/v1").unwrap_or(&base).to_string())
            }
        };
        Ok(Self {
            twilio_account_sid: non_empty("TWILIO_ACCOUNT_SID").map(|v| v.trim().to_string()),
            transcribe_api_base,
            transcribe_api_key: lookup("TRANSCRIBE_API_KEY").and_then(Secret::new),
            transcribe_model: non_empty("TRANSCRIBE_MODEL")
                .unwrap_or_else(|| DEFAULT_TRANSCRIBE_MODEL.into()),
            transcribe_timeout: seconds("TRANSCRIBE_TIMEOUT_SECONDS", 120)?,
            download_timeout: Duration::from_secs(30),
            webhook_timeout: seconds("FRONTDESK_WEBHOOK_TIMEOUT_SECONDS", 10)?,
            link_lifetime: Duration::from_secs(7 * 24 * 3600),
        })
    }
}

/// Everything a consumer needs, built once per process.
#[derive(Clone)]
pub struct Worker {
    pub app: App,
    /// Recording copies (`recordings/{business}/{CallSid}/{RecordingSid}.mp3`).
    pub recordings: Arc<dyn BlobStore>,
    pub settings: Arc<WorkerSettings>,
    /// Recording downloads and transcription: rustls, follows redirects.
    pub http: reqwest::Client,
    /// Webhook deliveries: never follows a redirect (a POST must not turn into a GET).
    pub webhooks: reqwest::Client,
}

impl Worker {
    pub fn new(
        app: App,
        recordings: Arc<dyn BlobStore>,
        settings: WorkerSettings,
    ) -> Result<Self, reqwest::Error> {
        let http = crate::tls::https_client_builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()?;
        let webhooks = crate::tls::https_client_builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Frontdesk-Webhooks/1")
            .build()?;
        Ok(Self {
            app,
            recordings,
            settings: Arc::new(settings),
            http,
            webhooks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_secs(15);
        assert_eq!(backoff(first, 1), Duration::from_secs(15));
        assert_eq!(backoff(first, 2), Duration::from_secs(30));
        assert_eq!(backoff(first, 4), Duration::from_secs(120));
        assert_eq!(backoff(first, 40), Duration::from_secs(12 * 3600));
    }

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
