//! Lambda `greeting`: GET|HEAD /greetings/{business}.mp3.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.greetings()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::Greeting.with_handler() }).await
}
