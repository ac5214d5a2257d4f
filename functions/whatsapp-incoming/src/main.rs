//! Lambda `whatsapp-incoming`: POST /webhook/whatsapp/incoming (Twilio WhatsApp: a message comes in).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::WhatsAppIncoming.with_handler() },
    )
    .await
}
