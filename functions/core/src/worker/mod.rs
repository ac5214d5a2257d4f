//! The queue consumers: `transcribe` (recordings → copy → transcript) and `notify` (business
//! webhooks, and the booking outbox's follow-ups: [`calendar`] sync, [`confirmation`] and
//! [`reminder`]s), and the reconciler (with the reminders' minute tick, [`reminder_scan`]).
//! Each processes one message at a time and says what the queue should do with it;
//! the Lambda edge (`lambda::sqs`) and `frontdesk serve`'s loop apply that to SQS or the
//! embedded queue.

pub mod alert;
pub mod calendar;
pub mod confirmation;
pub mod deferred;
pub mod media;
pub mod notify;
pub mod reconcile;
pub mod reminder;
pub mod reminder_scan;
pub mod signing;
pub mod transcribe;
pub mod transcriber;

use std::sync::Arc;
use std::time::Duration;

use crate::alerts::email::{Mailer, NoMailer};
use crate::app::App;
use crate::blob::BlobStore;
use crate::config::WorkerSettings;
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
            mailer: match self {
                // Only the notify consumer emails (owner alerts): the transcribe Lambda never
                // links the SES client.
                Self::Notify => ses_mailer,
                Self::Transcribe => no_mailer,
            },
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
    /// The consumer's mailer on AWS, from the SDK configuration and the settings.
    pub mailer: MailerFn,
}

pub type MailerFn = fn(&aws_config::SdkConfig, &WorkerSettings) -> Arc<dyn Mailer>;

/// SES from `FRONTDESK_ALERT_EMAIL_FROM`, else no mailer (an email alert then fails with the
/// setting to add, and `doctor` shows it).
fn ses_mailer(sdk: &aws_config::SdkConfig, settings: &WorkerSettings) -> Arc<dyn Mailer> {
    match &settings.alert_email_from {
        Some(from) => Arc::new(crate::alerts::email::SesMailer {
            client: aws_sdk_sesv2::Client::new(sdk),
            from: from.clone(),
        }),
        None => Arc::new(NoMailer),
    }
}

fn no_mailer(_: &aws_config::SdkConfig, _: &WorkerSettings) -> Arc<dyn Mailer> {
    Arc::new(NoMailer)
}

/// Exponential backoff for the `receive_count`-th receive: `first`, doubled each time, capped
/// at SQS's 12-hour visibility limit.
pub fn backoff(first: Duration, receive_count: u32) -> Duration {
    let doublings = receive_count.saturating_sub(1).min(16);
    first
        .saturating_mul(1 << doublings)
        .min(Duration::from_secs(12 * 3600))
}

/// Everything a consumer needs, built once per process.
#[derive(Clone)]
pub struct Worker {
    pub app: App,
    /// Recording copies (`recordings/{business}/{CallSid}/{RecordingSid}.mp3`).
    pub recordings: Arc<dyn BlobStore>,
    /// Recording downloads and transcription: rustls, follows redirects.
    pub http: reqwest::Client,
    /// Webhook deliveries: never follows a redirect (a POST must not turn into a GET).
    pub webhooks: reqwest::Client,
    /// Where owner alerts by email go: SES on AWS, a folder under `frontdesk serve`.
    pub mailer: Arc<dyn Mailer>,
    /// The base of the inbox links alerts carry: `PUBLIC_BASE_URL`, or `serve`'s own address.
    pub link_base: Option<String>,
}

impl Worker {
    /// A worker on `app`, with the consumers' settings of its configuration.
    pub fn new(app: App, recordings: Arc<dyn BlobStore>) -> Result<Self, reqwest::Error> {
        let http = crate::tls::https_client_builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()?;
        let webhooks = crate::tls::https_client_builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Frontdesk-Webhooks/1")
            .build()?;
        let link_base = app
            .config()
            .public_base_url
            .as_ref()
            .map(|base| base.as_str().to_string());
        Ok(Self {
            app,
            recordings,
            http,
            webhooks,
            mailer: Arc::new(NoMailer),
            link_base,
        })
    }

    /// This worker, emailing alerts through `mailer`.
    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = mailer;
        self
    }

    /// This worker, linking alerts to the inbox under `base` (`http://127.0.0.1:8080`).
    pub fn with_link_base(mut self, base: &str) -> Self {
        self.link_base = Some(base.trim_end_matches('/').to_string());
        self
    }

    /// An absolute link to `path` (`/inbox/calls/CA…`), when the worker knows its base.
    pub fn link(&self, path: &str) -> Option<String> {
        self.link_base.as_ref().map(|base| format!("{base}{path}"))
    }

    /// The consumers' settings ([`crate::config::Config::worker`]).
    pub fn settings(&self) -> &WorkerSettings {
        &self.app.config().worker
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
}
