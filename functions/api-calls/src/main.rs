//! Lambda `api-calls`: GET|OPTIONS /api/calls.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::api::lambda::app_from_env().await?;
    frontdesk::lambda::run(app, frontdesk::Route::ApiCalls).await
}
