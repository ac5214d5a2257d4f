//! Lambda `inbox`: the owner's inbox pages, every `/inbox…` route. The recordings bucket for
//! the players' links; the queue for a cancelled appointment's event and follow-ups.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    let app = frontdesk::lambda::app_from_env(|aws| aws.recordings().queue()).await?;
    frontdesk::lambda::run_routes(app, const { &frontdesk::Route::INBOX_HANDLERS }).await
}
