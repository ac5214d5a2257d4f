//! Lambda `incoming-call`: POST /webhook/incoming_call.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.greetings()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::IncomingCall.with_handler() }).await
}
