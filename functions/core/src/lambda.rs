//! Running Frontdesk on Lambda: one route per HTTP function, and the scheduled reconciler.

use std::convert::Infallible;

use lambda_http::lambda_runtime::{self, LambdaEvent};

use crate::app::App;
use crate::aws::AwsClients;
use crate::config::Config;
use crate::http::lambda::{inbound_request, lambda_response};
use crate::routes::{self, Route};
use crate::telemetry;

pub use lambda_http::Error;

/// Logging, configuration and the AWS clients, built once per Lambda instance (in `main`).
pub async fn app_from_env() -> Result<App, Error> {
    telemetry::init();
    let config = Config::from_env("prod")?;
    let backends = AwsClients::from_env().await.backends_from_env()?;
    Ok(App::new(config, backends))
}

/// Serves `route` until the Lambda runtime stops.
pub async fn run(app: App, route: Route) -> Result<(), Error> {
    lambda_http::run(lambda_http::service_fn(
        move |event: lambda_http::Request| {
            let app = app.clone();
            async move {
                let response = routes::serve(&app, route, inbound_request(event)).await;
                Ok::<_, Infallible>(lambda_response(response))
            }
        },
    ))
    .await
}

/// Runs the reconciler once per scheduled event (EventBridge), answering with its report.
pub async fn run_reconciler(app: App) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_event: LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move {
                let report =
                    crate::handlers::reconcile::reconcile(&app, time::OffsetDateTime::now_utc())
                        .await;
                Ok::<_, Infallible>(serde_json::json!({
                    "examined": report.examined,
                    "sent": report.sent,
                    "failed": report.failed,
                }))
            }
        },
    ))
    .await
}
