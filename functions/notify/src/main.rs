//! Lambda `notify`: SQS `notify` → signed business webhooks.

use frontdesk::worker::{lambda, Consumer};

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let (worker, settle) = lambda::from_env(Consumer::Notify).await?;
    lambda::run(worker, settle, Consumer::Notify).await
}
