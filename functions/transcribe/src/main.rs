//! Lambda `transcribe`: SQS `recordings` → recording copy in S3 → transcript → `call.completed`.

use frontdesk::worker::{lambda, Consumer};

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let (worker, settle) = lambda::from_env(Consumer::Transcribe).await?;
    lambda::run(worker, settle, Consumer::Transcribe).await
}
