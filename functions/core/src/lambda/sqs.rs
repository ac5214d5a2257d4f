//! The SQS consumer runner: an SQS event source mapping with `ReportBatchItemFailures`.
//! Each message is processed in its own span; a message to retry gets its visibility timeout
//! set to the backoff (ChangeMessageVisibility) and is reported as a batch item failure, so
//! SQS shows it again then, and moves it to the dead-letter queue after `maxReceiveCount`.

use std::convert::Infallible;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_http::lambda_runtime::{self, LambdaEvent};
use tracing::{info, warn, Instrument};

use super::wiring::Wiring;
use super::Error;
use crate::queue::{Disposition, Received};
use crate::worker::{Consumer, ConsumerProcess, Worker};

/// The consumer's worker and the SQS client and queue URL it settles messages with, built once
/// per Lambda instance through the one [`Wiring`] (every backend, the bucket of recording
/// copies named by `FRONTDESK_RECORDINGS_BUCKET`, and SES for email alerts).
pub async fn from_env(consumer: ConsumerProcess) -> Result<(Worker, Settle), Error> {
    let wiring = Wiring::from_env().await?.queue().greetings().recordings();
    let mailer = (consumer.mailer)(wiring.sdk(), &wiring.config().worker);
    let queue_url = match consumer.consumer {
        Consumer::Transcribe => wiring.resources().recordings_queue_url.clone(),
        Consumer::Notify => wiring.resources().notify_queue_url.clone(),
    };
    let sqs = wiring
        .sqs()
        .cloned()
        .expect("the queue was wired just above");
    let app = wiring.app()?;
    let recordings = app
        .recordings_arc()
        .expect("the recordings bucket was wired just above");
    let worker = Worker::new(app, recordings)?.with_mailer(mailer);
    Ok((worker, Settle { sqs, queue_url }))
}

/// Serves SQS batches for the consumer `main` fixes at compile time
/// (`const { Consumer::Transcribe.with_process() }`) until the Lambda runtime stops.
pub async fn run_consumer(consumer: ConsumerProcess) -> Result<(), Error> {
    let (worker, settle) = from_env(consumer).await?;
    run(worker, settle, consumer).await
}

/// Where retried messages are put back.
#[derive(Clone)]
pub struct Settle {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
}

/// Serves SQS batches until the Lambda runtime stops.
pub async fn run(worker: Worker, settle: Settle, consumer: ConsumerProcess) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<SqsEvent>| {
            let worker = worker.clone();
            let settle = settle.clone();
            async move {
                Ok::<_, Infallible>(handle_batch(&worker, &settle, consumer, event.payload).await)
            }
        },
    ))
    .await
}

/// A message as the consumer sees it.
pub fn received(message: &SqsMessage) -> Received {
    Received {
        id: message.message_id.clone().unwrap_or_default(),
        body: message.body.clone().unwrap_or_default(),
        receive_count: message
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1),
    }
}

/// Processes a batch, one message after another, and reports those to retry.
pub async fn handle_batch(
    worker: &Worker,
    settle: &Settle,
    consumer: ConsumerProcess,
    event: SqsEvent,
) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in &event.records {
        let message = received(record);
        let span = tracing::info_span!(
            "sqs_message",
            queue = consumer.consumer.queue().as_str(),
            message_id = %message.id,
            receive_count = message.receive_count,
        );
        let disposition = (consumer.process)(worker, &message)
            .instrument(span.clone())
            .await;
        if let Disposition::Retry { after } = disposition {
            let _entered = span.enter();
            if let Some(receipt) = &record.receipt_handle {
                let seconds = i32::try_from(after.as_secs().min(43_200)).unwrap_or(43_200);
                match settle
                    .sqs
                    .change_message_visibility()
                    .queue_url(&settle.queue_url)
                    .receipt_handle(receipt)
                    .visibility_timeout(seconds)
                    .send()
                    .await
                {
                    Ok(_) => info!(retry_in_s = seconds, "message hidden until its retry"),
                    Err(err) => warn!(
                        error = %aws_sdk_sqs::error::DisplayErrorContext(&err),
                        "visibility not changed; the queue's timeout applies"
                    ),
                }
            }
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.id.clone();
            response.batch_item_failures.push(failure);
        }
    }
    response
}
