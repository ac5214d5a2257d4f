//! The scheduled runner: the reconciler (and the reminders' tick), once per EventBridge event.

use std::convert::Infallible;

use lambda_http::lambda_runtime::{self, LambdaEvent};

use super::Error;
use crate::app::App;
use crate::worker::reconcile;

/// Runs the reconciler once per scheduled event, answering with its report.
pub async fn run_reconciler(app: App) -> Result<(), Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_event: LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move {
                let report = reconcile::reconcile(&app, time::OffsetDateTime::now_utc()).await;
                Ok::<_, Infallible>(serde_json::json!({
                    "examined": report.examined,
                    "sent": report.sent,
                    "failed": report.failed,
                    "reminders_due": report.reminders.due,
                    "reminders_queued": report.reminders.queued,
                }))
            }
        },
    ))
    .await
}
