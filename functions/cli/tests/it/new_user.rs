//! The README's walk-through, with the real `frontdesk` binary only: a new user creates a
//! business, gives it a webhook secret and a greeting, points the Twilio number at Frontdesk,
//! gets a doctor report with every check PASS, and a simulated signed call hears the greeting.
//! Once on the local store with `frontdesk serve`, once on a deployed stack (moto) by name.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use frontdesk::lambda::aws::AwsClients;
use frontdesk::Route;
use frontdesk_testkit::serve::{self, ServeProcess};
use frontdesk_testkit::standins::hook_receiver::Receiver;
use frontdesk_testkit::standins::twilio_rest::TwilioApi;
use frontdesk_testkit::{aws, fixtures};

use crate::operator::{ACCOUNT_SID, AUTH_TOKEN, NUMBER};
use crate::FRONTDESK;

/// Runs `frontdesk ARGS` with exactly `env` (and PATH), as a user's shell would.
fn frontdesk(env: &HashMap<&str, String>, args: &[&str]) -> Output {
    Command::new(FRONTDESK)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("frontdesk runs")
}

fn ok(env: &HashMap<&str, String>, args: &[&str]) -> String {
    let output = frontdesk(env, args);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "frontdesk {args:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The walk-through from `business create` to the simulated call, on whatever `env` names.
fn walk_through(
    env: &HashMap<&str, String>,
    twilio: &TwilioApi,
    base: &str,
    webhook: &str,
    ping: bool,
) {
    let mp3 = fixtures::demo_greeting_path().display().to_string();
    let greeting_url = format!(
        "{base}{}",
        Route::Greeting.path_with(&[("business", "acme")])
    );
    ok(
        env,
        &[
            "business",
            "create",
            "acme",
            "--name",
            "Acme Dental",
            "--number",
            NUMBER,
            "--webhook-url",
            webhook,
        ],
    );
    let taken = frontdesk(
        env,
        &[
            "business", "create", "copy", "--name", "Copycat", "--number", NUMBER,
        ],
    );
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&taken.stderr).contains("already belongs to business `acme`"),
        "{taken:?}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(&ok(env, &["business", "list", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    ok(
        env,
        &[
            "greeting",
            "say",
            "acme",
            "Hello, leave a message",
            "--language",
            "en-US",
        ],
    );
    let shown: serde_json::Value =
        serde_json::from_str(&ok(env, &["business", "show", "acme", "--json"])).unwrap();
    assert_eq!(shown["fallback_text"], "Hello, leave a message");
    assert_eq!(shown["language"], "en-US");
    let secret = ok(env, &["business", "webhook-secret", "acme"]);
    assert!(secret.starts_with("whsec_"), "{secret}");
    let uploaded = ok(
        env,
        &["greeting", "upload", "acme", &mp3, "--quiet", "--json"],
    );
    let uploaded: serde_json::Value = serde_json::from_str(&uploaded).unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(&ok(env, &["business", "show", "acme", "--json"])).unwrap();
    assert_eq!(stored["greeting_etag"], uploaded["etag"]);
    let not_mp3 = frontdesk(
        env,
        &[
            "greeting",
            "upload",
            "acme",
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
            "--quiet",
        ],
    );
    assert_eq!(not_mp3.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&not_mp3.stderr).contains("not an MP3"));
    assert_eq!(uploaded["key"], "greetings/acme.mp3");
    assert_eq!(uploaded["url"], greeting_url);
    assert_eq!(ok(env, &["greeting", "url", "acme"]).trim(), greeting_url);

    // Before Twilio points at Frontdesk, the doctor says so, with the command that fixes it.
    let doctor = frontdesk(env, &["doctor"]);
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "{report}");
    assert!(
        report.contains("frontdesk twilio configure acme --yes"),
        "{report}"
    );

    let dry_run = ok(env, &["twilio", "configure", "acme"]);
    assert!(dry_run.contains("--yes"), "{dry_run}");
    assert!(twilio.updates().is_empty(), "nothing applied without --yes");
    ok(env, &["twilio", "configure", "acme", "--yes"]);
    assert_eq!(
        twilio.number(NUMBER).unwrap().voice_url.as_deref(),
        Some(format!("{base}{}", Route::IncomingCall.path()).as_str())
    );

    let mut doctor_args = vec!["doctor", "acme", "--json"];
    if ping {
        doctor_args.push("--ping");
    }
    let report: serde_json::Value = serde_json::from_str(&ok(env, &doctor_args)).unwrap();
    let not_passed: Vec<&serde_json::Value> = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .filter(|c| c["level"] != "PASS")
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");

    let call = ok(env, &["simulate", "call", "--base", base, "--to", NUMBER]);
    assert!(
        call.contains(&format!("<Play>{greeting_url}</Play>")),
        "{call}"
    );
    assert!(call.contains("<Record"), "{call}");
}

pub(crate) fn user_environment(twilio: &TwilioApi) -> HashMap<&'static str, String> {
    HashMap::from([
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TWILIO_AUTH_TOKEN", AUTH_TOKEN.to_string()),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID.to_string()),
        ("TWILIO_API_BASE_URL", twilio.base_url().to_string()),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_goes_from_business_create_to_an_all_pass_doctor_locally() {
    let data = tempfile::tempdir().unwrap();
    let server = ServeProcess::start(
        Path::new(FRONTDESK),
        data.path(),
        Some("/nonexistent.json"),
        &[("TWILIO_AUTH_TOKEN", AUTH_TOKEN)],
    );
    let base = server.base.clone();
    let twilio = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    twilio.add_number(NUMBER, Some("https://old.example.com/voice"), None, None);
    let receiver = Receiver::start().await;
    let mut env = user_environment(&twilio);
    env.insert("FRONTDESK_DATA_DIR", data.path().display().to_string());
    env.insert("PUBLIC_BASE_URL", base.clone());
    env.insert("TRANSCRIBE_API_BASE", "https://api.openai.com".into());
    env.insert("TRANSCRIBE_API_KEY", "sk-local".into());
    let twilio_clone = twilio.clone();
    let receiver_url = receiver.url.clone();
    tokio::task::spawn_blocking(move || {
        walk_through(&env, &twilio_clone, &base, &receiver_url, true)
    })
    .await
    .unwrap();
    assert_eq!(
        receiver.received().len(),
        1,
        "the doctor's signed ping arrived"
    );
}

/// A Frontdesk stack on moto: the resources `sam deploy` makes, and a CloudFormation stack
/// whose outputs and parameters name them, as template.yaml's do. Returns the stack's name and
/// its notify dead-letter queue.
pub(crate) async fn deployed_stack(
    clients: &AwsClients,
    sdk: &aws_config::SdkConfig,
    api_base_url: &str,
) -> (String, String) {
    let name = frontdesk_testkit::unique::aws_name();
    frontdesk::store::dynamodb::create_table(&clients.dynamodb, &name)
        .await
        .unwrap();
    aws::create_bucket(clients, &name).await;
    let mut queue_urls = Vec::new();
    let mut dead_letter_urls = Vec::new();
    for queue in ["recordings", "notify"] {
        let dlq = aws::create_queue(clients, &format!("{name}-{queue}-dlq")).await;
        let dlq_arn = clients
            .sqs
            .get_queue_attributes()
            .queue_url(&dlq)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        dead_letter_urls.push(dlq);
        let url = clients
            .sqs
            .create_queue()
            .queue_name(format!("{name}-{queue}"))
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
                format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}"#),
            )
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        queue_urls.push(url);
    }
    let secret_name = format!("{name}/secrets");
    aws_sdk_secretsmanager::Client::new(sdk)
        .create_secret()
        .name(&secret_name)
        .secret_string(
            serde_json::json!({
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_account_sid": ACCOUNT_SID,
                "transcription_api_key": "sk-stack",
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let template = serde_json::json!({
        "Parameters": {
            "SecretsName": {"Type": "String"},
            "TranscribeApiBase": {"Type": "String"},
        },
        "Resources": {
            "Marker": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": format!("{name}-marker")}},
        },
        "Outputs": {
            "ApiBaseUrl": {"Value": api_base_url},
            "TableName": {"Value": name},
            "GreetingsBucketName": {"Value": name},
            "RecordingsQueueUrl": {"Value": queue_urls[0]},
            "NotifyQueueUrl": {"Value": queue_urls[1]},
        },
    });
    let parameter = |key: &str, value: &str| {
        aws_sdk_cloudformation::types::Parameter::builder()
            .parameter_key(key)
            .parameter_value(value)
            .build()
    };
    aws_sdk_cloudformation::Client::new(sdk)
        .create_stack()
        .stack_name(&name)
        .template_body(template.to_string())
        .parameters(parameter("SecretsName", &secret_name))
        .parameters(parameter(
            "TranscribeApiBase",
            "https://api.groq.com/openai",
        ))
        .send()
        .await
        .unwrap();
    (name, dead_letter_urls.remove(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_goes_from_business_create_to_an_all_pass_doctor_on_a_deployed_stack() {
    let endpoint = aws::endpoint();
    // Creating a stack takes moto longer than a webhook's budget: no retry may repeat it.
    let sdk = aws::patient_sdk(&endpoint).await;
    let clients = AwsClients::from_config(&sdk);
    // The stack's HTTP API: Frontdesk's routes on the stack's table and bucket.
    let (listener, base) = serve::loopback().await;
    let (stack, notify_dead_letters) = deployed_stack(&clients, &sdk, &base).await;
    let resources = frontdesk::config::AwsResources {
        table: stack.clone(),
        recordings_queue_url: String::new(),
        notify_queue_url: String::new(),
        greetings_bucket: stack.clone(),
    };
    let config = frontdesk_testkit::config::from_vars(&[("TWILIO_AUTH_TOKEN", AUTH_TOKEN)], "prod");
    let app = frontdesk::lambda::Wiring::new(config, sdk.clone(), resources)
        .queue()
        .greetings()
        .app()
        .unwrap();
    serve::spawn(app, listener, std::future::pending());

    let twilio = TwilioApi::start(ACCOUNT_SID, AUTH_TOKEN).await;
    twilio.add_number(NUMBER, None, None, None);
    let mut env = user_environment(&twilio);
    // The account SID is read from the stack's secret, not the user's shell (which keeps the
    // auth token only for `simulate` to sign with).
    env.remove("TWILIO_ACCOUNT_SID");
    env.insert("FRONTDESK_STACK", stack.clone());
    env.insert("AWS_ENDPOINT_URL", endpoint.clone());
    env.insert("AWS_REGION", "us-east-1".into());
    env.insert("AWS_ACCESS_KEY_ID", "testing".into());
    env.insert("AWS_SECRET_ACCESS_KEY", "testing".into());
    let twilio_clone = twilio.clone();
    let env = tokio::task::spawn_blocking(move || {
        // A stack cannot reach this machine: a loopback webhook URL fails there.
        let loopback = [
            "business",
            "create",
            "loop",
            "--name",
            "Loop",
            "--webhook-url",
            "http://127.0.0.1:9/x",
        ];
        ok(&env, &loopback);
        let report = frontdesk(&env, &["doctor", "loop"]);
        let text = String::from_utf8_lossy(&report.stdout);
        assert!(text.contains("a deployed stack cannot reach it"), "{text}");
        ok(&env, &["business", "delete", "loop", "--yes"]);

        walk_through(
            &env,
            &twilio_clone,
            &base,
            "https://hooks.example.com/frontdesk",
            false,
        );
        env
    })
    .await
    .unwrap();

    // A notify job that used every retry is found through the queue's redrive policy.
    clients
        .sqs
        .send_message()
        .queue_url(&notify_dead_letters)
        .message_body("{}")
        .send()
        .await
        .unwrap();
    let doctor = tokio::task::spawn_blocking(move || frontdesk(&env, &["doctor", "acme"]))
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "{report}");
    assert!(report.contains("1 in notify"), "{report}");
}
