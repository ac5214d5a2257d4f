//! Lambda `greeting`: GET|HEAD /greetings/{business}.mp3.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.greetings()).await?;
    frontdesk::lambda::run(app, frontdesk::Route::Greeting).await
}
