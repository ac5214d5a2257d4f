//! The Lambda edge: everything that runs Frontdesk on AWS Lambda, and nothing else does.
//!
//! - [`wiring`]: the one way a function builds its configuration, SDK clients and backends.
//! - [`http`]: the HTTP function runner (one route per function; the inbox's pages share one)
//!   and API Gateway events.
//! - [`sqs`]: the SQS consumer runner (partial batch failures, retry by visibility).
//! - [`schedule`]: the scheduled runner (the reconciler).
//! - [`aws`]: SDK clients with timeouts that fit Twilio's budget.
//!
//! A function crate's `main` reads like a table of contents:
//! `let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;` then
//! `frontdesk::lambda::run(app, const { Route::CallStatus.with_handler() }).await`.

pub mod aws;
pub mod http;
pub mod schedule;
pub mod sqs;
pub mod wiring;

pub use lambda_http::Error;

pub use self::http::{run, run_routes};
pub use schedule::run_reconciler;
pub use sqs::run_consumer;
pub use wiring::{app_from_env, Wiring};
