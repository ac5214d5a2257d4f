//! Running one route as a Lambda function behind API Gateway.

use std::convert::Infallible;

use crate::app::App;
use crate::http::lambda::{inbound_request, lambda_response};
use crate::routes::{self, Route};

pub use lambda_http::Error;

/// Serves `route` until the Lambda runtime stops. Clients in `app` were built once by `main`.
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
