//! Lambda `transcribe`: SQS `recordings` → recording copy in S3 → transcript → `call.completed`.

use frontdesk::worker::{lambda, Consumer};

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let consumer = const { Consumer::Transcribe.with_process() };
    let (worker, settle) = lambda::from_env(consumer.consumer).await?;
    lambda::run(worker, settle, consumer).await
}
