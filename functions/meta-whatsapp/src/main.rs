//! Lambda `meta-whatsapp`: GET|POST /webhook/meta/whatsapp (Meta WhatsApp Cloud API webhook).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::MetaWhatsApp.with_handler() }).await
}
