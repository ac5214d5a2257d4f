//! The functions that are neither voice nor WhatsApp: health, and the calls API.

use frontdesk::Route;
use frontdesk_testkit::fixtures;
use serde_json::Value;

use super::function::Function;
use super::{body_text, header, resources, status};

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
async fn one_instance_serves_many_invocations() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("health", &resources, &[]).await;
    for _ in 0..5 {
        let response = function.invoke("health.json").await;
        assert_eq!(status(&response), 200, "{response}");
    }
    let mut head = serde_json::from_slice::<Value>(&fixtures::event("health.json")).unwrap();
    head["requestContext"]["http"]["method"] = "HEAD".into();
    let route_key = format!("HEAD {}", Route::Health.path());
    head["routeKey"] = route_key.clone().into();
    let response = function
        .invoke_bytes(&route_key, serde_json::to_vec(&head).unwrap())
        .await;
    assert_eq!(status(&response), 200, "{response}");
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

#[tokio::test]
async fn the_inbox_function_serves_its_pages_and_turns_strangers_away() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start(
        "inbox",
        &resources,
        &[("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket)],
    )
    .await;
    // A cookie this deployment never signed (it is cleared), and a sign-in token never issued
    // (no cookie came, none is set).
    for (sample, clears) in [
        ("inbox.json", true),
        ("inbox-login.json", false),
        ("inbox-customers.json", true),
        ("inbox-search.json", true),
        ("inbox-customer.json", true),
        ("inbox-customer-reply.json", true),
        ("inbox-customer-call.json", true),
        ("inbox-customer-block.json", true),
        ("inbox-appointments.json", true),
        ("inbox-appointment-cancel.json", true),
        ("inbox-updates.json", true),
    ] {
        let response = function.invoke(sample).await;
        assert_eq!(status(&response), 401, "{sample}: {response}");
        assert_eq!(
            header(&response, "content-type"),
            Some("text/html; charset=utf-8"),
            "{sample}"
        );
        assert!(body_text(&response).contains("<html lang="), "{sample}");
        // API Gateway's payload 2.0 carries Set-Cookie in `cookies`.
        let cleared = response["cookies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|c| c.starts_with("frontdesk_inbox=;") && c.contains("Max-Age=0"));
        assert_eq!(cleared, clears, "{sample}: {response}");
    }
    let script = function.invoke("inbox-script.json").await;
    assert_eq!(status(&script), 200, "{script}");
    assert_eq!(
        header(&script, "content-type"),
        Some("text/javascript; charset=utf-8")
    );
}
