//! Lambda `api-call`: GET|OPTIONS /api/calls/{CallSid}.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.recordings()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::ApiCall.with_handler() }).await
}
