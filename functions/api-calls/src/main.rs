//! Lambda `api-calls`: GET|OPTIONS /api/calls.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.recordings()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::ApiCalls.with_handler() }).await
}
