//! Lambda `notify`: SQS `notify` → signed business webhooks.

use frontdesk::worker::{lambda, Consumer};

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let consumer = const { Consumer::Notify.with_process() };
    let (worker, settle) = lambda::from_env(consumer.consumer).await?;
    lambda::run(worker, settle, consumer).await
}
