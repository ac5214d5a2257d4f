//! The one way a Lambda function is wired: logging, the settings tree, SDK clients built once,
//! and the backends the function asks for. HTTP functions, consumers and the scheduled
//! reconciler all start here.

use std::sync::Arc;

use crate::app::{App, Backends};
use crate::blob::s3::S3Blobs;
use crate::blob::{Blob, BlobError, BlobMeta, BlobStore};
use crate::config::{AwsResources, Config, LogSettings};
use crate::queue::sqs::{QueueUrls, SqsQueue};
use crate::queue::{OutboundMessage, Queue, QueueError};
use crate::store::dynamodb::DynamoStore;
use crate::telemetry;

use super::{aws, Error};

/// Logging, configuration and the backends `wire` picks, built once per Lambda instance (in
/// `main`): `frontdesk::lambda::app_from_env(|aws| aws.queue()).await?`.
pub async fn app_from_env(wire: impl FnOnce(Wiring) -> Wiring) -> Result<App, Error> {
    wire(Wiring::from_env().await?).app()
}

/// A function's backends, as its `main` asks for them.
///
/// Every function has the DynamoDB store; the queue and the buckets only where asked. A client
/// a function never builds is never linked into its bootstrap, and the AWS SDK is most of a
/// bootstrap's size.
pub struct Wiring {
    config: Config,
    sdk: aws_config::SdkConfig,
    resources: AwsResources,
    backends: Backends,
    sqs: Option<aws_sdk_sqs::Client>,
    recordings: Option<Arc<dyn BlobStore>>,
    wants_recordings: bool,
}

impl Wiring {
    /// Logging first (so a settings error is logged too), then the settings tree (stage `prod`
    /// unless `FRONTDESK_STAGE` says otherwise), the AWS resources it names, the SDK
    /// configuration and the store.
    pub async fn from_env() -> Result<Self, Error> {
        telemetry::init(&LogSettings::from_env());
        let config = Config::from_env("prod")?;
        let resources = config.aws.resources()?;
        Ok(Self::new(config, aws::load_config(None).await, resources))
    }

    /// The wiring of `config` on `sdk`'s AWS (tests give moto's) and `resources`, with the store.
    pub fn new(config: Config, sdk: aws_config::SdkConfig, resources: AwsResources) -> Self {
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), resources.table.clone());
        Self {
            config,
            sdk,
            resources,
            backends: Backends {
                store: Arc::new(store),
                queue: Arc::new(NotWired),
                greetings: Arc::new(NotWired),
            },
            sqs: None,
            recordings: None,
            wants_recordings: false,
        }
    }

    /// The SDK configuration every client is built from.
    pub fn sdk(&self) -> &aws_config::SdkConfig {
        &self.sdk
    }

    /// The settings tree.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The SQS queues (transcription jobs, business notifications).
    pub fn queue(mut self) -> Self {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        self.backends.queue = Arc::new(SqsQueue::new(
            sqs.clone(),
            QueueUrls {
                recordings: self.resources.recordings_queue_url.clone(),
                notify: self.resources.notify_queue_url.clone(),
            },
        ));
        self.sqs = Some(sqs);
        self
    }

    /// The greetings bucket.
    pub fn greetings(mut self) -> Self {
        self.backends.greetings = Arc::new(S3Blobs::new(
            self.s3(),
            self.resources.greetings_bucket.clone(),
        ));
        self
    }

    /// The bucket of recording copies (`FRONTDESK_RECORDINGS_BUCKET`): the consumers' copies
    /// and the calls API's links.
    pub fn recordings(mut self) -> Self {
        self.wants_recordings = true;
        if let Some(bucket) = self.config.aws.recordings_bucket.clone() {
            self.recordings = Some(Arc::new(S3Blobs::new(self.s3(), bucket)));
        }
        self
    }

    /// The SQS client [`Wiring::queue`] built, for settling a consumer's messages.
    pub fn sqs(&self) -> Option<&aws_sdk_sqs::Client> {
        self.sqs.as_ref()
    }

    pub fn resources(&self) -> &AwsResources {
        &self.resources
    }

    /// The app the function serves. Fails when a bucket the function asked for is not named.
    pub fn app(self) -> Result<App, Error> {
        if !self.wants_recordings {
            return Ok(App::new(self.config, self.backends));
        }
        let recordings = match self.recordings {
            Some(recordings) => recordings,
            None => return Err(self.config.aws.recordings_bucket().unwrap_err().into()),
        };
        Ok(App::with_recordings(self.config, self.backends, recordings))
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        aws::s3_client(&self.sdk, self.config.aws.s3_custom_endpoint)
    }
}

/// Stands in for a backend a function's `main` did not wire. Reaching it is a wiring bug:
/// it fails like an unreachable backend, so handlers degrade as they would in an outage, and
/// it says so in the log.
struct NotWired;

const NOT_WIRED: &str = "not wired into this function (see its main.rs)";

#[async_trait::async_trait]
impl Queue for NotWired {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError> {
        tracing::error!(queue = message.queue.as_str(), "queue {NOT_WIRED}");
        Err(QueueError(format!("queue {NOT_WIRED}")))
    }
}

#[async_trait::async_trait]
impl BlobStore for NotWired {
    async fn head(&self, _key: &str) -> Result<Option<BlobMeta>, BlobError> {
        Err(not_wired_blobs())
    }
    async fn get(&self, _key: &str) -> Result<Option<Blob>, BlobError> {
        Err(not_wired_blobs())
    }
    async fn put(&self, _key: &str, _body: bytes::Bytes, _: &str) -> Result<BlobMeta, BlobError> {
        Err(not_wired_blobs())
    }
}

fn not_wired_blobs() -> BlobError {
    tracing::error!("blob store {NOT_WIRED}");
    BlobError(format!("blob store {NOT_WIRED}"))
}
