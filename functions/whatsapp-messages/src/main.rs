//! Lambda `whatsapp-messages`: GET|POST /api/whatsapp/messages (send and list WhatsApp messages).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::WhatsAppMessages.with_handler() },
    )
    .await
}
