//! The voice webhooks' functions and the greeting, on their sample events.

use frontdesk::Route;
use frontdesk_testkit::{fixtures, JobProbe};

use super::function::Function;
use super::{body, body_text, header, resources, seed_demo, status, SAMPLE_CALL_SID};

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
        twiml.contains(&format!(
            "<Play>{base}{}</Play>",
            Route::Greeting.path_with(&[("business", "demo")])
        )),
        "the demo clinic's greeting is played: {twiml}"
    );
    assert!(
        twiml.contains(&format!(
            "action=\"{base}{}\"",
            Route::HandleRecording.path()
        )),
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
    let mp3 = std::fs::read(fixtures::demo_greeting_path()).unwrap();
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
