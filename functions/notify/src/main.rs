//! Lambda `notify`: SQS `notify` → signed business webhooks.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    frontdesk::lambda::run_consumer(const { frontdesk::worker::Consumer::Notify.with_process() })
        .await
}
