//! One function instance: its bootstrap started with Lambda's environment against its own
//! Runtime API emulator.

use std::io::Read;
use std::process::{Child, Command, Stdio};

use frontdesk::config::AwsResources;
use frontdesk_testkit::{aws, fixtures};
use serde_json::Value;

use super::binaries::{bootstraps, runner};
use super::runtime_api::{Outcome, RuntimeApi};
use super::REGION;

/// One function instance: its bootstrap running against its own Runtime API emulator.
pub struct Function {
    name: String,
    api: RuntimeApi,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Function {
    /// Starts the `bin` bootstrap with Lambda's environment, the template's Frontdesk
    /// variables for `resources`, and `extra` on top.
    pub async fn start(bin: &str, resources: &AwsResources, extra: &[(&str, &str)]) -> Self {
        let bootstrap = bootstraps()
            .get(bin)
            .unwrap_or_else(|| panic!("no bootstrap for {bin}"));
        let name = format!("frontdesk-test-{bin}");
        let api = RuntimeApi::start(&name).await;
        let log = tempfile::NamedTempFile::new().expect("log file");
        let runtime_api = api.addr.to_string();
        let endpoint = aws::endpoint();
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
            ("TWILIO_AUTH_TOKEN", fixtures::SAMPLE_AUTH_TOKEN),
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
    pub async fn invoke(&mut self, file: &str) -> Value {
        self.invoke_bytes(file, fixtures::event(file)).await
    }

    pub async fn invoke_bytes(&mut self, what: &str, event: Vec<u8>) -> Value {
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
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        let _ = self
            .log
            .reopen()
            .and_then(|mut f| f.read_to_string(&mut text));
        text
    }

    /// The function's log lines as JSON objects (asserting every line is one, as Lambda's
    /// JSON log format and the template's metric filters on `$.metric` need).
    pub fn json_log(&self) -> Vec<Value> {
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
