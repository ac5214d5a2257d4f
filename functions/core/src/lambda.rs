//! Running Frontdesk on Lambda: one route per HTTP function, and the scheduled reconciler.

use std::convert::Infallible;
use std::sync::Arc;

use lambda_http::lambda_runtime::{self, LambdaEvent};

use crate::app::{App, AwsResources, Backends};
use crate::aws;
use crate::blob::s3::S3Blobs;
use crate::blob::{Blob, BlobError, BlobMeta, BlobStore};
use crate::config::{Config, ConfigError};
use crate::http::lambda::{inbound_request, lambda_response};
use crate::queue::sqs::{QueueUrls, SqsQueue};
use crate::queue::{OutboundMessage, Queue, QueueError};
use crate::routes::{self, RouteHandler};
use crate::store::dynamodb::DynamoStore;
use crate::telemetry;

pub use lambda_http::Error;

/// Logging, configuration and the backends `wire` picks, built once per Lambda instance (in
/// `main`): `frontdesk::lambda::app_from_env(|aws| aws.queue()).await?`.
///
/// Every function has the DynamoDB store; the queue and the greetings bucket only where
/// `wire` asks for them. A client a function never builds is never linked into its bootstrap,
/// and the AWS SDK is most of a bootstrap's size.
pub async fn app_from_env(wire: impl FnOnce(Wiring) -> Wiring) -> Result<App, Error> {
    telemetry::init();
    let config = Config::from_env("prod")?;
    let resources = AwsResources::from_lookup(|name| std::env::var(name).ok())?;
    let sdk = aws::load_config(None).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), resources.table.clone());
    let wiring = wire(Wiring {
        sdk,
        resources,
        backends: Backends {
            store: Arc::new(store),
            queue: Arc::new(NotWired),
            greetings: Arc::new(NotWired),
        },
        recordings: None,
    });
    Ok(match wiring.recordings {
        Some(recordings) => App::with_recordings(config, wiring.backends, recordings?),
        None => App::new(config, wiring.backends),
    })
}

/// The backends of one function, as `main` asks for them.
pub struct Wiring {
    sdk: aws_config::SdkConfig,
    resources: AwsResources,
    backends: Backends,
    recordings: Option<Result<Arc<dyn BlobStore>, ConfigError>>,
}

impl Wiring {
    /// The SQS queues (transcription jobs, business notifications).
    pub fn queue(mut self) -> Self {
        self.backends.queue = Arc::new(SqsQueue::new(
            aws_sdk_sqs::Client::new(&self.sdk),
            QueueUrls {
                recordings: self.resources.recordings_queue_url.clone(),
                notify: self.resources.notify_queue_url.clone(),
            },
        ));
        self
    }

    /// The bucket of recording copies (`FRONTDESK_RECORDINGS_BUCKET`), for the calls API's links.
    pub fn recordings(mut self) -> Self {
        let s3 = aws::s3_client(&self.sdk);
        self.recordings = Some(
            AwsResources::recordings_bucket_from_env()
                .map(|bucket| Arc::new(S3Blobs::new(s3, bucket)) as Arc<dyn BlobStore>),
        );
        self
    }

    /// The greetings bucket.
    pub fn greetings(mut self) -> Self {
        self.backends.greetings = Arc::new(S3Blobs::new(
            aws::s3_client(&self.sdk),
            self.resources.greetings_bucket.clone(),
        ));
        self
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

/// Serves one route until the Lambda runtime stops. `main` passes it as a constant,
/// `const { Route::Greeting.with_handler() }`, so the bootstrap links that route's handler and
/// no other.
pub async fn run(app: App, route: RouteHandler) -> Result<(), Error> {
    lambda_http::run(lambda_http::service_fn(
        move |event: lambda_http::Request| {
            let app = app.clone();
            async move {
                let response = routes::serve(&app, route, inbound_request(event)).await;
                Ok::<_, Infallible>(lambda_response(response))
            }
        },
    ))
    .await
}

/// Runs the reconciler once per scheduled event (EventBridge), answering with its report.
pub async fn run_reconciler(app: App) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_event: LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move {
                let report =
                    crate::handlers::reconcile::reconcile(&app, time::OffsetDateTime::now_utc())
                        .await;
                Ok::<_, Infallible>(serde_json::json!({
                    "examined": report.examined,
                    "sent": report.sent,
                    "failed": report.failed,
                }))
            }
        },
    ))
    .await
}
