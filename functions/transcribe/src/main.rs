//! Lambda `transcribe`: SQS `recordings` → recording copy in S3 → transcript → `call.completed`.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    frontdesk::lambda::run_consumer(
        const { frontdesk::worker::Consumer::Transcribe.with_process() },
    )
    .await
}
