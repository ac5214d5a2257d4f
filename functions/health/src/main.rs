//! Lambda `health`: GET /health.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::Health.with_handler() }).await
}
