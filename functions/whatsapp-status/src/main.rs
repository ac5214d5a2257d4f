//! Lambda `whatsapp-status`: POST /webhook/whatsapp/status (Twilio WhatsApp status callback).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::WhatsAppStatus.with_handler() },
    )
    .await
}
