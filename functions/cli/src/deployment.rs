//! Which Frontdesk the operator commands work on: the local embedded store by default, or a
//! deployed stack (`--stack NAME`, read from its CloudFormation outputs and parameters) or its
//! parts named outright (`--table`, `--bucket`, `--region`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::Backends;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::config::env::process_lookup;
use frontdesk::config::{Env, GoogleSettings, PublicBaseUrl, TwilioSettings};
use frontdesk::lambda::aws::AwsClients;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::sqs::{QueueUrls, SqsQueue};
use frontdesk::queue::{OutboundMessage, Queue, QueueError, QueueName};
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::store::Store;
use frontdesk::{App, Config};

use frontdesk::alerts::email::{FolderMailer, Mailer, NoMailer, SesMailer};

use crate::twilio_rest::TwilioRest;
use crate::CliError;

/// Where the CLI's state lives. Every flag is global, so it may follow any subcommand.
/// The flags list under their own heading, so a command's help shows its own options first.
#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = DEPLOYMENT_OPTIONS)]
pub struct TargetArgs {
    /// A deployed stack: its table, buckets, queues, URL and secret come from its
    /// CloudFormation outputs and parameters.
    #[arg(long, global = true, env = "FRONTDESK_STACK", conflicts_with = "table")]
    pub stack: Option<String>,
    /// A DynamoDB table to work on directly (instead of --stack).
    #[arg(long, global = true)]
    pub table: Option<String>,
    /// The greetings bucket, with --table.
    #[arg(long, global = true, requires = "table")]
    pub bucket: Option<String>,
    /// The notify queue's URL, with --table: where booking and cancelling queue their business
    /// events (a stack's is its NotifyQueueUrl output).
    #[arg(long, global = true, requires = "table")]
    pub notify_queue_url: Option<String>,
    /// The AWS region (default: AWS_REGION or the profile's).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// An AWS-compatible endpoint instead of AWS (LocalStack, moto).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// The public base URL Twilio calls: a stack's comes from its ApiBaseUrl output; locally it
    /// is the tunnel in front of `frontdesk serve` (default http://127.0.0.1:3000).
    #[arg(long, global = true, env = "PUBLIC_BASE_URL")]
    pub base_url: Option<String>,
    /// The local state folder of `frontdesk serve`.
    #[arg(
        long,
        global = true,
        env = "FRONTDESK_DATA_DIR",
        default_value = ".frontdesk"
    )]
    pub data_dir: PathBuf,
}

/// The `--help` heading of the global deployment flags.
pub const DEPLOYMENT_OPTIONS: &str = "Deployment options";

/// The local server's address when nothing else is said.
pub const LOCAL_BASE_URL: &str = "http://127.0.0.1:3000";

/// An opened deployment: its store and greetings, and what the doctor needs to know of it.
pub struct Deployment {
    pub store: Arc<dyn Store>,
    pub greetings: Arc<dyn BlobStore>,
    pub base_url: PublicBaseUrl,
    /// Human words for where this is (`local store .frontdesk`, `stack frontdesk-prod`).
    pub name: String,
    pub queues: DeadLetters,
    pub settings: Settings,
    /// Where business events are queued: the `notify` queue the deployment's own consumer
    /// reads, so an appointment booked here is announced as one booked over WhatsApp or the
    /// API is. `None` for a table named without its queue.
    pub events: Option<Arc<dyn Queue>>,
    /// Where email alerts go: `.eml` files under the data folder locally, SES from the stack's
    /// `AlertEmailFrom` (or `FRONTDESK_ALERT_EMAIL_FROM`) on AWS, else nowhere.
    pub mailer: Arc<dyn Mailer>,
}

impl Deployment {
    /// An `App` on this deployment's store and queue, for the booking front door. Where the
    /// queue is not known every send fails: fine for reading, never for a change (see
    /// [`Self::app_raising_events`]).
    pub fn app(&self) -> Result<App, CliError> {
        let queue = self
            .events
            .clone()
            .unwrap_or_else(|| Arc::new(NoQueue(self.no_queue())));
        // Booking reads no configuration but where Google is (a business's calendar hides its
        // busy times): an empty environment otherwise, so the operator's shell can neither
        // break nor change it.
        let mut config = Config::from_lookup(|_| None, "local")?;
        config.google = self.settings.google.clone();
        let backends = Backends {
            store: self.store.clone(),
            queue,
            greetings: self.greetings.clone(),
        };
        Ok(App::new(config, backends))
    }

    /// [`Self::app`] that places outbound calls: Twilio's account from the deployment's
    /// settings, and callback URLs on the deployment's base URL (`--base-url`, the stack's
    /// `ApiBaseUrl`, or the local server's).
    pub fn app_placing_calls(&self) -> Result<App, CliError> {
        let Some(twilio) = &self.settings.twilio else {
            return Err(format!(
                "{} has no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                self.settings.source
            )
            .into());
        };
        let app = self.app()?;
        let mut config = app.config().clone();
        config.twilio = twilio.settings(self.settings.twilio_calls_per_second);
        config.public_base_url = Some(self.base_url.clone());
        Ok(App::new(config, app.backends().clone()))
    }

    /// [`Self::app`], refused before anything is stored when the queue is not known: a booking
    /// whose `appointment.booked` cannot be queued would reach the store and never the business.
    pub fn app_raising_events(&self) -> Result<App, CliError> {
        if self.events.is_none() {
            return Err(self.no_queue().into());
        }
        self.app()
    }

    fn no_queue(&self) -> String {
        format!(
            "{} has no known notify queue, where booking and cancelling queue their business \
             events: use --stack NAME, or --notify-queue-url URL (the stack's NotifyQueueUrl \
             output) with --table",
            self.name
        )
    }
}

/// The queue of a deployment whose queue is not known.
struct NoQueue(String);

#[async_trait::async_trait]
impl Queue for NoQueue {
    async fn send(&self, _message: &OutboundMessage) -> Result<(), QueueError> {
        Err(QueueError(self.0.clone()))
    }
}

/// The queues of a table named with `--notify-queue-url`: only `notify` is known.
struct NotifyOnly(SqsQueue);

#[async_trait::async_trait]
impl Queue for NotifyOnly {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError> {
        if message.queue != QueueName::Notify {
            return Err(QueueError(format!(
                "only the notify queue is known (--notify-queue-url), not {}",
                message.queue.as_str()
            )));
        }
        self.0.send(message).await
    }
}

/// Where the dead-letter queues can be read.
pub enum DeadLetters {
    Embedded(EmbeddedQueue),
    Sqs {
        client: aws_sdk_sqs::Client,
        queues: Vec<(QueueName, String)>,
    },
    /// A table named without its stack: the queues are not known.
    Unknown,
}

/// The deployment's credentials and switches, by presence only (values never leave here,
/// except inside the Twilio client the doctor and `twilio configure` read and write with).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where they were read (`the environment`, `secret frontdesk/secrets`).
    pub source: String,
    pub twilio_auth_token: bool,
    pub meta_app_secret: bool,
    pub meta_verify_token: bool,
    /// The transcription server (`TRANSCRIBE_API_BASE`), when one is set.
    pub transcribe_api_base: Option<String>,
    pub transcribe_api_key: bool,
    /// Twilio's REST API with this deployment's account, when both credentials are known.
    pub twilio: Option<TwilioRest>,
    /// `TWILIO_CALLS_PER_SECOND` (default 1): how fast `frontdesk call` may place calls.
    pub twilio_calls_per_second: u32,
    /// Where Google's token endpoint and Calendar API are (`GOOGLE_*`; Google's own unless set).
    pub google: GoogleSettings,
    /// The summary endpoint (`SUMMARY_API_BASE`), when one is set.
    pub summary_api_base: Option<String>,
    /// The address alerts are emailed from (`FRONTDESK_ALERT_EMAIL_FROM`), when one is set.
    pub alert_email_from: Option<String>,
}

impl Settings {
    /// Settings read through `lookup`, which answers environment variable names.
    pub fn from_lookup(source: &str, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let env = Env::new(&lookup);
        Self {
            source: source.to_string(),
            twilio_auth_token: env.secret("TWILIO_AUTH_TOKEN").is_some(),
            meta_app_secret: env.secret("META_APP_SECRET").is_some(),
            meta_verify_token: env.secret("META_VERIFY_TOKEN").is_some(),
            transcribe_api_base: env.non_empty("TRANSCRIBE_API_BASE"),
            transcribe_api_key: env.secret("TRANSCRIBE_API_KEY").is_some(),
            twilio: TwilioSettings::read(&env)
                .ok()
                .and_then(|twilio| TwilioRest::from_settings(&twilio)),
            twilio_calls_per_second: TwilioSettings::read(&env)
                .map_or(1, |twilio| twilio.calls_per_second),
            // A malformed override is the operator's shell, not the deployment: Google's own.
            google: GoogleSettings::read(&env).unwrap_or_default(),
            summary_api_base: env.non_empty("SUMMARY_API_BASE"),
            alert_email_from: env.non_empty("FRONTDESK_ALERT_EMAIL_FROM"),
        }
    }

    /// The environment's settings, as `frontdesk serve` reads them.
    pub fn from_env() -> Self {
        Self::from_lookup("the environment", process_lookup)
    }
}

/// SES from `from`, or no mailer without one.
fn ses_mailer(sdk: &aws_config::SdkConfig, from: Option<&str>) -> Arc<dyn Mailer> {
    match from {
        Some(from) => Arc::new(SesMailer {
            client: aws_sdk_sesv2::Client::new(sdk),
            from: from.to_string(),
        }),
        None => Arc::new(NoMailer),
    }
}

/// The operator's AWS calls may take longer than a webhook's budget (uploads, scans).
fn cli_timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(120))
        .build()
}

impl TargetArgs {
    fn is_aws(&self) -> bool {
        self.stack.is_some() || self.table.is_some()
    }

    /// Opens the deployment these flags name.
    pub async fn open(&self) -> Result<Deployment, CliError> {
        if !self.is_aws() {
            return self.open_local();
        }
        let mut loader = frontdesk::lambda::aws::config_loader(self.endpoint_url.as_deref())
            .timeout_config(cli_timeouts());
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        let sdk = loader.load().await;
        let clients = AwsClients::from_config(&sdk);
        match &self.stack {
            Some(stack) => self.open_stack(stack, &sdk, &clients).await,
            None => {
                let table = self.table.clone().unwrap_or_default();
                let greetings: Arc<dyn BlobStore> = match &self.bucket {
                    Some(bucket) => Arc::new(S3Blobs::new(clients.s3.clone(), bucket.clone())),
                    None => Arc::new(NoBucket),
                };
                let events = self.notify_queue_url.as_ref().map(|url| {
                    let urls = QueueUrls {
                        recordings: String::new(),
                        notify: url.clone(),
                    };
                    Arc::new(NotifyOnly(SqsQueue::new(clients.sqs.clone(), urls))) as Arc<dyn Queue>
                });
                let settings = Settings::from_env();
                Ok(Deployment {
                    store: Arc::new(DynamoStore::new(clients.dynamodb.clone(), table.clone())),
                    greetings,
                    base_url: self.base_url_or(None)?,
                    name: format!("table {table}"),
                    queues: DeadLetters::Unknown,
                    mailer: ses_mailer(&sdk, settings.alert_email_from.as_deref()),
                    settings,
                    events,
                })
            }
        }
    }

    fn base_url_or(&self, stack_url: Option<&str>) -> Result<PublicBaseUrl, CliError> {
        let url = self
            .base_url
            .as_deref()
            .or(stack_url)
            .unwrap_or(LOCAL_BASE_URL);
        Ok(PublicBaseUrl::parse(url)?)
    }

    fn open_local(&self) -> Result<Deployment, CliError> {
        let backends = Backends::embedded(&self.data_dir)?;
        let queue = EmbeddedQueue::open(&self.data_dir.join("frontdesk.sqlite3"))?;
        let settings = Settings::from_env();
        // `frontdesk serve` writes its email alerts to the same folder.
        let mailer = FolderMailer {
            dir: self.data_dir.join("outbox"),
            from: settings
                .alert_email_from
                .clone()
                .unwrap_or_else(|| FolderMailer::DEFAULT_FROM.into()),
        };
        Ok(Deployment {
            mailer: Arc::new(mailer),
            store: backends.store,
            greetings: backends.greetings,
            base_url: self.base_url_or(None)?,
            name: format!("local store {}", self.data_dir.display()),
            queues: DeadLetters::Embedded(queue),
            settings,
            // The embedded queue `frontdesk serve`'s notify consumer polls.
            events: Some(backends.queue),
        })
    }

    async fn open_stack(
        &self,
        stack: &str,
        sdk: &aws_config::SdkConfig,
        clients: &AwsClients,
    ) -> Result<Deployment, CliError> {
        let description =
            StackDescription::read(&aws_sdk_cloudformation::Client::new(sdk), stack).await?;
        let table = description.output("TableName")?;
        let bucket = description.output("GreetingsBucketName")?;
        let queues = [
            (QueueName::Recordings, "RecordingsQueueUrl"),
            (QueueName::Notify, "NotifyQueueUrl"),
        ]
        .into_iter()
        .filter_map(|(queue, output)| Some((queue, description.outputs.get(output)?.clone())))
        .collect::<Vec<_>>();
        let url_of = |name: QueueName| {
            queues
                .iter()
                .find(|(queue, _)| *queue == name)
                .map(|(_, url)| url.clone())
        };
        let events = url_of(QueueName::Notify).map(|notify| {
            let urls = QueueUrls {
                recordings: url_of(QueueName::Recordings).unwrap_or_default(),
                notify,
            };
            Arc::new(SqsQueue::new(clients.sqs.clone(), urls)) as Arc<dyn Queue>
        });
        let settings = match description.parameters.get("SecretsName") {
            Some(secret) => {
                let mut settings =
                    read_secret(&aws_sdk_secretsmanager::Client::new(sdk), secret).await?;
                let parameter = |name: &str| {
                    description
                        .parameters
                        .get(name)
                        .filter(|v| !v.trim().is_empty())
                        .cloned()
                };
                settings.transcribe_api_base = parameter("TranscribeApiBase");
                settings.summary_api_base = parameter("SummaryApiBase");
                settings.alert_email_from = parameter("AlertEmailFrom");
                settings
            }
            None => Settings::from_env(),
        };
        Ok(Deployment {
            store: Arc::new(DynamoStore::new(clients.dynamodb.clone(), table)),
            greetings: Arc::new(S3Blobs::new(clients.s3.clone(), bucket)),
            base_url: self
                .base_url_or(description.outputs.get("ApiBaseUrl").map(String::as_str))?,
            name: format!("stack {stack}"),
            queues: DeadLetters::Sqs {
                client: clients.sqs.clone(),
                queues,
            },
            mailer: ses_mailer(sdk, settings.alert_email_from.as_deref()),
            settings,
            events,
        })
    }
}

struct StackDescription {
    name: String,
    outputs: HashMap<String, String>,
    parameters: HashMap<String, String>,
}

impl StackDescription {
    async fn read(client: &aws_sdk_cloudformation::Client, stack: &str) -> Result<Self, CliError> {
        let described = client
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "stack {stack}: {}",
                    aws_sdk_cloudformation::error::DisplayErrorContext(e)
                )
            })?;
        let found = described
            .stacks()
            .first()
            .ok_or_else(|| format!("stack {stack} does not exist"))?;
        Ok(Self {
            name: stack.to_string(),
            outputs: found
                .outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
                .collect(),
            parameters: found
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.parameter_key()?.to_string(),
                        p.parameter_value()?.to_string(),
                    ))
                })
                .collect(),
        })
    }

    fn output(&self, key: &str) -> Result<String, CliError> {
        self.outputs.get(key).cloned().ok_or_else(|| {
            format!(
                "stack {} has no {key} output: is it a Frontdesk stack?",
                self.name
            )
            .into()
        })
    }
}

/// The stack's secret (one JSON object, see template.yaml), read for which keys hold a value.
async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    name: &str,
) -> Result<Settings, CliError> {
    let value = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|e| {
            format!(
                "secret {name}: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(e)
            )
        })?;
    let json: HashMap<String, serde_json::Value> =
        serde_json::from_str(value.secret_string().unwrap_or("{}"))
            .map_err(|e| format!("secret {name} is not a JSON object: {e}"))?;
    // The secret's keys name the environment variables the template resolves them into.
    // Anything else (TWILIO_API_BASE_URL: a stand-in or proxy) is the operator's environment.
    let key_for = |env: &str| match env {
        "TWILIO_AUTH_TOKEN" => Some("twilio_auth_token"),
        "TWILIO_ACCOUNT_SID" => Some("twilio_account_sid"),
        "META_APP_SECRET" => Some("meta_app_secret"),
        "META_VERIFY_TOKEN" => Some("meta_verify_token"),
        "TRANSCRIBE_API_KEY" => Some("transcription_api_key"),
        _ => None,
    };
    Ok(Settings::from_lookup(
        &format!("secret {name}"),
        |env| match key_for(env) {
            Some(key) => json.get(key).and_then(|v| v.as_str()).map(str::to_string),
            None => process_lookup(env),
        },
    ))
}

/// The greetings store of a table named without `--bucket`.
struct NoBucket;

#[async_trait::async_trait]
impl BlobStore for NoBucket {
    async fn head(
        &self,
        _key: &str,
    ) -> Result<Option<frontdesk::blob::BlobMeta>, frontdesk::blob::BlobError> {
        Err(no_bucket())
    }
    async fn get(
        &self,
        _key: &str,
    ) -> Result<Option<frontdesk::blob::Blob>, frontdesk::blob::BlobError> {
        Err(no_bucket())
    }
    async fn put(
        &self,
        _key: &str,
        _body: bytes::Bytes,
        _content_type: &str,
    ) -> Result<frontdesk::blob::BlobMeta, frontdesk::blob::BlobError> {
        Err(no_bucket())
    }
}

fn no_bucket() -> frontdesk::blob::BlobError {
    frontdesk::blob::BlobError("no greetings bucket: pass --bucket with --table, or --stack".into())
}

impl DeadLetters {
    /// How many messages wait in each dead-letter queue; `None` when the queues are unknown.
    pub async fn counts(&self) -> Result<Option<Vec<(QueueName, u64)>>, CliError> {
        match self {
            Self::Unknown => Ok(None),
            Self::Embedded(queue) => {
                let mut counts = Vec::new();
                for name in [QueueName::Recordings, QueueName::Notify] {
                    counts.push((name, queue.dead_letters(name)?.len() as u64));
                }
                Ok(Some(counts))
            }
            Self::Sqs { client, queues } => {
                let mut counts = Vec::new();
                for (name, url) in queues {
                    counts.push((*name, sqs_dead_letter_count(client, url).await?));
                }
                Ok(Some(counts))
            }
        }
    }
}

/// The dead-letter queue is the one the queue's redrive policy names.
async fn sqs_dead_letter_count(client: &aws_sdk_sqs::Client, url: &str) -> Result<u64, CliError> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs_error = |e| format!("{url}: {}", aws_sdk_sqs::error::DisplayErrorContext(e));
    let attributes = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .map_err(sqs_error)?;
    let Some(policy) = attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
    else {
        return Err(format!("{url} has no dead-letter queue (no redrive policy)").into());
    };
    let policy: serde_json::Value = serde_json::from_str(policy)
        .map_err(|e| format!("{url}: redrive policy is not JSON: {e}"))?;
    let arn = policy["deadLetterTargetArn"].as_str().unwrap_or_default();
    let dlq_name = arn.rsplit(':').next().unwrap_or_default();
    let dlq_url = client
        .get_queue_url()
        .queue_name(dlq_name)
        .send()
        .await
        .map_err(|e| format!("{dlq_name}: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?
        .queue_url
        .unwrap_or_default();
    let counts = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .map_err(|e| format!("{dlq_url}: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
    Ok(counts
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}
