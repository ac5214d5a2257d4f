//! Helpers for end-to-end tests: a `frontdesk serve` instance on an ephemeral loopback port,
//! and requests signed the way Twilio signs them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::config::AwsResources;
use frontdesk::http::FormParams;
use frontdesk::jobs::TranscriptionJob;
use frontdesk::lambda::aws::AwsClients;
use frontdesk::lambda::Wiring;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::twilio::signature;
use frontdesk::{App, Config};
use tokio::sync::oneshot;

/// The auth token test servers are configured with.
pub const TEST_TOKEN: &str = "test-auth-token-0123456789abcdef";

/// A running local server; stops when dropped.
pub struct TestServer {
    pub base_url: String,
    pub app: App,
    /// What the server's queue received, for assertions.
    pub jobs: JobProbe,
    stop: Option<oneshot::Sender<()>>,
    _data: Option<tempfile::TempDir>,
}

/// Reads what was sent to the `recordings` queue, whichever backend holds it.
#[derive(Clone)]
pub enum JobProbe {
    Embedded(Arc<EmbeddedQueue>),
    Sqs {
        client: aws_sdk_sqs::Client,
        url: String,
    },
}

impl JobProbe {
    /// The transcription jobs on the queue so far (SQS: received once, then hidden).
    pub async fn transcription_jobs(&self) -> Vec<TranscriptionJob> {
        let bodies: Vec<String> = match self {
            JobProbe::Embedded(queue) => queue
                .messages(QueueName::Recordings)
                .expect("embedded queue readable")
                .into_iter()
                .map(|m| m.body)
                .collect(),
            JobProbe::Sqs { client, url } => {
                let mut bodies = Vec::new();
                loop {
                    let received = client
                        .receive_message()
                        .queue_url(url)
                        .max_number_of_messages(10)
                        .wait_time_seconds(0)
                        .visibility_timeout(300)
                        .send()
                        .await
                        .expect("SQS receive");
                    let batch = received.messages.unwrap_or_default();
                    if batch.is_empty() {
                        break;
                    }
                    bodies.extend(batch.into_iter().filter_map(|m| m.body));
                }
                bodies
            }
        };
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).expect("a job parses"))
            .collect()
    }
}

/// Configuration read only from `vars` (never the process environment), with the test token.
/// An HTTP client for the tests, on Frontdesk's one TLS stack.
pub fn http_client() -> reqwest::Client {
    frontdesk::tls::https_client_builder()
        .build()
        .expect("the test client builds")
}

pub fn config(vars: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !vars.iter().any(|(k, _)| k == "TWILIO_AUTH_TOKEN") {
        vars.push(("TWILIO_AUTH_TOKEN".into(), TEST_TOKEN.into()));
    }
    Config::from_lookup(
        |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        "test",
    )
    .expect("test configuration is valid")
}

impl TestServer {
    /// Starts `frontdesk serve` on the embedded default in a fresh temporary folder.
    pub async fn start(vars: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let db = data.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).expect("embedded queue"));
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).expect("embedded store")),
            queue: queue.clone(),
            greetings: Arc::new(FolderBlobs::new(data.path().join("blobs"))),
        };
        let mut server =
            Self::with_app(App::new(config(vars), backends), JobProbe::Embedded(queue)).await;
        server._data = Some(data);
        server
    }

    /// Serves an app built by the test (for example on AWS backends against moto).
    pub async fn with_app(app: App, jobs: JobProbe) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(frontdesk_cli::serve::run(app.clone(), listener, async {
            let _ = stopped.await;
        }));
        Self {
            base_url,
            app,
            jobs,
            stop: Some(stop),
            _data: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// POSTs a form to `path`, signed with the test token for the URL the server sees.
    pub async fn post_signed(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let form = FormParams::from_pairs(
            params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let url = self.url(path);
        let signature = signature::compute(TEST_TOKEN, &url, form.pairs());
        http_client()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(form.encode())
            .send()
            .await
            .expect("request reaches the server")
    }
}

/// The moto server the test command started (`./infra/test.sh` runs `infra/moto.sh start`).
pub fn moto_endpoint() -> String {
    std::env::var("FRONTDESK_TEST_AWS_ENDPOINT")
        .expect("FRONTDESK_TEST_AWS_ENDPOINT is unset: run ./infra/test.sh, which starts moto")
}

/// The SDK configuration for `endpoint` with Frontdesk's timeouts and dummy credentials.
pub async fn aws_sdk(endpoint: &str) -> aws_config::SdkConfig {
    frontdesk::lambda::aws::config_loader(Some(endpoint))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await
}

/// SDK clients for `endpoint` with Frontdesk's timeouts and dummy credentials.
pub async fn aws_clients(endpoint: &str) -> AwsClients {
    AwsClients::from_config(&aws_sdk(endpoint).await)
}

/// Fresh, uniquely named AWS resources on moto: a table, both queues and a greetings bucket.
pub async fn aws_resources(clients: &AwsClients) -> AwsResources {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "fd-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000
    );
    frontdesk::store::dynamodb::create_table(&clients.dynamodb, &name)
        .await
        .expect("create table on moto");
    let mut urls = Vec::new();
    for queue in ["recordings", "notify"] {
        let created = clients
            .sqs
            .create_queue()
            .queue_name(format!("{name}-{queue}"))
            .send()
            .await
            .expect("create queue on moto");
        urls.push(created.queue_url.expect("queue url"));
    }
    clients
        .s3
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .expect("create bucket on moto");
    AwsResources {
        table: name.clone(),
        recordings_queue_url: urls[0].clone(),
        notify_queue_url: urls[1].clone(),
        greetings_bucket: name,
    }
}

/// An app on `resources` (queues, greetings bucket and table on moto), wired as a Lambda is.
pub async fn aws_app(vars: &[(&str, &str)], resources: &AwsResources) -> App {
    aws_app_at(&moto_endpoint(), vars, resources).await
}

/// [`aws_app`] on the AWS at `endpoint` (an unreachable one stands for an outage).
pub async fn aws_app_at(endpoint: &str, vars: &[(&str, &str)], resources: &AwsResources) -> App {
    Wiring::new(config(vars), aws_sdk(endpoint).await, resources.clone())
        .queue()
        .greetings()
        .app()
        .expect("no bucket of recording copies was asked for")
}

impl TestServer {
    /// Starts `frontdesk serve` on the AWS backends (DynamoDB, SQS, S3) against moto.
    pub async fn start_aws(vars: &[(&str, &str)]) -> Self {
        let sdk = aws_sdk(&moto_endpoint()).await;
        let clients = AwsClients::from_config(&sdk);
        let resources = aws_resources(&clients).await;
        let probe = JobProbe::Sqs {
            client: clients.sqs.clone(),
            url: resources.recordings_queue_url.clone(),
        };
        let app = Wiring::new(config(vars), sdk, resources)
            .queue()
            .greetings()
            .app()
            .expect("no bucket of recording copies was asked for");
        Self::with_app(app, probe).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
