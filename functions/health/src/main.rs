//! Lambda `health`: GET /health.

use frontdesk::{telemetry, App, Config, Route};

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    telemetry::init();
    let config = Config::from_env("prod")?;
    frontdesk::lambda::run(App::new(config), Route::Health).await
}
