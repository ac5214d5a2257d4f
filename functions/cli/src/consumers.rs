//! `frontdesk serve`'s queue consumers: the `transcribe` and `notify` workers the Lambda
//! functions run, polling the embedded queue in-process instead of SQS.

use std::sync::Arc;
use std::time::Duration;

use frontdesk::alerts::email::FolderMailer;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::App;
use time::OffsetDateTime;

/// How often an idle consumer looks at its queue.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// How long a received message stays hidden while it is processed (as the SQS visibility
/// timeout does on AWS).
const VISIBILITY: Duration = Duration::from_secs(360);
const BATCH: usize = 10;

/// A worker on `app` whose recording copies go where the app keeps them (the store whose links
/// `serve` answers), else to `data_dir/blobs/recordings/…`, and whose email alerts are `.eml`
/// files in `data_dir/outbox/`.
pub fn worker(app: &App) -> Result<Worker, crate::CliError> {
    let recordings = app
        .recordings_arc()
        .unwrap_or_else(|| Arc::new(FolderBlobs::new(app.config().data_dir.join("blobs"))));
    let mailer = FolderMailer {
        dir: outbox(app),
        from: app
            .config()
            .worker
            .alert_email_from
            .clone()
            .unwrap_or_else(|| FolderMailer::DEFAULT_FROM.into()),
    };
    Ok(Worker::new(app.clone(), recordings)?.with_mailer(Arc::new(mailer)))
}

/// Where `serve` writes email alerts.
pub fn outbox(app: &App) -> std::path::PathBuf {
    app.config().data_dir.join("outbox")
}

/// Receives, processes and settles every visible message of `consumer`'s queue once; returns
/// how many were processed.
pub async fn drain_once(worker: &Worker, queue: &EmbeddedQueue, consumer: Consumer) -> usize {
    let now = OffsetDateTime::now_utc();
    let received = match queue.receive(consumer.queue(), BATCH, VISIBILITY, now) {
        Ok(received) => received,
        Err(err) => {
            tracing::warn!(error = %err, queue = consumer.queue().as_str(), "queue not readable");
            return 0;
        }
    };
    for message in &received {
        let disposition = consumer.process(worker, message).await;
        if let Err(err) = queue.settle(
            message,
            disposition,
            consumer.max_receives(),
            OffsetDateTime::now_utc(),
        ) {
            tracing::warn!(error = %err, "message not settled; it shows again after its timeout");
        }
    }
    received.len()
}

/// Runs both consumers for as long as the process lives.
pub fn spawn(worker: Worker, queue: Arc<EmbeddedQueue>) -> Vec<tokio::task::JoinHandle<()>> {
    [Consumer::Transcribe, Consumer::Notify]
        .into_iter()
        .map(|consumer| {
            let worker = worker.clone();
            let queue = queue.clone();
            tokio::spawn(async move {
                loop {
                    if drain_once(&worker, &queue, consumer).await == 0 {
                        tokio::time::sleep(POLL_EVERY).await;
                    }
                }
            })
        })
        .collect()
}
