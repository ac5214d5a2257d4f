//! Lambda `inbox`: the owner's inbox pages, every `/inbox…` route.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.recordings()).await?;
    frontdesk::lambda::run_routes(app, const { &frontdesk::Route::INBOX_HANDLERS }).await
}
