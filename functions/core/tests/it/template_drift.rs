//! `template.yaml` (the AWS SAM stack) agrees with the code: one function per function crate,
//! built from that crate's bin; one HttpApi event per route and method in [`ROUTES`], on the
//! function the route names, and no event for a route the code does not serve; a sample event
//! per function; the table's keys, index and TTL as the DynamoDB store names them; the
//! environment the functions read.
//!
//! CloudFormation's short tags (`!Ref`, `!Sub`, `!If`, ...) are application tags to a YAML
//! parser: yaml-rust2 keeps the tagged node's value (`!Ref Table` reads as the string `Table`,
//! `!If [...]` as the list), which is all these checks need.

use std::collections::BTreeSet;
use std::path::Path;

use frontdesk::config::AwsResources;
use frontdesk::routes::ROUTES;
use frontdesk::store::dynamodb::{
    GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE,
};
use frontdesk_testkit::fixtures::{function_crates, root};
use yaml_rust2::{Yaml, YamlLoader};

fn template() -> Yaml {
    let path = root().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).expect("template.yaml parses as YAML");
    assert_eq!(docs.len(), 1, "template.yaml is one YAML document");
    docs.remove(0)
}

fn str_of<'a>(node: &'a Yaml, what: &str) -> &'a str {
    node.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {node:?}"))
}

/// The template's resources of `kind`, by logical id.
fn resources<'a>(template: &'a Yaml, kind: &str) -> Vec<(&'a str, &'a Yaml)> {
    template["Resources"]
        .as_hash()
        .expect("Resources is a mapping")
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .map(|(id, resource)| (str_of(id, "a logical id"), resource))
        .collect()
}

/// A function property, or the Globals one when the function does not set it.
fn function_property<'a>(template: &'a Yaml, function: &'a Yaml, name: &str) -> &'a Yaml {
    match &function["Properties"][name] {
        Yaml::BadValue => &template["Globals"]["Function"][name],
        value => value,
    }
}

/// The names of the `[[bin]]` targets in a crate's manifest.
fn bin_names(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{manifest:?}: {e}"));
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin {
            if let Some(value) = line.strip_prefix("name").map(str::trim_start) {
                if let Some(value) = value.strip_prefix('=') {
                    names.push(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    names
}

/// The route's path as an API Gateway route key takes it. A path variable there must be a
/// whole segment, so a pattern segment such as `{business}.mp3` becomes `{business}`; the
/// handler matches the rest of the segment itself (`routes::path_matches`).
fn api_gateway_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match (segment.find('{'), segment.find('}')) {
            (Some(open), Some(close)) if open < close => segment[open..=close].to_string(),
            _ => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `(function crate, path, METHOD)` for every HttpApi event in the template.
fn http_api_events(template: &Yaml) -> BTreeSet<(String, String, String)> {
    let mut events = BTreeSet::new();
    for (id, function) in resources(template, "AWS::Serverless::Function") {
        let crate_name = crate_of(id, function);
        let Some(function_events) = function["Properties"]["Events"].as_hash() else {
            continue;
        };
        for (name, event) in function_events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let what = format!("{id}.Events.{}", str_of(name, "an event name"));
            let properties = &event["Properties"];
            assert_eq!(
                properties["ApiId"].as_str(),
                Some("HttpApi"),
                "{what} is on the stack's HttpApi"
            );
            let path = str_of(&properties["Path"], &format!("{what}.Path")).to_string();
            let method = str_of(&properties["Method"], &format!("{what}.Method")).to_uppercase();
            assert!(
                events.insert((crate_name.clone(), path.clone(), method.clone())),
                "{what}: {method} {path} appears twice"
            );
        }
    }
    events
}

/// The crate a template function is built from (its CodeUri, `functions/<crate>`).
fn crate_of(id: &str, function: &Yaml) -> String {
    let code_uri = str_of(&function["Properties"]["CodeUri"], &format!("{id}.CodeUri"));
    code_uri
        .trim_end_matches('/')
        .strip_prefix("functions/")
        .unwrap_or_else(|| panic!("{id}.CodeUri `{code_uri}` is not a folder under functions/"))
        .to_string()
}

#[test]
fn every_function_crate_has_exactly_one_template_function_built_from_its_bin() {
    let template = template();
    let functions = resources(&template, "AWS::Serverless::Function");
    let crates = function_crates();
    assert!(crates.len() >= 8, "function crates found: {crates:?}");
    for crate_name in &crates {
        let bins = bin_names(&root().join("functions").join(crate_name).join("Cargo.toml"));
        assert_eq!(
            bins,
            vec![crate_name.clone()],
            "functions/{crate_name} has one bin, named like its folder"
        );
        let matching: Vec<_> = functions
            .iter()
            .filter(|(id, function)| crate_of(id, function) == *crate_name)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "exactly one template function has CodeUri functions/{crate_name}"
        );
        let (id, function) = matching[0];
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id} is built by cargo-lambda"
        );
        assert_eq!(
            function["Metadata"]["BuildProperties"]["Binary"].as_str(),
            Some(crate_name.as_str()),
            "{id} builds the bin `{crate_name}`"
        );
        for (property, expected) in [("Runtime", "provided.al2023"), ("Handler", "bootstrap")] {
            assert_eq!(
                function_property(&template, function, property).as_str(),
                Some(expected),
                "{id}.{property}"
            );
        }
        assert_eq!(
            function_property(&template, function, "Architectures").as_vec(),
            Some(&vec![Yaml::String("arm64".into())]),
            "{id}.Architectures"
        );
        assert_eq!(
            function_property(&template, function, "MemorySize").as_i64(),
            Some(128),
            "{id}.MemorySize"
        );
        let timeout = function_property(&template, function, "Timeout")
            .as_i64()
            .unwrap_or_else(|| panic!("{id}.Timeout is set"));
        let expected_timeout = match crate_name.as_str() {
            "reconciler" => 60,
            "notify" => 90,
            "transcribe" => 300,
            _ => 10,
        };
        assert_eq!(timeout, expected_timeout, "{id}.Timeout");
    }
    for (id, function) in &functions {
        let crate_name = crate_of(id, function);
        assert!(
            crates.contains(&crate_name),
            "{id} is built from functions/{crate_name}, which is not a function crate"
        );
    }
}

#[test]
fn every_route_and_method_has_an_http_api_event_on_its_function_and_a_sample_event() {
    let events = http_api_events(&template());
    for spec in ROUTES {
        let path = api_gateway_path(spec.path);
        for method in spec.methods {
            let key = (
                spec.function.to_string(),
                path.clone(),
                method.as_str().to_string(),
            );
            assert!(
                events.contains(&key),
                "template.yaml has no HttpApi event {} {path} on the function built from \
                 functions/{} (route {})",
                method,
                spec.function,
                spec.path
            );
        }
        let sample = root()
            .join("events")
            .join(format!("{}.json", spec.function));
        assert!(sample.is_file(), "missing sample event {sample:?}");
    }
}

#[test]
fn every_http_api_event_is_a_route_the_code_serves() {
    for (function, path, method) in http_api_events(&template()) {
        let served = ROUTES.iter().any(|spec| {
            spec.function == function
                && api_gateway_path(spec.path) == path
                && spec.methods.iter().any(|m| m.as_str() == method)
        });
        assert!(
            served,
            "template.yaml routes {method} {path} to functions/{function}, but no route in \
             frontdesk::routes::ROUTES serves it there"
        );
    }
}

/// Literal paths on both sides: what is checked is the spelling API Gateway's route keys take,
/// not which routes exist.
#[test]
fn api_gateway_paths_keep_whole_segment_variables_only() {
    assert_eq!(api_gateway_path("/health"), "/health");
    assert_eq!(
        api_gateway_path("/greetings/{business}.mp3"),
        "/greetings/{business}"
    );
    assert_eq!(
        api_gateway_path("/webhook/incoming_call"),
        "/webhook/incoming_call"
    );
}

#[test]
fn the_table_has_the_keys_index_and_ttl_the_store_uses() {
    let template = template();
    let tables = resources(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one DynamoDB table");
    let (_, table) = tables[0];
    let properties = &table["Properties"];
    assert_eq!(properties["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));

    let key_schema = |node: &Yaml| -> Vec<(String, String)> {
        node.as_vec()
            .expect("a KeySchema list")
            .iter()
            .map(|key| {
                (
                    str_of(&key["AttributeName"], "AttributeName").to_string(),
                    str_of(&key["KeyType"], "KeyType").to_string(),
                )
            })
            .collect()
    };
    let pair = |name: &str, kind: &str| (name.to_string(), kind.to_string());
    assert_eq!(
        key_schema(&properties["KeySchema"]),
        vec![pair(PARTITION_KEY, "HASH"), pair(SORT_KEY, "RANGE")]
    );

    let indexes = properties["GlobalSecondaryIndexes"]
        .as_vec()
        .expect("GlobalSecondaryIndexes");
    assert_eq!(indexes.len(), 1, "one GSI");
    let gsi = &indexes[0];
    assert_eq!(gsi["IndexName"].as_str(), Some(GSI1));
    assert_eq!(
        key_schema(&gsi["KeySchema"]),
        vec![
            pair(GSI1_PARTITION_KEY, "HASH"),
            pair(GSI1_SORT_KEY, "RANGE")
        ]
    );
    assert_eq!(
        gsi["Projection"]["ProjectionType"].as_str(),
        Some("ALL"),
        "the GSI projects every attribute"
    );

    let mut attributes: Vec<(String, String)> = properties["AttributeDefinitions"]
        .as_vec()
        .expect("AttributeDefinitions")
        .iter()
        .map(|a| {
            (
                str_of(&a["AttributeName"], "AttributeName").to_string(),
                str_of(&a["AttributeType"], "AttributeType").to_string(),
            )
        })
        .collect();
    attributes.sort();
    let mut expected: Vec<_> = [PARTITION_KEY, SORT_KEY, GSI1_PARTITION_KEY, GSI1_SORT_KEY]
        .iter()
        .map(|name| pair(name, "S"))
        .collect();
    expected.sort();
    assert_eq!(attributes, expected, "every key attribute is a string");

    let ttl = &properties["TimeToLiveSpecification"];
    assert_eq!(ttl["AttributeName"].as_str(), Some(TTL_ATTRIBUTE));
    assert_eq!(ttl["Enabled"].as_bool(), Some(true));
    assert_eq!(
        properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        properties["SSESpecification"]["SSEEnabled"].as_bool(),
        Some(true)
    );
}

#[test]
fn every_function_gets_the_environment_the_code_reads() {
    let template = template();
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    let names: BTreeSet<String> = globals
        .as_hash()
        .expect("Globals.Function.Environment.Variables")
        .keys()
        .map(|k| str_of(k, "a variable name").to_string())
        .collect();
    // The AWS resources: exactly what AwsResources requires on Lambda.
    AwsResources::from_lookup(|name| names.contains(name).then(|| "set".to_string()))
        .unwrap_or_else(|e| panic!("Globals lack an AWS resource variable: {e}"));
    for name in [
        "FRONTDESK_STAGE",
        "FRONTDESK_SIGNATURE_POLICY",
        "PUBLIC_BASE_URL",
    ] {
        assert!(names.contains(name), "Globals set {name}");
    }
    // The functions that check X-Twilio-Signature (or Meta's X-Hub-Signature-256) get their
    // secrets from Secrets Manager, never from a plain parameter.
    let functions = resources(&template, "AWS::Serverless::Function");
    for spec in ROUTES.iter().filter(|spec| spec.webhook) {
        let (id, function) = functions
            .iter()
            .find(|(id, function)| crate_of(id, function) == spec.function)
            .expect("a function per webhook");
        let variables = &function["Properties"]["Environment"]["Variables"];
        let secrets: &[&str] = if spec.route == frontdesk::Route::MetaWhatsApp {
            &["META_APP_SECRET", "META_VERIFY_TOKEN"]
        } else {
            &["TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN_PREVIOUS"]
        };
        for &name in secrets {
            let value = variables[name]
                .as_str()
                .unwrap_or_else(|| panic!("{id} sets {name}"));
            assert!(
                value.starts_with("{{resolve:secretsmanager:${SecretsName}:SecretString:"),
                "{id}.{name} is a Secrets Manager dynamic reference: {value}"
            );
        }
    }
}

/// The queue consumers: an SQS event source with partial batch failures on the queue the code
/// consumes, a timeout within the queue's visibility timeout, and a redrive policy whose
/// `maxReceiveCount` is the receive count the code gives up at.
#[test]
fn each_consumer_reads_its_queue_with_partial_failures_and_the_codes_receive_limit() {
    use frontdesk::worker::Consumer;
    let template = template();
    let functions = resources(&template, "AWS::Serverless::Function");
    for (consumer, crate_name, queue_id) in [
        (Consumer::Transcribe, "transcribe", "RecordingsQueue"),
        (Consumer::Notify, "notify", "NotifyQueue"),
    ] {
        let (id, function) = functions
            .iter()
            .find(|(id, function)| crate_of(id, function) == crate_name)
            .unwrap_or_else(|| panic!("a function built from functions/{crate_name}"));
        let events = function["Properties"]["Events"]
            .as_hash()
            .unwrap_or_else(|| panic!("{id} has events"));
        let sqs: Vec<_> = events
            .values()
            .filter(|e| e["Type"].as_str() == Some("SQS"))
            .collect();
        assert_eq!(sqs.len(), 1, "{id} has one SQS event");
        let properties = &sqs[0]["Properties"];
        // `!GetAtt RecordingsQueue.Arn` reads as its scalar.
        let queue = format!("{:?}", properties["Queue"]);
        assert!(
            queue.contains(&format!("{queue_id}.Arn")),
            "{id} reads {queue_id}: {queue}"
        );
        assert_eq!(
            properties["FunctionResponseTypes"].as_vec(),
            Some(&vec![Yaml::String("ReportBatchItemFailures".into())]),
            "{id} reports batch item failures"
        );
        let queue = &template["Resources"][queue_id]["Properties"];
        assert_eq!(
            queue["RedrivePolicy"]["maxReceiveCount"].as_i64(),
            Some(i64::from(consumer.max_receives())),
            "{queue_id}'s maxReceiveCount"
        );
        let visibility = queue["VisibilityTimeout"].as_i64().unwrap();
        let timeout = function_property(&template, function, "Timeout")
            .as_i64()
            .unwrap();
        assert!(
            timeout <= visibility,
            "{id}.Timeout {timeout} fits {queue_id}'s visibility timeout {visibility}"
        );
        let sample = root().join("events").join(format!("{crate_name}.json"));
        assert!(sample.is_file(), "missing sample event {sample:?}");
    }
}

/// A function that answers requests (its `main` wires an app) may send to SQS exactly when its
/// `main` asks for the queue: a policy without the client would queue nothing (a business event
/// lost), a client without the policy would be refused. The consumers' wiring is their consumer
/// process's, and not checked here.
#[test]
fn a_function_sends_to_sqs_exactly_when_its_main_wires_the_queue() {
    let template = template();
    for (id, function) in resources(&template, "AWS::Serverless::Function") {
        let main_rs = root()
            .join("functions")
            .join(crate_of(id, function))
            .join("src/main.rs");
        let main = std::fs::read_to_string(&main_rs).unwrap_or_else(|e| panic!("{main_rs:?}: {e}"));
        if main.contains("run_consumer") {
            continue;
        }
        let may_send = function["Properties"]["Policies"]
            .as_vec()
            .into_iter()
            .flatten()
            .any(|policy| !matches!(policy["SQSSendMessagePolicy"], Yaml::BadValue));
        assert_eq!(
            may_send,
            main.contains(".queue()"),
            "{id}: an SQSSendMessagePolicy exactly when functions/{}/src/main.rs asks for the queue",
            crate_of(id, function)
        );
    }
}
