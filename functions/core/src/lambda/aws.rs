//! AWS SDK clients, built once per process with timeouts that fit Twilio's budget.
//!
//! Twilio waits about 15 s for a webhook answer, but a handler must degrade (safe TwiML,
//! fail-open limits) well before that when AWS is slow or unreachable, so every operation is
//! bounded: 500 ms to connect, 800 ms per attempt, 1.5 s in all, at most 2 attempts.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};

pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
pub const OPERATION_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(800);
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(1500);
pub const MAX_ATTEMPTS: u32 = 2;
/// The SDK's default first backoff (1 s) would spend most of the operation budget waiting;
/// a short one leaves the second attempt time to run.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);

/// The SDK clients Frontdesk uses.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
}

impl AwsClients {
    /// Clients for `config`, whose endpoint (if any) is the only custom one.
    pub fn from_config(config: &SdkConfig) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            s3: s3_client(config, false),
        }
    }
}

/// The S3 client. With a custom endpoint (moto, LocalStack; `s3_custom_endpoint` when only S3's
/// is set, see [`crate::config::AwsSettings`]) the bucket cannot be a DNS label of the endpoint's
/// host, so S3 must address it in the path.
pub fn s3_client(config: &SdkConfig, s3_custom_endpoint: bool) -> aws_sdk_s3::Client {
    let custom_endpoint = config.endpoint_url().is_some() || s3_custom_endpoint;
    let s3_config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(custom_endpoint)
        .build();
    aws_sdk_s3::Client::from_conf(s3_config)
}

/// The timeouts every client gets.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(OPERATION_ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// The retry policy every client gets.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
}

/// The SDK's default configuration sources (region, credentials, `AWS_ENDPOINT_URL`, read by the
/// SDK itself) with Frontdesk's timeouts and retries, and `endpoint` (when
/// given) in place of AWS's. Tests and tools add a region and credentials before loading.
pub fn config_loader(endpoint: Option<&str>) -> ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(crate::tls::sdk_http_client())
        .timeout_config(timeout_config())
        .retry_config(retry_config());
    match endpoint {
        Some(url) => loader.endpoint_url(url),
        None => loader,
    }
}

/// [`config_loader`], loaded.
pub async fn load_config(endpoint: Option<&str>) -> SdkConfig {
    config_loader(endpoint).load().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::Region;

    /// A config that needs no network: region and credentials given, so no provider asks IMDS.
    async fn offline_config(endpoint: Option<&str>) -> SdkConfig {
        config_loader(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .load()
            .await
    }

    #[tokio::test]
    async fn clients_get_the_webhook_budget_timeouts_and_two_attempts() {
        let config = offline_config(Some("http://127.0.0.1:9")).await;
        let timeouts = config.timeout_config().expect("timeouts are set");
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_millis(500)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_millis(800))
        );
        assert_eq!(
            timeouts.operation_timeout(),
            Some(Duration::from_millis(1500))
        );
        let retries = config.retry_config().expect("retries are set");
        assert_eq!(retries.max_attempts(), 2);
        assert!(retries.initial_backoff() < Duration::from_millis(500));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9"));

        let clients = AwsClients::from_config(&config);
        let dynamodb = clients.dynamodb.config();
        assert_eq!(
            dynamodb
                .timeout_config()
                .and_then(|t| t.operation_timeout()),
            Some(OPERATION_TIMEOUT)
        );
        assert_eq!(
            dynamodb.retry_config().map(|r| r.max_attempts()),
            Some(MAX_ATTEMPTS)
        );
        let s3 = clients.s3.config();
        assert_eq!(
            s3.timeout_config().and_then(|t| t.connect_timeout()),
            Some(CONNECT_TIMEOUT)
        );
        let sqs = clients.sqs.config();
        assert_eq!(
            sqs.timeout_config()
                .and_then(|t| t.operation_attempt_timeout()),
            Some(OPERATION_ATTEMPT_TIMEOUT)
        );
    }
}
