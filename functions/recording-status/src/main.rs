//! Lambda `recording-status`: POST /webhook/recording_status.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::RecordingStatus.with_handler() },
    )
    .await
}
