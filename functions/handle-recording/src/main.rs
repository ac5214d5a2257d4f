//! Lambda `handle-recording`: POST /webhook/handle_recording.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::HandleRecording.with_handler() },
    )
    .await
}
