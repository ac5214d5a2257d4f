//! The AWS the tests run against: the moto server the test command starts, reached with
//! Frontdesk's own SDK configuration (timeouts, retries, TLS) and dummy credentials.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use frontdesk::config::AwsResources;
use frontdesk::lambda::aws::{config_loader, AwsClients};
use frontdesk::lambda::Wiring;
use frontdesk::App;

/// The variable `./infra/moto.sh start` prints.
pub const ENDPOINT_VAR: &str = "FRONTDESK_TEST_AWS_ENDPOINT";

/// The region every test resource lives in.
pub const REGION: &str = "us-east-1";

/// The dummy credentials the SDK signs with (moto accepts any).
pub const CREDENTIAL: &str = "testing";

/// The moto server the test command started (`./infra/test.sh` runs `infra/moto.sh start`).
pub fn endpoint() -> String {
    std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!(
            "{ENDPOINT_VAR} is not set. These tests need a moto server: run ./infra/test.sh, which starts \
             one, or `eval \"$(./infra/moto.sh start)\"` before `cargo test`."
        )
    })
}

/// Frontdesk's SDK configuration loader for `endpoint`, with a fixed region and dummy
/// credentials so nothing asks the environment or an instance-metadata service. A test may
/// add to it (a longer timeout) before loading.
pub fn sdk_loader(endpoint: &str) -> aws_config::ConfigLoader {
    config_loader(Some(endpoint))
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            CREDENTIAL, CREDENTIAL, None, None, "tests",
        ))
}

/// The SDK configuration for `endpoint`.
pub async fn sdk(endpoint: &str) -> aws_config::SdkConfig {
    sdk_loader(endpoint).load().await
}

/// [`sdk`] whose operations may take a minute: for what takes moto longer than a webhook's
/// budget (creating a stack) and for a test that checks behaviour, not the emulator's speed,
/// on a moto the whole suite keeps busy.
pub async fn patient_sdk(endpoint: &str) -> aws_config::SdkConfig {
    sdk_loader(endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(std::time::Duration::from_secs(60))
                .build(),
        )
        .load()
        .await
}

/// SDK clients for `endpoint`.
pub async fn clients(endpoint: &str) -> AwsClients {
    AwsClients::from_config(&sdk(endpoint).await)
}

/// Creates the queue `name` (a FIFO queue when the name ends in `.fifo`); returns its URL.
pub async fn create_queue(clients: &AwsClients, name: &str) -> String {
    let mut request = clients.sqs.create_queue().queue_name(name);
    if name.ends_with(".fifo") {
        request = request.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
    }
    request
        .send()
        .await
        .expect("create queue on moto")
        .queue_url
        .expect("a created queue has a URL")
}

/// Creates the bucket `name`.
pub async fn create_bucket(clients: &AwsClients, name: &str) {
    clients
        .s3
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .expect("create bucket on moto");
}

/// An app on `resources` (table, queues and greetings bucket) at the AWS at `endpoint`, wired
/// exactly as a Lambda is; an unreachable endpoint stands for an outage.
pub async fn app_at(endpoint: &str, vars: &[(&str, &str)], resources: &AwsResources) -> App {
    wired(sdk(endpoint).await, vars, resources)
}

/// An app on moto wired as a Lambda is, its clients [patient](patient_sdk): what these apps
/// show is behaviour, and moto, shared by the whole suite on two cores, now and then takes
/// longer than the webhook budget. The budget itself is shown by [`app_at`] and the fault
/// matrix, with the Lambda's own timeouts.
pub async fn app(vars: &[(&str, &str)], resources: &AwsResources) -> App {
    wired(patient_sdk(&endpoint()).await, vars, resources)
}

fn wired(sdk: aws_config::SdkConfig, vars: &[(&str, &str)], resources: &AwsResources) -> App {
    Wiring::new(crate::config::config(vars), sdk, resources.clone())
        .queue()
        .greetings()
        .app()
        .expect("no bucket of recording copies was asked for")
}

/// Every message now on `url`, as an SQS event source mapping would hand it over.
pub async fn receive(clients: &AwsClients, url: &str) -> SqsEvent {
    let out = clients
        .sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .unwrap();
    let mut event = SqsEvent::default();
    for message in out.messages.unwrap_or_default() {
        let mut record = SqsMessage::default();
        record.message_id = message.message_id.clone();
        record.receipt_handle = message.receipt_handle.clone();
        record.body = message.body.clone();
        for (name, value) in message.attributes.unwrap_or_default() {
            record.attributes.insert(name.as_str().to_string(), value);
        }
        event.records.push(record);
    }
    event
}

/// Every message now on `url`, taken off it (received and deleted, as an event source mapping
/// hands a batch to its Lambda and the Lambda finishes it): their bodies.
pub async fn take_all(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("SQS receive");
        let batch = received.messages.unwrap_or_default();
        if batch.is_empty() {
            return bodies;
        }
        for message in batch {
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(message.receipt_handle.unwrap_or_default())
                .send()
                .await
                .expect("SQS delete");
            bodies.extend(message.body);
        }
    }
}
