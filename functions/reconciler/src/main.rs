//! Lambda `reconciler`: on a schedule, sends transcription jobs the queue missed.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run_reconciler(app).await
}
