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
//!   cargo test -p frontdesk-tests --test it lambda_bootstraps::
//! ```
//!
//! By default the binaries are this workspace's debug builds of the function crates, built
//! (or found fresh) by `cargo build --workspace --bins --examples`: `--examples` (there are
//! none) makes cargo resolve features with dev-dependencies, exactly as `cargo test
//! --workspace` does, so the build reuses every dependency the test build compiled and only
//! links the bins (after `cargo test --workspace`; run alone, `cargo test -p frontdesk-tests`
//! resolves features for one package and the first bins build compiles more).

mod appointments;
mod binaries;
mod consumers;
mod function;
mod http;
mod outbound;
mod runtime_api;
mod voice;
mod voice_booking;
mod whatsapp;

use std::time::Duration;

use base64::Engine;
use frontdesk::config::AwsResources;
use frontdesk::lambda::aws::AwsClients;
use frontdesk_testkit::{aws, fixtures, Stack};
use serde_json::Value;

/// The region the functions run in: the test stack's.
const REGION: &str = aws::REGION;
/// How long one invocation may take, start-up of a debug binary included.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

/// The call the sample voice events are about.
const SAMPLE_CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";

/// Fresh moto resources (a [`Stack`]); with `seed`, the demo businesses and greeting from
/// infra/seed/businesses.json loaded into them as `frontdesk serve` loads them.
async fn resources(seed: bool) -> (AwsResources, AwsClients) {
    let stack = Stack::new().await;
    if seed {
        seed_demo(&stack.resources).await;
    }
    (stack.resources, stack.clients)
}

async fn seed_demo(resources: &AwsResources) {
    let app = aws::app(&[], resources).await;
    let loaded = frontdesk_cli::seed::load(&app, &fixtures::seed_businesses())
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

#[test]
fn every_function_crate_has_a_bootstrap() {
    let built = binaries::bootstraps();
    for function in fixtures::function_crates() {
        assert!(built.contains_key(&function), "{function}");
    }
    assert_eq!(built.len(), fixtures::function_crates().len());
}
