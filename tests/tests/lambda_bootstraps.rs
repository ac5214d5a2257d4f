//! Every Lambda bootstrap, run the way Lambda runs it: the function's real binary is started
//! with Lambda's environment and `AWS_LAMBDA_RUNTIME_API` pointing at a Lambda Runtime API
//! emulator on 127.0.0.1 (below), which hands it the sample events in `events/` — the same
//! events `sam local invoke -e` uses — and collects its answers. The functions use DynamoDB,
//! SQS and S3 on the moto server the test command starts (`AWS_ENDPOINT_URL`), each test on
//! fresh resources. No Docker: this is what `sam local invoke` would show, minus the container.
//!
//! To run the same tests on the arm64 bootstraps `./infra/sam.sh build` made (on an x86
//! machine, under qemu-user: `apt-get install qemu-user-static libc6-arm64-cross`):
//!
//! ```sh
//! FRONTDESK_TEST_SAM_BUILD_DIR=$PWD/.aws-sam/build \
//! FRONTDESK_TEST_BOOTSTRAP_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu" \
//!   cargo test -p frontdesk-tests --test lambda_bootstraps
//! ```
//!
//! By default the binaries are this workspace's debug builds of the function crates, built
//! (or found fresh) by `cargo build --workspace --bins --examples`: `--examples` (there are
//! none) makes cargo resolve features with dev-dependencies, exactly as `cargo test
//! --workspace` does, so the build reuses every dependency the test build compiled and only
//! links the bins (after `cargo test --workspace`; run alone, `cargo test -p frontdesk-tests`
//! resolves features for one package and the first bins build compiles more).

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use frontdesk::config::AwsResources;
use frontdesk_tests::{aws_app, aws_clients, aws_resources, moto_endpoint, JobProbe};
use serde_json::Value;
use tokio::sync::{oneshot, Notify};

/// The token the sample events are signed with (events/README.md).
const SAMPLE_TOKEN: &str = "frontdesk-sample-auth-token";
/// The region `frontdesk_tests::aws_clients` creates the moto resources in.
const REGION: &str = "us-east-1";
/// How long one invocation may take, start-up of a debug binary included.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn event(file: &str) -> Vec<u8> {
    let path = root().join("events").join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

// ------------------------------------------------------------------------------- binaries

/// The bootstrap of every function crate, by bin name (found once per test process): the
/// workspace's debug builds, or with `FRONTDESK_TEST_SAM_BUILD_DIR` set, the ones `sam build`
/// put in that folder (`<Logical id>/bootstrap`, the template naming each function
/// `<CamelCaseBin>Function`, with `WhatsApp` spelt as the template spells it).
fn bootstraps() -> &'static HashMap<String, PathBuf> {
    static BOOTSTRAPS: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BOOTSTRAPS.get_or_init(|| match std::env::var_os("FRONTDESK_TEST_SAM_BUILD_DIR") {
        Some(dir) => sam_bootstraps(&PathBuf::from(dir)),
        None => build_bootstraps(),
    })
}

fn sam_bootstraps(dir: &std::path::Path) -> HashMap<String, PathBuf> {
    function_crates()
        .into_iter()
        .map(|bin| {
            let logical_id: String = bin
                .split('-')
                .map(|word| match word {
                    "whatsapp" => "WhatsApp".to_string(),
                    word => word[..1].to_uppercase() + &word[1..],
                })
                .chain(["Function".to_string()])
                .collect();
            let path = dir.join(logical_id).join("bootstrap");
            assert!(path.is_file(), "{path:?} exists (run ./infra/sam.sh build)");
            (bin, path)
        })
        .collect()
}

/// `FRONTDESK_TEST_BOOTSTRAP_RUNNER`: a command the bootstrap runs under, e.g.
/// `qemu-aarch64-static -L /usr/aarch64-linux-gnu` for sam's arm64 builds on an x86 machine.
fn runner() -> Vec<String> {
    std::env::var("FRONTDESK_TEST_BOOTSTRAP_RUNNER")
        .map(|runner| runner.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

fn build_bootstraps() -> HashMap<String, PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_string());
    let mut command = Command::new(cargo);
    // Cargo runs this test with the package's own variables set (CARGO_PKG_NAME,
    // CARGO_MANIFEST_DIR, ...). Build scripts such as ring's watch some of those
    // (rerun-if-env-changed), so passing them on would rerun those scripts and rebuild
    // everything above them, here and again in the next `cargo test`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                name.as_ref(),
                "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR" | "OUT_DIR"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    let output = command
        .current_dir(root())
        .args([
            "build",
            "--workspace",
            "--bins",
            "--examples",
            "--message-format=json-render-diagnostics",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build of the function bins failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let functions = function_crates();
    let mut found = HashMap::new();
    for line in output.stdout.split(|b| *b == b'\n') {
        let Ok(message) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let (Some(name), Some(executable)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) else {
            continue;
        };
        let is_bin = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
        if message["reason"] == "compiler-artifact" && is_bin && functions.contains(&name.into()) {
            found.insert(name.to_string(), PathBuf::from(executable));
        }
    }
    for function in &functions {
        let path = found
            .get(function)
            .unwrap_or_else(|| panic!("cargo built no bin `{function}`"));
        assert!(path.is_file(), "{path:?} exists");
    }
    found
}

/// The function crates (every folder under functions/ but the library, the CLI and the test
/// kit); each one's bin is named like its folder (template_drift.rs checks that).
fn function_crates() -> Vec<String> {
    let mut crates: Vec<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/ readable")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !["core", "cli", "testkit"].contains(&name.as_str()))
        .collect();
    crates.sort();
    crates
}

// ---------------------------------------------------------------- Runtime API emulator

/// What a function answered to one invocation.
#[derive(Debug)]
enum Outcome {
    /// `POST /runtime/invocation/{id}/response`.
    Response(Value),
    /// `POST /runtime/invocation/{id}/error`.
    Error(String),
}

struct Invocation {
    request_id: String,
    event: Bytes,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Invocation>,
}

struct EmulatorState {
    function_arn: String,
    queue: Mutex<Queue>,
    queued: Notify,
    answers: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<String>>,
}

/// The Lambda Runtime API (2018-06-01) for one function instance: `next` long-polls for an
/// invocation, `response` and `error` complete it, `init/error` records a failed start-up.
struct RuntimeApi {
    addr: SocketAddr,
    state: Arc<EmulatorState>,
    _stop: oneshot::Sender<()>,
}

impl RuntimeApi {
    async fn start(function_name: &str) -> Self {
        let state = Arc::new(EmulatorState {
            function_arn: format!("arn:aws:lambda:{REGION}:123456789012:function:{function_name}"),
            queue: Mutex::new(Queue::default()),
            queued: Notify::new(),
            answers: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            addr,
            state,
            _stop: stop,
        }
    }

    /// Hands `event` to the function and waits for its answer.
    async fn invoke(&self, event: Vec<u8>) -> Result<Outcome, String> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let request_id = format!(
            "00000000-0000-4000-8000-{:012}",
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let (answer, answered) = oneshot::channel();
        self.state
            .answers
            .lock()
            .unwrap()
            .insert(request_id.clone(), answer);
        self.state
            .queue
            .lock()
            .unwrap()
            .waiting
            .push_back(Invocation {
                request_id,
                event: Bytes::from(event),
            });
        self.state.queued.notify_one();
        match tokio::time::timeout(INVOKE_TIMEOUT, answered).await {
            Ok(Ok(outcome)) => Ok(outcome),
            _ => Err(match self.state.init_error.lock().unwrap().clone() {
                Some(init) => format!("the function failed to start: {init}"),
                None => format!("no answer within {INVOKE_TIMEOUT:?}"),
            }),
        }
    }
}

async fn next_invocation(State(state): State<Arc<EmulatorState>>) -> (HeaderMap, Bytes) {
    let invocation = loop {
        let notified = state.queued.notified();
        if let Some(invocation) = state.queue.lock().unwrap().waiting.pop_front() {
            break invocation;
        }
        notified.await;
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + INVOKE_TIMEOUT;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    };
    set("lambda-runtime-aws-request-id", invocation.request_id);
    set(
        "lambda-runtime-deadline-ms",
        deadline.as_millis().to_string(),
    );
    set(
        "lambda-runtime-invoked-function-arn",
        state.function_arn.clone(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0".into(),
    );
    set("content-type", "application/json".into());
    (headers, invocation.event)
}

fn complete(state: &EmulatorState, id: &str, outcome: Outcome) -> StatusCode {
    match state.answers.lock().unwrap().remove(id) {
        Some(answer) => {
            let _ = answer.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn invocation_response(
    State(state): State<Arc<EmulatorState>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    let outcome = match serde_json::from_slice(&body) {
        Ok(value) => Outcome::Response(value),
        Err(e) => Outcome::Error(format!(
            "response is not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )),
    };
    complete(&state, &id, outcome)
}

async fn invocation_error(
    State(state): State<Arc<EmulatorState>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    let error = String::from_utf8_lossy(&body).into_owned();
    complete(&state, &id, Outcome::Error(error))
}

async fn init_error(State(state): State<Arc<EmulatorState>>, body: Bytes) -> StatusCode {
    *state.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
    StatusCode::ACCEPTED
}

// ------------------------------------------------------------------ a running function

/// One function instance: its bootstrap running against its own Runtime API emulator.
struct Function {
    name: String,
    api: RuntimeApi,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Function {
    /// Starts the `bin` bootstrap with Lambda's environment, the template's Frontdesk
    /// variables for `resources`, and `extra` on top.
    async fn start(bin: &str, resources: &AwsResources, extra: &[(&str, &str)]) -> Self {
        let bootstrap = bootstraps()
            .get(bin)
            .unwrap_or_else(|| panic!("no bootstrap for {bin}"));
        let name = format!("frontdesk-test-{bin}");
        let api = RuntimeApi::start(&name).await;
        let log = tempfile::NamedTempFile::new().expect("log file");
        let runtime_api = api.addr.to_string();
        let endpoint = moto_endpoint();
        let mut vars: Vec<(&str, &str)> = vec![
            // What Lambda sets.
            ("AWS_LAMBDA_RUNTIME_API", &runtime_api),
            ("AWS_LAMBDA_FUNCTION_NAME", &name),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/frontdesk-test"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/21/[$LATEST]test"),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ("AWS_LAMBDA_LOG_LEVEL", "INFO"),
            ("AWS_REGION", REGION),
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_SESSION_TOKEN", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ENDPOINT_URL", &endpoint),
            ("LAMBDA_TASK_ROOT", "/var/task"),
            ("_HANDLER", "bootstrap"),
            // What template.yaml sets (PUBLIC_BASE_URL stays unset: no custom domain).
            ("FRONTDESK_STAGE", "test"),
            ("FRONTDESK_SIGNATURE_POLICY", "enforce"),
            ("FRONTDESK_TABLE", &resources.table),
            (
                "FRONTDESK_RECORDINGS_QUEUE_URL",
                &resources.recordings_queue_url,
            ),
            ("FRONTDESK_NOTIFY_QUEUE_URL", &resources.notify_queue_url),
            ("FRONTDESK_GREETINGS_BUCKET", &resources.greetings_bucket),
            ("TWILIO_AUTH_TOKEN", SAMPLE_TOKEN),
        ];
        for (key, value) in extra {
            vars.retain(|(k, _)| k != key);
            vars.push((key, value));
        }
        let runner = runner();
        let mut command = match runner.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(bootstrap);
                command
            }
            None => Command::new(bootstrap),
        };
        let child = command
            .env_clear()
            .envs(vars)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(log.reopen().expect("log file"))
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("{bootstrap:?} starts: {e}"));
        Self {
            name,
            api,
            child,
            log,
        }
    }

    /// Invokes the function with the sample event `file` and returns its answer.
    async fn invoke(&mut self, file: &str) -> Value {
        self.invoke_bytes(file, event(file)).await
    }

    async fn invoke_bytes(&mut self, what: &str, event: Vec<u8>) -> Value {
        match self.api.invoke(event).await {
            Ok(Outcome::Response(value)) => value,
            Ok(Outcome::Error(error)) => panic!(
                "{} answered {what} with an error: {error}\n{}",
                self.name,
                self.log_text()
            ),
            Err(failure) => {
                let exited = self.child.try_wait().ok().flatten();
                panic!(
                    "{} did not answer {what}: {failure} (process exit: {exited:?})\n{}",
                    self.name,
                    self.log_text()
                )
            }
        }
    }

    /// Everything the function wrote to stdout and stderr so far.
    fn log_text(&self) -> String {
        let mut text = String::new();
        let _ = self
            .log
            .reopen()
            .and_then(|mut f| f.read_to_string(&mut text));
        text
    }

    /// The function's log lines as JSON objects (asserting every line is one, as Lambda's
    /// JSON log format and the template's metric filters on `$.metric` need).
    fn json_log(&self) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str::<Value>(line)
                    .ok()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| {
                        panic!("{}: a log line is not a JSON object: {line}", self.name)
                    })
            })
            .collect()
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------------------ helpers

/// Fresh moto resources; with `seed`, the demo businesses and greeting from
/// infra/seed/businesses.json loaded into them as `frontdesk serve` loads them.
async fn resources(seed: bool) -> (AwsResources, frontdesk::lambda::aws::AwsClients) {
    let clients = aws_clients(&moto_endpoint()).await;
    let resources = aws_resources(&clients).await;
    if seed {
        seed_demo(&resources).await;
    }
    (resources, clients)
}

async fn seed_demo(resources: &AwsResources) {
    let app = aws_app(&[], resources).await;
    let loaded = frontdesk_cli::seed::load(&app, &root().join("infra/seed/businesses.json"))
        .await
        .expect("the demo seed loads");
    assert!(loaded.iter().any(|id| id == "demo"), "{loaded:?}");
}

fn status(response: &Value) -> u64 {
    response["statusCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no statusCode in {response}"))
}

/// A response header, whatever its case.
fn header<'a>(response: &'a Value, name: &str) -> Option<&'a str> {
    response["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The response body as text (decoding base64 if the function encoded it).
fn body(response: &Value) -> Vec<u8> {
    let text = response["body"].as_str().unwrap_or_default();
    if response["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .expect("a base64 body")
    } else {
        text.as_bytes().to_vec()
    }
}

fn body_text(response: &Value) -> String {
    String::from_utf8(body(response)).expect("a UTF-8 body")
}

const SAMPLE_CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";

// -------------------------------------------------------------------------------- tests

#[test]
fn every_function_crate_has_a_bootstrap() {
    let built = bootstraps();
    for function in function_crates() {
        assert!(built.contains_key(&function), "{function}");
    }
    assert_eq!(built.len(), function_crates().len());
}

#[tokio::test]
async fn health_answers_ok() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("health", &resources, &[]).await;
    let response = function.invoke("health.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert_eq!(body_text(&response), "ok");
    // Logs are JSON lines on Lambda.
    assert!(!function.json_log().is_empty());
}

#[tokio::test]
async fn incoming_call_answers_twiml_that_records() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("incoming-call", &resources, &[]).await;
    let response = function.invoke("incoming-call.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("text/xml")),
        "{response}"
    );
    let twiml = body_text(&response);
    assert!(twiml.contains("<Record"), "{twiml}");
    // Without PUBLIC_BASE_URL the URLs are rebuilt from the request: on the HTTP API's
    // $default stage, exactly the execute-api URL Twilio called.
    let base = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    assert!(
        twiml.contains(&format!("<Play>{base}/greetings/demo.mp3</Play>")),
        "the demo clinic's greeting is played: {twiml}"
    );
    assert!(
        twiml.contains(&format!("action=\"{base}/webhook/handle_recording\"")),
        "{twiml}"
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused_by_the_bootstrap() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start(
        "incoming-call",
        &resources,
        &[("TWILIO_AUTH_TOKEN", "another-token")],
    )
    .await;
    let response = function.invoke("incoming-call.json").await;
    assert_eq!(status(&response), 403, "{response}");
}

#[tokio::test]
async fn handle_recording_thanks_the_caller_and_queues_one_job() {
    let (resources, clients) = resources(true).await;
    let mut function = Function::start("handle-recording", &resources, &[]).await;
    let response = function.invoke("handle-recording.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(body_text(&response).contains("<Hangup"), "{response}");
    let jobs = JobProbe::Sqs {
        client: clients.sqs.clone(),
        url: resources.recordings_queue_url.clone(),
    }
    .transcription_jobs()
    .await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].call_sid.as_str(), SAMPLE_CALL_SID);
}

#[tokio::test]
async fn recording_status_answers_204() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("recording-status", &resources, &[]).await;
    let response = function.invoke("recording-status.json").await;
    assert_eq!(status(&response), 204, "{response}");
}

#[tokio::test]
async fn call_status_answers_204() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("call-status", &resources, &[]).await;
    let response = function.invoke("call-status.json").await;
    assert_eq!(status(&response), 204, "{response}");
}

#[tokio::test]
async fn gather_thanks_the_caller() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("gather", &resources, &[]).await;
    let response = function.invoke("gather.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(body_text(&response).contains("<Hangup"), "{response}");
}

#[tokio::test]
async fn greeting_is_404_until_the_demo_is_seeded_then_serves_the_mp3() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("greeting", &resources, &[]).await;
    let missing = function.invoke("greeting.json").await;
    assert_eq!(status(&missing), 404, "{missing}");

    seed_demo(&resources).await;
    let mp3 = std::fs::read(root().join("infra/seed/demo-greeting.mp3")).unwrap();
    let response = function.invoke("greeting.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert_eq!(header(&response, "content-type"), Some("audio/mpeg"));
    assert_eq!(
        response["isBase64Encoded"].as_bool(),
        Some(true),
        "audio goes back to API Gateway base64-encoded"
    );
    assert_eq!(body(&response), mp3, "the seeded greeting, byte for byte");
    assert!(header(&response, "etag").is_some(), "{response}");

    let head = function.invoke("greeting-head.json").await;
    assert_eq!(status(&head), 200, "{head}");
    assert_eq!(
        header(&head, "content-length"),
        Some(mp3.len().to_string().as_str())
    );
    assert!(body(&head).is_empty(), "HEAD has no body");
}

const SAMPLE_META_APP_SECRET: &str = "frontdesk-sample-meta-app-secret";
const SAMPLE_META_VERIFY_TOKEN: &str = "frontdesk-sample-verify-token";

#[tokio::test]
async fn whatsapp_incoming_stores_the_message_and_auto_replies_in_twiml() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("whatsapp-incoming", &resources, &[]).await;
    let response = function.invoke("whatsapp-incoming.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("text/xml")),
        "{response}"
    );
    assert!(
        body_text(&response).contains("<Message>תודה שפנית למרפאת השיניים!"),
        "the demo clinic's auto-reply: {response}"
    );
    let app = aws_app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse("SM0123456789abcdef0123456789abcdef").unwrap();
    let message = app.store().message(&id).await.unwrap().expect("stored");
    assert_eq!(message.business_id.unwrap().as_str(), "demo");
}

#[tokio::test]
async fn whatsapp_status_answers_204_and_applies_the_status() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("whatsapp-status", &resources, &[]).await;
    let response = function.invoke("whatsapp-status.json").await;
    assert_eq!(status(&response), 204, "{response}");
    let app = aws_app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse("SM1123456789abcdef0123456789abcdef").unwrap();
    let message = app
        .store()
        .message(&id)
        .await
        .unwrap()
        .expect("created by its status");
    assert_eq!(
        message.status,
        Some(frontdesk::domain::MessageStatus::Delivered)
    );
}

#[tokio::test]
async fn meta_whatsapp_verifies_the_subscription_and_stores_a_signed_notification() {
    let (resources, _) = resources(true).await;
    let secrets = [
        ("META_APP_SECRET", SAMPLE_META_APP_SECRET),
        ("META_VERIFY_TOKEN", SAMPLE_META_VERIFY_TOKEN),
    ];
    let mut function = Function::start("meta-whatsapp", &resources, &secrets).await;
    let handshake = function.invoke("meta-whatsapp-verify.json").await;
    assert_eq!(status(&handshake), 200, "{handshake}");
    assert_eq!(body_text(&handshake), "1158201444");
    let response = function.invoke("meta-whatsapp.json").await;
    assert_eq!(status(&response), 200, "{response}");
    let app = aws_app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse(
        "wamid.HBgMOTcyNTAxMjM0NTY3FQIAEhgUM0VCMDZCMzlEQUE4OTJBMTE4RTUA",
    )
    .unwrap();
    let message = app.store().message(&id).await.unwrap().expect("stored");
    assert_eq!(
        message.business_id.unwrap().as_str(),
        "demo",
        "by phone_number_id"
    );
    assert_eq!(
        message.content.unwrap().body.as_deref(),
        Some("שלום! 👋 מתי אתם פתוחים?")
    );
    drop(function);

    let mut wrong = Function::start(
        "meta-whatsapp",
        &resources,
        &[("META_APP_SECRET", "another-secret")],
    )
    .await;
    let refused = wrong.invoke("meta-whatsapp.json").await;
    assert_eq!(status(&refused), 403, "{refused}");
    let refused = wrong.invoke("meta-whatsapp-verify.json").await;
    assert_eq!(
        status(&refused),
        403,
        "no verify token configured: {refused}"
    );
}

#[tokio::test]
async fn whatsapp_messages_refuses_an_unknown_api_key() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("whatsapp-messages", &resources, &[]).await;
    let response = function.invoke("whatsapp-messages.json").await;
    assert_eq!(status(&response), 401, "{response}");
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("application/json")),
        "{response}"
    );
}

#[tokio::test]
async fn reconciler_sends_the_job_a_failed_queue_left_pending() {
    let (resources, clients) = resources(true).await;
    // The recording arrives while the queue is unreachable: the call is kept, the job stays
    // pending, and the log line carries metric=transcription_pending at the top level.
    let missing_queue = format!("{}-missing", resources.recordings_queue_url);
    let mut recording = Function::start(
        "handle-recording",
        &resources,
        &[("FRONTDESK_RECORDINGS_QUEUE_URL", &missing_queue)],
    )
    .await;
    let response = recording.invoke("handle-recording.json").await;
    assert_eq!(status(&response), 200, "{response}");
    let log = recording.json_log();
    assert!(
        log.iter()
            .any(|line| line["metric"] == "transcription_pending"),
        "a top-level `metric` field: {log:?}"
    );
    drop(recording);

    let mut reconciler = Function::start("reconciler", &resources, &[]).await;
    let report = reconciler.invoke("reconciler-schedule.json").await;
    assert_eq!(
        report,
        serde_json::json!({"examined": 1, "sent": 1, "failed": 0}),
        "the reconciler's report"
    );
    let jobs = JobProbe::Sqs {
        client: clients.sqs.clone(),
        url: resources.recordings_queue_url.clone(),
    }
    .transcription_jobs()
    .await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].call_sid.as_str(), SAMPLE_CALL_SID);

    // Run again: nothing left to send.
    let again = reconciler.invoke("reconciler-schedule.json").await;
    assert_eq!(again["sent"], 0, "{again}");
}

#[tokio::test]
async fn one_instance_serves_many_invocations() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("health", &resources, &[]).await;
    for _ in 0..5 {
        let response = function.invoke("health.json").await;
        assert_eq!(status(&response), 200, "{response}");
    }
    let mut head = serde_json::from_slice::<Value>(&event("health.json")).unwrap();
    head["requestContext"]["http"]["method"] = "HEAD".into();
    head["routeKey"] = "HEAD /health".into();
    let response = function
        .invoke_bytes("HEAD /health", serde_json::to_vec(&head).unwrap())
        .await;
    assert_eq!(status(&response), 200, "{response}");
}

/// The sample SQS event's message id (infra/make_events.py).
const SAMPLE_MESSAGE_ID: &str = "059f36b4-87a3-44ab-83d2-661975830a7d";

#[tokio::test]
async fn transcribe_reports_a_recording_it_cannot_fetch_yet_as_a_batch_item_failure() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start(
        "transcribe",
        &resources,
        &[
            ("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket),
            ("TWILIO_ACCOUNT_SID", "ACtest"),
        ],
    )
    .await;
    // The sample job names Twilio's media host; a closed local port stands in for an
    // unreachable one, so the test needs no network.
    let mut sqs = serde_json::from_slice::<Value>(&event("transcribe.json")).unwrap();
    let mut job: Value = serde_json::from_str(sqs["Records"][0]["body"].as_str().unwrap()).unwrap();
    job["recording_url"] =
        "http://127.0.0.1:9/2010-04-01/Accounts/ACtest/Recordings/RE0123456789abcdef0123456789abcdef"
            .into();
    sqs["Records"][0]["body"] = job.to_string().into();
    let response = function
        .invoke_bytes("transcribe.json", serde_json::to_vec(&sqs).unwrap())
        .await;
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": SAMPLE_MESSAGE_ID}]}),
        "{}",
        function.log_text()
    );
    let log = function.json_log();
    assert!(
        log.iter().any(|line| line["message"]
            .as_str()
            .is_some_and(|m| m.contains("transcription will be retried"))),
        "{log:?}"
    );
}

#[tokio::test]
async fn notify_settles_an_event_for_an_unknown_call_without_retry() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start(
        "notify",
        &resources,
        &[("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket)],
    )
    .await;
    let response = function.invoke("notify.json").await;
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": []}),
        "{}",
        function.log_text()
    );
}

#[tokio::test]
async fn the_calls_api_answers_an_unknown_key_with_a_json_401() {
    let (resources, _) = resources(false).await;
    for (function, sample) in [
        ("api-calls", "api-calls.json"),
        ("api-call", "api-call.json"),
    ] {
        let mut function = Function::start(
            function,
            &resources,
            &[
                ("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket),
                ("FRONTDESK_ALLOWED_ORIGINS", "https://crm.example.com"),
            ],
        )
        .await;
        let response = function.invoke(sample).await;
        assert_eq!(status(&response), 401, "{response}");
        assert_eq!(header(&response, "content-type"), Some("application/json"));
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some("https://crm.example.com")
        );
        assert!(
            body_text(&response).contains("unknown API key"),
            "{response}"
        );
    }
}
