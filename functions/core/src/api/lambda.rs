//! Wiring for the `/api/*` Lambda functions: the app, plus the recording copies the calls API
//! links to (`FRONTDESK_RECORDINGS_BUCKET`).

use std::sync::Arc;

use crate::app::App;
use crate::aws::AwsClients;
use crate::blob::s3::S3Blobs;
use crate::config::{Config, ConfigError};
use crate::lambda::Error;
use crate::telemetry;

/// Built once per Lambda instance (in `main`).
pub async fn app_from_env() -> Result<App, Error> {
    telemetry::init();
    let config = Config::from_env("prod")?;
    let clients = AwsClients::from_env().await;
    let resources = crate::app::AwsResources::from_lookup(|n| std::env::var(n).ok())?;
    let backends = clients.backends(&resources);
    let bucket = std::env::var("FRONTDESK_RECORDINGS_BUCKET")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConfigError::Invalid {
            name: "FRONTDESK_RECORDINGS_BUCKET",
            reason: "is required on AWS".into(),
        })?;
    Ok(App::with_recordings(
        config,
        backends,
        Arc::new(S3Blobs::new(clients.s3.clone(), bucket)),
    ))
}
