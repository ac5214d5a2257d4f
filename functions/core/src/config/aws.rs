//! The AWS resources a deployment uses, named by the template's environment.

use super::env::Env;
use super::ConfigError;

const ON_AWS: &str = "is required on AWS";

/// What the environment names; each function requires the parts it uses
/// ([`AwsSettings::resources`], [`AwsSettings::recordings_bucket`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsSettings {
    pub table: Option<String>,
    pub recordings_queue_url: Option<String>,
    pub notify_queue_url: Option<String>,
    pub greetings_bucket: Option<String>,
    /// `FRONTDESK_RECORDINGS_BUCKET`, the bucket of recording copies: set only for the
    /// functions that read or write them (the consumers and the calls API).
    pub recordings_bucket: Option<String>,
    /// `AWS_ENDPOINT_URL_S3` is set: S3 is a custom endpoint (moto, LocalStack), which must be
    /// addressed by path.
    pub s3_custom_endpoint: bool,
}

/// `FRONTDESK_TABLE`, `FRONTDESK_RECORDINGS_QUEUE_URL`, `FRONTDESK_NOTIFY_QUEUE_URL`,
/// `FRONTDESK_GREETINGS_BUCKET`: what every function's wiring needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsResources {
    pub table: String,
    pub recordings_queue_url: String,
    pub notify_queue_url: String,
    pub greetings_bucket: String,
}

impl AwsSettings {
    pub fn read(env: &Env) -> Self {
        Self {
            table: env.non_empty("FRONTDESK_TABLE"),
            recordings_queue_url: env.non_empty("FRONTDESK_RECORDINGS_QUEUE_URL"),
            notify_queue_url: env.non_empty("FRONTDESK_NOTIFY_QUEUE_URL"),
            greetings_bucket: env.non_empty("FRONTDESK_GREETINGS_BUCKET"),
            recordings_bucket: env.non_empty("FRONTDESK_RECORDINGS_BUCKET"),
            s3_custom_endpoint: env.non_empty("AWS_ENDPOINT_URL_S3").is_some(),
        }
    }

    /// The resources every function needs, or the first one missing.
    pub fn resources(&self) -> Result<AwsResources, ConfigError> {
        let required = |value: &Option<String>, name: &'static str| {
            value
                .clone()
                .ok_or_else(|| ConfigError::invalid(name, ON_AWS))
        };
        Ok(AwsResources {
            table: required(&self.table, "FRONTDESK_TABLE")?,
            recordings_queue_url: required(
                &self.recordings_queue_url,
                "FRONTDESK_RECORDINGS_QUEUE_URL",
            )?,
            notify_queue_url: required(&self.notify_queue_url, "FRONTDESK_NOTIFY_QUEUE_URL")?,
            greetings_bucket: required(&self.greetings_bucket, "FRONTDESK_GREETINGS_BUCKET")?,
        })
    }

    /// The bucket of recording copies, for the functions that need it.
    pub fn recordings_bucket(&self) -> Result<String, ConfigError> {
        self.recordings_bucket
            .clone()
            .ok_or_else(|| ConfigError::invalid("FRONTDESK_RECORDINGS_BUCKET", ON_AWS))
    }
}

impl AwsResources {
    /// The resources `lookup` names (the template drift test reads the template this way).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        AwsSettings::read(&Env::new(&lookup)).resources()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_resource_is_named() {
        let lookup = |name: &str| (name != "FRONTDESK_NOTIFY_QUEUE_URL").then(|| "x".to_string());
        let err = AwsResources::from_lookup(lookup).unwrap_err();
        assert!(
            err.to_string().starts_with("FRONTDESK_NOTIFY_QUEUE_URL"),
            "{err}"
        );
        let settings = AwsSettings::read(&Env::new(&|_: &str| None));
        assert!(settings.recordings_bucket().is_err());
        assert!(!settings.s3_custom_endpoint);
    }
}
