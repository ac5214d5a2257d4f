//! Lambda `outbound-call`: POST /webhook/outbound_call (what the callee of a placed call hears).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::OutboundCall.with_handler() }).await
}
